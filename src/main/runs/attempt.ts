/**
 * One attempt of a run's agent, from its launch to its exit: the driver says how to start it and reads
 * what it prints, the backend starts it where it runs; its stream and standard error are kept in the
 * run's log folder, a cancel or its timeout ends it, and whatever it left running is swept. Electron-free.
 */
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import type { RunProgress } from '../../shared/runs'
import type { AgentDriver, AgentMonitor, AgentRunSpec } from '../agents/driver'
import type { RunBackend, RunProcess } from '../backends/backend'

/** The watchdog ends a run this long after its timeout, should the app not (it died, or hangs). */
const WATCHDOG_MARGIN_MS = 30_000

export interface AgentAttempt {
  exit: { code: number | null; signal: string | null }
  monitor: AgentMonitor
  /** the end of its standard error (and why it could not start, if it could not) */
  stderr: string
  /** it ran out of time (this long) */
  timedOutMs?: number
}

export async function runAgent(
  d: { driver: AgentDriver; backend: RunBackend },
  o: {
    spec: AgentRunSpec
    started: number
    /** a cancel of the run: ends the agent (at once when it came before the start) */
    signal: AbortSignal
    /** where live progress goes (a coalescer: a few times a second) */
    progress: { push(p: RunProgress): void; cancel(): void }
    /** it started: what ends it, and what tells it apart after a restart */
    onStart(proc: RunProcess): Promise<void>
    /** it exited (its outputs are collected next) */
    onExit(): Promise<void>
  }
): Promise<AgentAttempt> {
  const { spec } = o
  const launch = await d.driver.launch(spec)
  const monitor = d.driver.monitor()
  const stream = createWriteStream(join(spec.logDir, 'stream.jsonl'))
  const errLog = createWriteStream(join(spec.logDir, 'stderr.txt'))
  let stderr = ''
  let timedOutMs: number | undefined
  const tick = () => o.progress.push({ ...monitor.progress, elapsedMs: Date.now() - o.started })
  const proc = d.backend.start({
    command: launch.command,
    args: launch.args,
    env: launch.env,
    cwd: spec.workspace,
    marker: spec.marker,
    deadlineMs: spec.settings.timeoutMs + WATCHDOG_MARGIN_MS,
    onStdout: (chunk) => {
      stream.write(chunk)
      monitor.push(chunk)
      tick()
    },
    onStderr: (c) => {
      errLog.write(c)
      stderr = (stderr + c.toString('utf8')).slice(-8192)
    }
  })
  if (o.signal.aborted) void proc.end()
  else o.signal.addEventListener('abort', () => void proc.end(), { once: true })
  await o.onStart(proc)
  const timer = setTimeout(() => {
    timedOutMs = spec.settings.timeoutMs
    void proc.end()
  }, spec.settings.timeoutMs)
  const ticker = setInterval(tick, 1000)
  const exit = await proc.exited
  clearTimeout(timer)
  clearInterval(ticker)
  o.progress.cancel()
  if (exit.error) stderr += `\n${exit.error}`
  await o.onExit()
  monitor.end()
  await new Promise((r) => stream.end(r))
  await new Promise((r) => errLog.end(r))
  // whatever the agent left running goes too
  await proc.sweep()
  await launch.dispose?.()
  return { exit: { code: exit.code, signal: exit.signal }, monitor, stderr, timedOutMs }
}
