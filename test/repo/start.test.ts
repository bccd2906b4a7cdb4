/** `npm start` without the Electron binary says what is missing and how to fix it, and offers the web mode. */
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error plain JavaScript module without types
import { atLeast, electronBinary, missingElectronMessage } from '../../scripts/start-lib.mjs'
import { REPO } from '../support/claude-harness'

describe('npm start', () => {
  it('finds the Electron binary only where it really is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-electron-'))
    expect(electronBinary(dir)).toBeNull()
    await writeFile(join(dir, 'path.txt'), 'electron')
    expect(electronBinary(dir)).toBeNull() // path.txt but no dist/
    await mkdir(join(dir, 'dist'))
    await writeFile(join(dir, 'dist', 'electron'), '')
    expect(electronBinary(dir)).toBe(join(dir, 'dist', 'electron'))
  })

  it('says what is missing, how to fix it, and offers npm run web; names an old Node', () => {
    const text = missingElectronMessage({ downloadError: 'TypeError: fetch failed', node: 'v20.19.0' }) as string
    expect(text).toContain('needs the Electron binary')
    expect(text).toContain('needs the network')
    expect(text).toContain('fetch failed')
    expect(text).toContain('npx install-electron')
    expect(text).toContain('npm run web')
    expect(text).toContain('Node 22.12 or newer; this is Node 20.19.0')
    expect(missingElectronMessage({ node: 'v22.12.0' })).not.toContain('Node 22.12 or newer')
    expect(atLeast('v22.12.0', [22, 12])).toBe(true)
    expect(atLeast('v22.11.9', [22, 12])).toBe(false)
    expect(atLeast('v23.0.0', [22, 12])).toBe(true)
  })

  it('the script itself: without the binary it exits 1 with that message, not "Electron uninstall"', () => {
    const require = createRequire(join(REPO, 'package.json'))
    const electronDir = dirname(require.resolve('electron/package.json'))
    if (electronBinary(electronDir)) return // a machine with Electron installed would open the app
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'start.mjs')], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, TRACE2SKILL_SKIP_ELECTRON_DOWNLOAD: '1' },
      timeout: 30_000
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('the desktop app needs the Electron binary')
    expect(r.stderr).toContain('npm run web')
    expect(r.stderr).not.toContain('Electron uninstall')
  })
})

describe('the Node in use', () => {
  it('the CLI refuses a Node too old for it, in one line naming what is needed', async () => {
    // @ts-expect-error plain JavaScript module without types
    const { cliNodeProblem } = await import('../../bin/node-check.mjs')
    expect(cliNodeProblem('v20.19.0')).toBeNull()
    expect(cliNodeProblem('v22.12.0')).toBeNull()
    const old = cliNodeProblem('v18.20.4') as string
    expect(old).toContain('Node 18.20.4 is too old')
    expect(old).toContain('20.19 or newer')
    expect(old.split('\n')).toHaveLength(1)
  })
})
