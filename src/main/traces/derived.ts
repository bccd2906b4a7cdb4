/**
 * What is worked out from a run's trace (its metrics, whether it loaded a skill), kept until its
 * session file changes: the file's size and time are checked before anything is parsed, so reading a
 * batch's signals or a verification's report again parses only the traces that changed. A session
 * only the archive holds (no file to check) is parsed each time. Electron-free.
 */
import { stat } from 'node:fs/promises'
import type { Trace } from '../../shared/trace'

export interface TraceSource {
  /** the parsed trace of a session, from its file or the app's archive */
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** where a session's file is, without parsing it */
  sessionFile?(sessionId: string, projectId?: string): Promise<string | undefined>
}

/**
 * A reader of one thing derived from runs' traces, cached per run. `salt` says what else the value
 * depends on (a skill's name): a different salt computes it again.
 */
export function derivedFromTrace<T>(source: TraceSource) {
  const cache = new Map<string, { key: string; value: T }>()
  return async (
    run: { id: string; sessionId: string; projectId?: string },
    salt: string,
    compute: (trace: Trace) => T | Promise<T>
  ): Promise<T> => {
    // a file not found (or not looked at) only goes without the cache: readTrace below says why it cannot be read
    const file = await source.sessionFile?.(run.sessionId, run.projectId).catch(() => undefined)
    const st = file ? await stat(file).catch(() => null) : null
    const key = st ? `${file}|${st.size}|${st.mtimeMs}|${salt}` : undefined
    const hit = cache.get(run.id)
    if (key && hit?.key === key) return hit.value
    const value = await compute(await source.readTrace(run.sessionId, run.projectId))
    if (key) cache.set(run.id, { key, value })
    return value
  }
}
