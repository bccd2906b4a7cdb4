/**
 * Limits that hold whatever happens to the app (Linux): a command started under the watchdog ends at
 * its deadline with no timer of the app's, and as soon as the app dies; a process it started in a
 * session of its own (setsid) carries the marker and is ended with it, on a cancel and on a sweep too.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endMarked, isAlive, markedProcesses, startProcess } from '../../src/main/base/processes'
import { REPO } from '../support/claude-harness'

const linux = process.platform === 'linux'
const NAME = 'T2S_TEST_MARK'

/** alive and not a zombie (a zombie is dead; only its parent has not reaped it yet) */
const running = async (pid: number) => {
  if (!isAlive(pid)) return false
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
}
const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T | undefined> => {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined || Date.now() > until) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}
const gone = (pids: number[], ms = 20_000) =>
  waitFor(async () => ((await Promise.all(pids.map(running))).some(Boolean) ? undefined : true), ms)
const pidIn = (file: string) => waitFor(async () => Number((await readFile(file, 'utf8').catch(() => '')).trim()) || undefined)

let dir: string
const markers: string[] = []
const mark = () => {
  const value = randomUUID()
  markers.push(value)
  return { name: NAME, value }
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't2s-watchdog-'))
})
afterAll(async () => {
  for (const value of markers) await endMarked({ name: NAME, value })
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe.runIf(linux)('the watchdog and the run marker', () => {
  it('ends the command at its deadline, with no timer of the app’s', async () => {
    const p = startProcess('sh', ['-c', 'sleep 600'], { marker: mark(), watchdog: { deadlineMs: 500, graceMs: 500 } })
    const exit = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))])
    expect(exit).not.toBeNull()
    expect(exit!.code === 0).toBe(false)
  }, 40_000)

  it('passes the output through and exits as the command did', async () => {
    let out = ''
    const p = startProcess('sh', ['-c', 'echo hello; echo oops >&2; exit 3'], {
      marker: mark(),
      watchdog: { deadlineMs: 60_000 },
      onStdout: (c) => (out += c)
    })
    expect(await p.exited).toEqual({ code: 3, signal: null })
    expect(out).toBe('hello\n')
    const killed = startProcess('sh', ['-c', 'kill -9 $$'], { marker: mark(), watchdog: { deadlineMs: 60_000 } })
    expect((await killed.exited).signal).toBe('SIGKILL')
  })

  it('a command that is not there is said so, as without the watchdog', async () => {
    const p = startProcess('/nonexistent/claude', [], { marker: mark(), watchdog: { deadlineMs: 60_000 } })
    expect((await p.exited).error?.code).toBe('ENOENT')
    expect(p.pid).toBeUndefined()
  })

  it('ends the command, and what it started in a session of its own, when the app is killed', async () => {
    const file = join(dir, 'orphan.pid')
    const app = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO, 'test', 'support', 'watchdog-parent.ts'),
        mark().value,
        '600000',
        `setsid sleep 600 > /dev/null 2>&1 < /dev/null & echo $! > ${file}; sleep 600`
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let out = ''
    app.stdout.on('data', (c) => (out += c))
    try {
      const watchdog = (await waitFor(async () => Number(out.trim()) || undefined))!
      const detached = (await pidIn(file))!
      const marked = await markedProcesses({ name: NAME, value: markers[markers.length - 1] })
      // the watchdog, sh, its sleep, and the setsid sleep
      expect(marked).toEqual(expect.arrayContaining([watchdog, detached]))
      expect(marked.length).toBeGreaterThanOrEqual(3)
      app.kill('SIGKILL')
      expect(await gone(marked)).toBe(true)
    } finally {
      if (app.exitCode === null) app.kill('SIGKILL')
    }
  }, 60_000)

  it('a cancel and a sweep end what left the process group', async () => {
    const file = join(dir, 'cancel.pid')
    const p = startProcess('sh', ['-c', `setsid sleep 600 > /dev/null 2>&1 < /dev/null & echo $! > ${file}; sleep 600`], {
      marker: mark(),
      watchdog: { deadlineMs: 600_000 }
    })
    const detached = (await pidIn(file))!
    await p.end(500)
    expect(await gone([detached], 5000)).toBe(true)

    const file2 = join(dir, 'sweep.pid')
    const q = startProcess('sh', ['-c', `setsid sleep 600 > /dev/null 2>&1 < /dev/null & echo $! > ${file2}`], { marker: mark() })
    await q.exited
    const left = (await pidIn(file2))!
    expect(await running(left)).toBe(true)
    await q.sweep()
    expect(await gone([left], 5000)).toBe(true)
  }, 30_000)
})
