/**
 * Code under test run in a child process (TypeScript from source, through tsx), so that a hang is a
 * failure instead of a stuck test run, an abort is an exit code, and memory is the child's own.
 * A child still running at the deadline is killed (SIGKILL: a stuck child may ignore SIGTERM).
 */
import { spawn } from 'node:child_process'
import { REPO } from './claude-harness'

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** killed at the deadline: it hung */
  hung: boolean
}

/** A child running `script`: its output so far, a way to stop it, and how it ended. */
export interface RunningChild {
  output(): string
  /** resolves once the child has printed a line that matches `re` (or ended: then null) */
  waitFor(re: RegExp): Promise<RegExpExecArray | null>
  kill(): void
  result: Promise<ChildResult>
}

/** Start `script` (an ES module body; top-level await works) with the repo as its working directory. */
export function startChild(script: string, opts: { deadlineMs?: number; env?: Record<string, string> } = {}): RunningChild {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  const waiting = new Set<() => void>()
  child.stdout.on('data', (c) => {
    stdout += c
    for (const w of waiting) w()
  })
  child.stderr.on('data', (c) => (stderr += c))
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    child.kill('SIGKILL')
  }, opts.deadlineMs ?? 120_000)
  const result = new Promise<ChildResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, hung })
      for (const w of waiting) w()
    })
  })
  let ended = false
  void result.then(() => (ended = true))
  return {
    output: () => stdout,
    waitFor: (re) =>
      new Promise((resolve) => {
        const check = () => {
          const m = re.exec(stdout)
          if (m || ended || child.exitCode !== null || child.signalCode !== null) {
            waiting.delete(check)
            resolve(m)
          }
        }
        waiting.add(check)
        check()
      }),
    kill: () => void child.kill('SIGKILL'),
    result
  }
}

/** Run `script` to its end (or its deadline). */
export const runChild = (script: string, opts: { deadlineMs?: number; env?: Record<string, string> } = {}): Promise<ChildResult> =>
  startChild(script, opts).result

/** The last line of a child's stdout, as JSON (the child prints its result last). */
export function lastJson<T = unknown>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]) as T
}

/** Module specifier of a source file, for `await import(...)` in a child script. */
export const src = (path: string) => JSON.stringify(`${REPO}/${path}`)

/**
 * Declares `peakRss()` in a child script: the process's peak resident memory in bytes (VmHWM of
 * /proc/self/status, Linux), the high-water mark, so a spike between two samples is not missed.
 */
export const PEAK_RSS = `import { readFileSync as readProcFile } from 'node:fs'
const peakRss = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(readProcFile('/proc/self/status', 'utf8'))?.[1] ?? -1) * 1024
`
