/**
 * Credentials taken out of a run's evidence before any model reads it (src/shared/redact.ts has the
 * patterns): its trace (every event and sub-agent), its prompt, feedback and final answer, and its
 * output files' text; the claude -p evidence folder's copies of its session files. Always on a copy:
 * the stored sessions, runs and workspaces are never changed. Electron-free.
 */
import { constants, createWriteStream } from 'node:fs'
import { lstat, mkdir, open, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { finished } from 'node:stream/promises'
import { redactDeep, redactText, secretLiterals, type RedactOptions } from '../../shared/redact'
import { SAFE_READ_FLAGS } from '../base/safe-file'
import type { RunEvidence } from './evidence'

/** The app's secret values for a service that reaches the model with the API key in use, or with a port it was given (tests: no key). */
export const appSecretsOf = (d: { env: NodeJS.ProcessEnv; port?: unknown; apiAccess(): Promise<{ apiKey: string }> }) =>
  appSecretLiterals(d.env, async () => (d.port ? undefined : (await d.apiAccess()).apiKey))

/** How many secrets were taken out, per run number. */
export type Redactions = Map<number, number>

/** The app's secret values to take out wherever they appear: its environment's and the API key in use. */
export async function appSecretLiterals(env: NodeJS.ProcessEnv, apiKey?: () => Promise<string | undefined>): Promise<string[]> {
  // no key set (or none readable): no key to take out; the environment's values are taken out all the same
  const key = apiKey ? await apiKey().catch(() => undefined) : undefined
  return secretLiterals(env, [key])
}

/** A run's evidence with every secret taken out (a copy; parts with none are shared), and how many there were. */
export function redactRun<R extends RunEvidence>(run: R, opts: RedactOptions): { run: R; count: number } {
  let count = 0
  const text = (s: string) => {
    const r = redactText(s, opts)
    count += r.count
    return r.text
  }
  const trace = run.trace ? redactDeep(run.trace, opts) : null
  count += trace?.count ?? 0
  const out: R = {
    ...run,
    prompt: text(run.prompt),
    feedback: text(run.feedback),
    ...(run.result !== undefined ? { result: text(run.result) } : {}),
    trace: trace ? trace.value : run.trace,
    outputs: run.outputs.map((f) => (f.text === undefined ? f : { ...f, text: text(f.text) }))
  }
  return { run: out, count }
}

/** The total and the runs of a tally, for the report ("21 secrets redacted in runs 1, 2, 4"); none: undefined. */
export function redactionSummary(tally: Redactions): { count: number; runs: number[] } | undefined {
  const runs = [...tally].filter(([, n]) => n > 0).map(([r]) => r)
  const count = [...tally.values()].reduce((a, b) => a + b, 0)
  return count ? { count, runs: runs.sort((a, b) => a - b) } : undefined
}

/** One line of a session file redacted: each JSON string value (keys and layout kept), or the raw line when it is not JSON. */
export function redactJsonlLine(line: string, opts: RedactOptions): string {
  if (!line.trim()) return line
  try {
    const parsed: unknown = JSON.parse(line)
    const r = redactDeep(parsed, opts)
    return r.count ? JSON.stringify(r.value) : line
  } catch {
    return redactText(line, opts).text
  }
}

/**
 * Copies a session file (JSON lines) to `dest` with every secret taken out, line by line (a session of
 * any size). `src` must be a regular file (a link is followed only with followLink); returns why not
 * when it cannot be copied, else null.
 */
export async function copySessionRedacted(
  src: string,
  dest: string,
  opts: RedactOptions,
  how: { followLink?: boolean } = {}
): Promise<string | null> {
  try {
    const st = await (how.followLink ? stat(src) : lstat(src))
    if (st.isSymbolicLink()) return 'a symbolic link, not followed'
    if (!st.isFile()) return 'not a file'
    // opened without waiting and checked on the open file (a FIFO swapped in after the check never blocks)
    const fh = await open(src, how.followLink ? constants.O_RDONLY | constants.O_NONBLOCK : SAFE_READ_FLAGS)
    try {
      if (!(await fh.stat()).isFile()) return 'not a file'
      await mkdir(dirname(dest), { recursive: true })
      const out = createWriteStream(dest, { flags: 'wx' })
      const lines = createInterface({ input: fh.createReadStream({ encoding: 'utf8', autoClose: false }), crlfDelay: Infinity })
      for await (const line of lines)
        if (!out.write(`${redactJsonlLine(line, opts)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
      out.end()
      await finished(out)
      return null
    } finally {
      // the copy is written: a failure to close the source read changes nothing
      await fh.close().catch(() => {})
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ELOOP') return 'a symbolic link, not followed'
    return code === 'ENOENT' ? 'missing' : `could not be copied (${code ?? (e as Error).message})`
  }
}
