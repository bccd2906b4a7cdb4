/**
 * Starting and ending process trees, and recovery after a crash, the portable way (no /proc):
 * real processes on this machine; Windows' command resolution with the platform injected.
 */
import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findCommand, launchPlan, startProcess } from '../../src/main/base/processes'
import {
  endIfOurs,
  isSameProcess,
  parseWindowsProcess,
  processInfo,
  recordProcess,
  windowsProcessQuery,
  type RecordedProcess
} from '../../src/main/base/process-identity'
import { REPO } from '../support/claude-harness'

const posix = process.platform !== 'win32'

/** Running, not a zombie waiting to be reaped (`ps` works the same on macOS and Linux). */
async function running(pid: number): Promise<boolean> {
  const r = await promisify(execFile)('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }))
  const stat = r.stdout.trim()
  return stat !== '' && !stat.startsWith('Z')
}
const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}
const pidIn = (file: string) => waitFor(async () => Number((await readFile(file, 'utf8').catch(() => '')).trim()) || undefined)

let dir: string
/**
 * Every process a test made, ended at the end whatever happened: only if it is still the one we
 * made (its start time), never a process of another test file that was given the same pid later.
 */
const recorded: Promise<RecordedProcess>[] = []
const made = { push: (...pids: number[]) => void recorded.push(...pids.map((pid) => recordProcess(pid))) }
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't2s-process-'))
})
afterAll(async () => {
  for (const rec of await Promise.all(recorded)) await endIfOurs(rec, { graceMs: 0 })
  if (dir) await rm(dir, { recursive: true, force: true })
})

const sh = (script: string, marker = 'sh') => startProcess('/bin/sh', ['-c', script, marker])

describe.runIf(posix)('start and end a process tree', () => {
  it('ends the whole tree: child and grandchild gone', async () => {
    const c = join(dir, 'tree-child')
    const gc = join(dir, 'tree-grandchild')
    const p = sh(`sh -c 'sleep 300 & echo $! > ${gc}; wait' & echo $! > ${c}; wait`)
    const [child, grandchild] = [await pidIn(c), await pidIn(gc)]
    made.push(p.pid!, child, grandchild)
    for (const pid of [p.pid!, child, grandchild]) expect(await running(pid)).toBe(true)
    const t = Date.now()
    await p.end(2000)
    expect(Date.now() - t).toBeLessThan(2000) // they all heeded SIGTERM
    expect(await p.exited).toMatchObject({ signal: 'SIGTERM' })
    for (const pid of [p.pid!, child, grandchild]) expect(await waitFor(async () => ((await running(pid)) ? undefined : true))).toBe(true)
  })

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    const ready = join(dir, 'stubborn')
    const p = sh(`trap '' TERM; echo $$ > ${ready}; while :; do sleep 0.1; done`)
    made.push(await pidIn(ready))
    const t = Date.now()
    await p.end(800)
    const took = Date.now() - t
    expect(took).toBeGreaterThanOrEqual(750)
    expect(took).toBeLessThan(5000)
    expect(await p.exited).toMatchObject({ signal: 'SIGKILL' })
    expect(await running(p.pid!)).toBe(false)
  })

  it('a grandchild that left the process group and ignores SIGTERM is ended too', async () => {
    const gc = join(dir, 'escaped')
    const p = sh(`setsid sh -c 'trap "" TERM; echo $$ > ${gc}; exec sleep 300' & wait`)
    const grandchild = await pidIn(gc)
    made.push(grandchild)
    await p.end(500)
    expect(await waitFor(async () => ((await running(grandchild)) ? undefined : true))).toBe(true)
  })

  it('exits even when something it left running holds its output open, and says so at once', async () => {
    const bg = join(dir, 'holder')
    let out = ''
    const p = startProcess('/bin/sh', ['-c', `setsid sleep 30 & echo $! > ${bg}; echo done`], { drainMs: 500, onStdout: (c) => (out += c) })
    const t = Date.now()
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - t).toBeLessThan(5000)
    expect(out).toBe('done\n')
    made.push(await pidIn(bg))
  })

  it('a command that cannot start is a result, not a throw', async () => {
    const p = startProcess(join(dir, 'no-such-claude'), ['--version'])
    expect(p.pid).toBeUndefined()
    expect(await p.exited).toMatchObject({ code: null, error: { code: 'ENOENT' } })
    await p.end() // nothing to end
  })
})

describe.runIf(posix)('recovery after a crash', () => {
  it('finds a process tree a crashed app started and ends it on restart', async () => {
    // a separate "app" starts claude-like work through the same code, records it, and is killed -9
    const marker = `session-${randomUUID()}`
    const gc = join(dir, 'crash-grandchild')
    const app = join(dir, 'app.mts')
    await writeFile(
      app,
      `import { startProcess } from ${JSON.stringify(join(REPO, 'src/main/base/processes.ts'))}
import { recordProcess } from ${JSON.stringify(join(REPO, 'src/main/base/process-identity.ts'))}
const p = startProcess('/bin/sh', ['-c', "sleep 300 & echo $! > ${gc}; wait", ${JSON.stringify(marker)}])
const rec = await recordProcess(p.pid!, ${JSON.stringify(marker)})
process.stdout.write(JSON.stringify(rec) + '\\n')
setInterval(() => {}, 1000)
`
    )
    const child = spawn(process.execPath, ['--import', 'tsx', app], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] })
    let line = ''
    child.stdout.on('data', (c) => (line += c))
    const rec = await waitFor(async () => (line.includes('\n') ? JSON.parse(line) : undefined), 30_000)
    const grandchild = await pidIn(gc)
    made.push(rec.pid, grandchild)
    expect(rec.startedAt).toBeGreaterThan(Date.now() - 60_000)
    child.kill('SIGKILL')
    await new Promise((r) => child.on('close', r))
    // the app is gone; what it started is not
    expect(await running(rec.pid)).toBe(true)
    expect(await running(grandchild)).toBe(true)

    expect(await endIfOurs(rec)).toBe('ended')
    for (const pid of [rec.pid, grandchild]) expect(await waitFor(async () => ((await running(pid)) ? undefined : true))).toBe(true)
    // and once it is gone, there is nothing to end
    expect(await endIfOurs(rec)).toBe('gone')
  }, 60_000)

  it('leaves alone a different process that has the recorded pid (another start time, another command)', async () => {
    const marker = `session-${randomUUID()}`
    const p = sh('sleep 300', marker)
    made.push(p.pid!)
    const rec = await recordProcess(p.pid!, marker)
    expect(rec.startedAt).toBeDefined()
    // what a reused pid looks like: the process there started at another time...
    expect(await endIfOurs({ ...rec, startedAt: rec.startedAt! - 3_600_000 })).toBe('other')
    // ...or runs another command
    expect(await endIfOurs({ ...rec, marker: `session-${randomUUID()}` })).toBe('other')
    // with nothing to know it by, it is not ours either
    expect(await endIfOurs({ pid: rec.pid })).toBe('other')
    expect(await running(p.pid!)).toBe(true)
    // the true record ends it
    expect(await endIfOurs(rec)).toBe('ended')
    expect(await running(p.pid!)).toBe(false)
  })

  it("reads a process's start time and command line from the OS", async () => {
    const marker = `marker-${randomUUID()}`
    const before = Date.now()
    const p = sh('sleep 30', marker)
    made.push(p.pid!)
    const info = await processInfo(p.pid!)
    expect(info?.command).toContain(marker)
    // to the second
    expect(info!.startedAt!).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000)
    expect(info!.startedAt!).toBeLessThanOrEqual(Date.now())
    await p.end()
    expect(await processInfo(p.pid!)).toBeNull()
  })
})

describe('knowing a process again', () => {
  const rec = { pid: 42, startedAt: 1_700_000_000_000, marker: 'sess-1' }
  it('needs the same start time and the marker on the command line', () => {
    expect(isSameProcess(rec, { pid: 42, startedAt: 1_700_000_000_000, command: 'claude -p x --session-id sess-1' })).toBe(true)
    expect(isSameProcess(rec, { pid: 42, startedAt: 1_700_000_001_000, command: 'claude --session-id sess-1' })).toBe(true) // within a second
    expect(isSameProcess(rec, { pid: 42, startedAt: 1_700_000_100_000, command: 'claude --session-id sess-1' })).toBe(false)
    expect(isSameProcess(rec, { pid: 42, startedAt: 1_700_000_000_000, command: 'vim notes.txt' })).toBe(false)
    expect(isSameProcess(rec, { pid: 43, startedAt: 1_700_000_000_000, command: 'claude --session-id sess-1' })).toBe(false)
    expect(isSameProcess(rec, null)).toBe(false)
    // one proof is enough when the other cannot be had (no start time recorded; no command line readable)
    expect(isSameProcess({ pid: 42, marker: 'sess-1' }, { pid: 42, command: 'claude --session-id sess-1' })).toBe(true)
    expect(isSameProcess({ pid: 42, startedAt: rec.startedAt }, { pid: 42, startedAt: rec.startedAt })).toBe(true)
    expect(isSameProcess({ pid: 42 }, { pid: 42, startedAt: rec.startedAt, command: 'x' })).toBe(false)
  })

  it('reads the Windows CIM answer', () => {
    expect(windowsProcessQuery(1234).join(' ')).toMatch(/Get-CimInstance Win32_Process -Filter 'ProcessId=1234'.*ConvertTo-Json/)
    expect(
      parseWindowsProcess(
        '{"pid":1234,"name":"cmd.exe","command":"C:\\\\Windows\\\\system32\\\\cmd.exe /d /s /c \\"claude.cmd --session-id s1\\"","started":"2026-01-02T03:04:05.6789012Z"}\r\n'
      )
    ).toEqual({
      pid: 1234,
      name: 'cmd.exe',
      command: 'C:\\Windows\\system32\\cmd.exe /d /s /c "claude.cmd --session-id s1"',
      startedAt: Date.parse('2026-01-02T03:04:05.678Z')
    })
    expect(parseWindowsProcess('')).toBeNull()
    expect(parseWindowsProcess('not json')).toBeNull()
  })
})

describe('Windows: claude.cmd', () => {
  let bin: string
  beforeAll(async () => {
    bin = join(dir, 'npm-global')
    await rm(bin, { recursive: true, force: true })
    await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }))
    await writeFile(join(bin, 'claude.cmd'), '@ECHO off\r\nnode "%~dp0\\node_modules\\@anthropic-ai\\claude-code\\cli.js" %*\r\n')
  })

  it('plans a .cmd through its shim, in no process group of its own, ended by taskkill', () => {
    expect(launchPlan('C:\\Users\\me\\AppData\\Roaming\\npm\\claude.cmd', 'win32')).toEqual({
      detached: false,
      shim: true,
      end: 'taskkill'
    })
    expect(launchPlan('C:\\Program Files\\Claude\\claude.exe', 'win32')).toEqual({ detached: false, shim: false, end: 'taskkill' })
    expect(launchPlan('/usr/local/bin/claude', 'linux')).toEqual({ detached: true, shim: false, end: 'group-and-descendants' })
    expect(launchPlan('/opt/homebrew/bin/claude', 'darwin')).toEqual({ detached: true, shim: false, end: 'group-and-descendants' })
  })

  it('finds `claude` as claude.cmd through PATHEXT (the Path variable in any case), and not without it', () => {
    expect(findCommand('claude', { platform: 'win32', env: { Path: bin, PATHEXT: '.COM;.EXE;.BAT;.CMD' } })).toBe(join(bin, 'claude.cmd'))
    expect(findCommand(join(bin, 'claude'), { platform: 'win32', env: { PATHEXT: '.EXE;.CMD' } })).toBe(join(bin, 'claude.cmd'))
    expect(findCommand('claude', { platform: 'linux', env: { PATH: bin } })).toBeUndefined()
  })

  it('is spawned through cmd.exe with every argument escaped, by the same cross-spawn execa uses', () => {
    // cross-spawn decides on the platform when it is loaded: load a fresh copy as on Windows
    const req = createRequire(join(REPO, 'node_modules/execa/package.json'))
    const fresh = () => {
      for (const k of Object.keys(req.cache))
        if (/[\\/]node_modules[\\/](cross-spawn|which|isexe|path-key|shebang-command|shebang-regex)[\\/]/.test(k)) delete req.cache[k]
    }
    const saved = Object.getOwnPropertyDescriptor(process, 'platform')!
    let crossSpawn: {
      _parse(
        cmd: string,
        args: string[],
        opts: object
      ): { command: string; args: string[]; options: { windowsVerbatimArguments?: boolean } }
    }
    fresh()
    Object.defineProperty(process, 'platform', { value: 'win32' })
    try {
      crossSpawn = req('cross-spawn')
    } finally {
      Object.defineProperty(process, 'platform', saved)
    }
    try {
      const prompt = 'Build "the page" & then | report 100% done'
      const parsed = crossSpawn._parse(join(bin, 'claude.cmd'), ['-p', prompt, '--session-id', 's1'], {
        env: { PATH: bin, PATHEXT: '.EXE;.CMD' }
      })
      expect(parsed.command).toMatch(/cmd\.exe$/i)
      expect(parsed.args.slice(0, 3)).toEqual(['/d', '/s', '/c'])
      expect(parsed.options.windowsVerbatimArguments).toBe(true)
      const line = parsed.args[3]
      expect(line).toContain('claude.cmd')
      // cmd.exe's metacharacters in the prompt are escaped, never interpreted
      expect(line).not.toMatch(/[^^]&/)
      expect(line).not.toMatch(/[^^]\|/)
      expect(line).toContain('^&')
      expect(line).toContain('^|')
      expect(line).toContain('^%')
    } finally {
      fresh()
    }
  })
})
