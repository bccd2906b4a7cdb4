/**
 * The local backend (src/main/backends/local/): a run's folder from its template, a private temporary
 * folder of its own removed at the end, the agent started with the run's marker, what it made collected
 * against the template, and a crashed app's run ended only when it is still ours.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLocalBackend } from '../../src/main/backends/local/backend'
import { isAlive, RUN_MARKER } from '../../src/main/base/processes'

describe('the local backend', () => {
  it('readies a run from its template with a private temporary folder, starts the agent there, collects what it made', async () => {
    const root = await mkdtemp(join(tmpdir(), 't2s-local-'))
    const template = join(root, 'template')
    await mkdir(template)
    await writeFile(join(template, 'keep.txt'), 'from the template')
    const workspace = join(root, 'ws', 'run-1')
    const sessionId = '0123abcd-0000-0000-0000-000000000000'
    const backend = createLocalBackend()
    const place = await backend.prepare({ workspace, templateDir: template, sessionId })
    expect(await readFile(join(workspace, 'keep.txt'), 'utf8')).toBe('from the template')
    expect(place.tmpDir).toMatch(/trace2skill-.*[\\/]run-0123abcd-/)
    expect(existsSync(place.tmpDir)).toBe(true)
    let out = ''
    const proc = backend.start({
      command: process.execPath,
      args: ['-e', `require('fs').writeFileSync('made.txt', process.env.${RUN_MARKER}); console.log('hi')`],
      env: { PATH: process.env.PATH, [RUN_MARKER]: sessionId },
      cwd: workspace,
      marker: { name: RUN_MARKER, value: sessionId },
      deadlineMs: 60_000,
      onStdout: (c) => (out += c),
      onStderr: () => {}
    })
    expect((await proc.identity())?.pid).toBe(proc.pid)
    expect(await proc.exited).toMatchObject({ code: 0 })
    await proc.sweep()
    expect(out.trim()).toBe('hi')
    expect(await readFile(join(workspace, 'made.txt'), 'utf8')).toBe(sessionId)
    expect((await backend.collect({ workspace, templateDir: template })).map((f) => [f.path, f.status])).toEqual([['made.txt', 'added']])
    await place.dispose()
    expect(existsSync(place.tmpDir)).toBe(false)
  })

  it('an agent that is not there: the exit says so, and nothing is left running', async () => {
    const backend = createLocalBackend()
    const proc = backend.start({
      command: '/nonexistent/agent',
      args: [],
      env: {},
      cwd: tmpdir(),
      marker: { name: RUN_MARKER, value: 'none' },
      deadlineMs: 1000,
      onStdout: () => {},
      onStderr: () => {}
    })
    expect(await proc.exited).toMatchObject({ code: -1, error: expect.stringContaining('was not found') })
  })

  it('after a crash: a pid that is now a stranger is left alone', async () => {
    const backend = createLocalBackend()
    // this very process: alive, but not the run recorded (its start time and command line differ)
    await backend.recover({ sessionId: 'not-ours', marker: { name: RUN_MARKER, value: 'not-ours' }, pid: process.pid, pidStartedAt: 1 })
    expect(isAlive(process.pid)).toBe(true)
  })
})
