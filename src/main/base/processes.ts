/**
 * One portable way to start and end `claude` (and what it starts), for the runner and the analysts.
 * Electron-free; /proc only for what Linux alone offers (processes found by a marker in their environment).
 *
 * - Start: execa, which resolves the command like a shell would (PATH, and PATHEXT on Windows) and
 *   runs Windows `.cmd`/`.bat` shims (npm's `claude.cmd`) through cmd.exe with every argument
 *   escaped (cross-spawn); Node's own spawn cannot start a `.cmd` at all. On macOS and Linux the
 *   process leads its own process group, so its whole tree can be ended together.
 * - End: the whole tree. POSIX: SIGTERM to the group and to every descendant (found by ps-list, so
 *   one that left the group is not missed), then SIGKILL to all of them, and to anything still in the
 *   group, after a grace period. Windows: `taskkill /T /F` through tree-kill (Windows has no SIGTERM
 *   a console program can catch). A process given a marker (an environment variable everything it
 *   starts inherits) also has every process that carries the marker ended with it, found in /proc on
 *   Linux: one that left the group and the tree (`setsid`, a double fork) is not missed there.
 * - Watchdog (POSIX, optional): the command runs under a small watchdog (watchdog.ts) that ends it
 *   at a deadline, or as soon as this process dies, so a run's limits hold even if the app is killed.
 * - Recover: a crashed app's runs may still be going. What we record at start (pid, the start time
 *   the OS reports, a marker on the command line such as the session id) tells, after a restart,
 *   whether the process with that pid is still ours or a stranger that reuses the pid. ps-list on
 *   macOS and Linux (`ps`), a CIM query through PowerShell on Windows.
 */
import { isAlive } from '../base/process'
import { execa } from 'execa'
import { statSync } from 'node:fs'
import { delimiter as posixDelimiter, isAbsolute, join } from 'node:path'
import type { Writable } from 'node:stream'
import { readdir, readFile } from 'node:fs/promises'
import psList from 'ps-list'
import treeKill from 'tree-kill'
import { watchdogLaunch, type WatchdogOptions } from './watchdog'

/** The variable every process a run starts inherits: its value names the run (see endMarked). */
export const RUN_MARKER = 'TRACE2SKILL_RUN'

export interface StartOptions {
  cwd?: string
  /** the whole environment (nothing of ours is added) */
  env?: NodeJS.ProcessEnv
  /** 'pipe' to write a prompt on stdin */
  stdin?: 'ignore' | 'pipe'
  platform?: NodeJS.Platform
  /** after it exited, how long its output may take to close (something it left running can hold it) */
  drainMs?: number
  /** its output, from the first byte (listening from the start loses nothing); unread output is discarded */
  onStdout?(chunk: Buffer): void
  onStderr?(chunk: Buffer): void
  /**
   * Set in its environment (and so in that of everything it starts): ending the process, and sweeping
   * after it, also ends every process that carries it, even one in a session of its own (Linux).
   */
  marker?: Marker
  /** POSIX: start it under a watchdog (watchdog.ts), so its deadline holds and it ends when this process dies */
  watchdog?: WatchdogOptions
}

/** An environment variable that names what a process belongs to. */
export interface Marker {
  name: string
  value: string
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** could not start at all: ENOENT (no such file), EACCES (not executable)... */
  error?: { code?: string; message: string }
}

export interface StartedProcess {
  readonly pid: number | undefined
  readonly stdin: Writable | null
  /** Resolves once, when the process has exited and its output has been read (never rejects). */
  readonly exited: Promise<Exit>
  /** has it exited? */
  readonly done: boolean
  /** End the whole tree: TERM, then KILL after `graceMs`. Resolves when the process has exited. */
  end(graceMs?: number): Promise<void>
  /** After it exited: end whatever it left running in its process group (POSIX) or carrying its marker (Linux). */
  sweep(): Promise<void>
}

/** How a command is started here. */
export interface LaunchPlan {
  /** its own process group (POSIX), so the group can be signalled as one */
  detached: boolean
  /** Windows: a .cmd/.bat shim, run through cmd.exe with escaped arguments (by execa's cross-spawn) */
  shim: boolean
  /** how its tree is ended */
  end: 'group-and-descendants' | 'taskkill'
}

export function launchPlan(command: string, platform: NodeJS.Platform = process.platform): LaunchPlan {
  if (platform === 'win32') return { detached: false, shim: /\.(cmd|bat)$/i.test(command), end: 'taskkill' }
  return { detached: true, shim: false, end: 'group-and-descendants' }
}

/**
 * The file a command names: itself if it has a folder part, else the first match on PATH (with the
 * PATHEXT extensions on Windows, so `claude` finds `claude.cmd` or `claude.exe`). Undefined when
 * there is none.
 */
export function findCommand(
  command: string,
  opts: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; cwd?: string } = {}
): string | undefined {
  const platform = opts.platform ?? process.platform
  const env = opts.env ?? process.env
  const win = platform === 'win32'
  // PATHEXT is upper case; a file system that minds case (not Windows') gets the lower case too
  const exts = win
    ? [
        '',
        ...(envValue(env, 'PATHEXT', win) ?? '.COM;.EXE;.BAT;.CMD')
          .split(';')
          .filter(Boolean)
          .flatMap((e) => [e, e.toLowerCase()])
      ]
    : ['']
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile()
    } catch {
      return false
    }
  }
  const hasDir = /[\\/]/.test(command) || (win && /^[A-Za-z]:/.test(command))
  if (hasDir) {
    const base = isAbsolute(command) || (win && /^[A-Za-z]:/.test(command)) ? command : join(opts.cwd ?? process.cwd(), command)
    return exts.map((e) => base + e).find(isFile)
  }
  const dirs = (envValue(env, 'PATH', win) ?? '').split(win ? ';' : posixDelimiter).filter(Boolean)
  for (const dir of dirs) {
    const hit = exts.map((e) => join(dir, command + e)).find(isFile)
    if (hit) return hit
  }
  return undefined
}

/** Windows environment names are case-insensitive (Path, PATH). */
function envValue(env: NodeJS.ProcessEnv, name: string, caseInsensitive: boolean): string | undefined {
  if (!caseInsensitive) return env[name]
  const key = Object.keys(env).find((k) => k.toUpperCase() === name)
  return key ? env[key] : undefined
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Is a process with this pid alive (on every platform; a zombie counts as alive until reaped)? */
function signal(pid: number, sig: NodeJS.Signals, group: boolean) {
  try {
    process.kill(group ? -pid : pid, sig)
  } catch {
    /* gone, or never was */
  }
}

/** Resolves when `pid` is gone, or after `ms`. */
async function waitGone(pid: number, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (isAlive(pid) && Date.now() < until) await sleep(50)
}

/** Every descendant of `pid` (children, their children...), from one process listing. */
export async function descendants(pid: number): Promise<number[]> {
  const list = await psList({ all: true }).catch(() => [])
  const children = new Map<number, number[]>()
  for (const p of list) {
    const c = children.get(p.ppid) ?? []
    c.push(p.pid)
    children.set(p.ppid, c)
  }
  const out: number[] = []
  const seen = new Set([pid])
  const stack = [pid]
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (seen.has(c)) continue
      seen.add(c)
      out.push(c)
      stack.push(c)
    }
  }
  return out
}

/**
 * End a process tree by pid: TERM (POSIX: the group and every descendant), then KILL after
 * `graceMs` to whatever is left, including descendants the leader's death orphaned. `exited`
 * resolves when the leader is gone (for a process we did not start, its liveness is polled).
 */
export async function endTree(
  pid: number,
  opts: { graceMs?: number; exited?: Promise<unknown>; group?: boolean; platform?: NodeJS.Platform } = {}
): Promise<void> {
  const platform = opts.platform ?? process.platform
  const graceMs = opts.graceMs ?? 2000
  const gone = opts.exited ?? waitGone(pid, graceMs + 10_000)
  if (platform === 'win32') {
    await new Promise<void>((resolve) => treeKill(pid, 'SIGKILL', () => resolve()))
    await Promise.race([gone, sleep(Math.max(graceMs, 5000))])
    return
  }
  const group = opts.group ?? true
  const tree = await descendants(pid)
  if (group) signal(pid, 'SIGTERM', true)
  signal(pid, 'SIGTERM', false)
  for (const p of tree) signal(p, 'SIGTERM', false)
  const ended = await Promise.race([gone.then(() => true), sleep(graceMs).then(() => false)])
  // what appeared during the grace period, while the leader still had it
  const late = ended ? [] : await descendants(pid)
  if (group) signal(pid, 'SIGKILL', true)
  signal(pid, 'SIGKILL', false)
  for (const p of [...tree, ...late]) if (isAlive(p)) signal(p, 'SIGKILL', false)
  await Promise.race([gone, sleep(5000)])
}

/**
 * Every process (but this one) whose environment carries `marker` (Linux: /proc; elsewhere none is
 * found, and a run's processes are ended by their group and tree only).
 */
export async function markedProcesses(marker: Marker, platform: NodeJS.Platform = process.platform): Promise<number[]> {
  if (platform !== 'linux') return []
  const needle = Buffer.from(`${marker.name}=${marker.value}\0`)
  const after = Buffer.concat([Buffer.from([0]), needle])
  const out: number[] = []
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    const env = await readFile(`/proc/${name}/environ`).catch(() => null)
    if (env && (env.indexOf(needle) === 0 || env.includes(after))) out.push(Number(name))
  }
  return out
}

/** End every process carrying `marker`: SIGTERM, then SIGKILL after `graceMs` to those left (0: SIGKILL at once). */
export async function endMarked(marker: Marker, graceMs = 0, platform: NodeJS.Platform = process.platform): Promise<number> {
  const found = await markedProcesses(marker, platform)
  if (!found.length) return 0
  if (graceMs > 0) {
    for (const p of found) signal(p, 'SIGTERM', false)
    const until = Date.now() + graceMs
    while (found.some(isAlive) && Date.now() < until) await sleep(50)
  }
  for (const p of found) signal(p, 'SIGKILL', false)
  return found.length
}

/** Start a command (see the top of this file). Never throws: a start failure is in `exited`. */
export function startProcess(command: string, args: string[], opts: StartOptions = {}): StartedProcess {
  const plan = launchPlan(command, opts.platform)
  const drainMs = opts.drainMs ?? 3000
  let done = false
  let left = false
  let sub: ReturnType<typeof execa> | undefined
  let exited: Promise<Exit>
  /** the leader has exited (its output may still be draining) */
  let gone: Promise<unknown> = Promise.resolve()
  let env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), ...(opts.marker ? { [opts.marker.name]: opts.marker.value } : {}) }
  let launch = { command, args }
  // the watchdog leads the process group (it is the one started detached); the command is its child
  const watched = !!opts.watchdog && plan.detached && opts.stdin !== 'pipe'
  // a command that is not there is said as it would be without the watchdog (which would start fine)
  if (watched && !findCommand(command, { env, cwd: opts.cwd, platform: opts.platform })) {
    const exited = Promise.resolve<Exit>({ code: null, signal: null, error: { code: 'ENOENT', message: `spawn ${command} ENOENT` } })
    return { pid: undefined, stdin: null, exited, done: true, end: () => exited.then(() => {}), sweep: async () => {} }
  }
  if (watched) {
    const w = watchdogLaunch(command, args, { ...opts.watchdog!, marker: opts.marker })
    launch = w
    env = { ...env, ...w.env }
  }
  try {
    sub = execa(launch.command, launch.args, {
      cwd: opts.cwd,
      env,
      extendEnv: false,
      // the watchdog reads its stdin only to know when this process is gone
      stdin: watched ? 'pipe' : (opts.stdin ?? 'ignore'),
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: plan.detached,
      // ending it is ours to do (end()); a detached one must not be ended by an exit handler
      cleanup: !plan.detached,
      windowsHide: true
    })
    const s = sub
    // listen at once: execa reads the pipes itself, and what comes before a listener would be lost
    s.stdout?.on('data', (c: Buffer) => opts.onStdout?.(c))
    s.stderr?.on('data', (c: Buffer) => opts.onStderr?.(c))
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      s.once('exit', (code, sig) => resolve({ code, signal: sig }))
    )
    gone = exit.then(() => (left = true))
    exited = (async (): Promise<Exit> => {
      const first = await Promise.race([s.then((r) => ({ r })), exit.then((e) => ({ e }))])
      if ('e' in first) {
        // Its output is read to the end, unless something it left running still holds the pipes
        // (an agent's background server): then they are closed after a moment, not waited on for ever.
        const drained = await Promise.race([s.then(() => true), sleep(drainMs).then(() => false)])
        if (!drained) {
          s.stdout?.destroy()
          s.stderr?.destroy()
          await Promise.race([s, sleep(1000)])
        }
        return first.e
      }
      const r = first.r
      const code = (r as { code?: string }).code
      if (r.failed && code && r.exitCode === undefined && !r.signal)
        return {
          code: null,
          signal: null,
          error: { code, message: (r as { originalMessage?: string }).originalMessage || r.message || code }
        }
      return { code: r.exitCode ?? null, signal: (r.signal as NodeJS.Signals | undefined) ?? null }
    })().finally(() => (done = true))
  } catch (e) {
    done = true
    exited = Promise.resolve({
      code: null,
      signal: null,
      error: { code: (e as NodeJS.ErrnoException).code, message: (e as Error).message }
    })
  }
  const pid = sub?.pid
  let ending: Promise<void> | undefined
  const sweepGroup = () => {
    if (pid && plan.detached) signal(pid, 'SIGKILL', true)
  }
  const sweep = async () => {
    sweepGroup()
    if (opts.marker) await endMarked(opts.marker, 0, opts.platform)
  }
  return {
    pid,
    stdin: watched ? null : ((sub?.stdin as Writable | null) ?? null),
    exited,
    get done() {
      return done
    },
    end(graceMs = 2000) {
      if (!pid || done) return exited.then(() => {})
      if (left) return sweep().then(() => exited.then(() => {}))
      ending ??= Promise.all([
        endTree(pid, { graceMs, exited: gone, group: plan.detached, platform: opts.platform }),
        opts.marker ? endMarked(opts.marker, graceMs, opts.platform) : 0
      ])
        .then(() => exited)
        .then(() => {})
      return ending
    },
    sweep
  }
}

// Knowing a process again after a restart (its start time, its command line): process-identity.ts
export { isAlive }
