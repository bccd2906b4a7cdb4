#!/usr/bin/env node
// `npm start`: open the desktop app (electron-vite preview), fetching the Electron binary first if it is
// missing; when it cannot be fetched (no network), say what is missing and offer the web mode instead.
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinary, missingElectronMessage } from './start-lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const electronDir = dirname(require.resolve('electron/package.json'))

if (!electronBinary(electronDir) && process.env.TRACE2SKILL_SKIP_ELECTRON_DOWNLOAD !== '1') {
  process.stderr.write('trace2skill: fetching the Electron binary (first start only)…\n')
  const got = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: 10 * 60_000
  })
  if (got.status !== 0)
    process.env.T2S_DOWNLOAD_ERROR =
      (got.stderr || got.error?.message || '')
        .trim()
        .split('\n')
        .find((l) => /Error|error/.test(l)) ?? `exit ${got.status}`
}
if (!electronBinary(electronDir)) {
  process.stderr.write(`${missingElectronMessage({ downloadError: process.env.T2S_DOWNLOAD_ERROR?.slice(0, 200) })}\n`)
  process.exit(1)
}
const vite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
const child = spawn(process.execPath, [vite, 'preview', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
