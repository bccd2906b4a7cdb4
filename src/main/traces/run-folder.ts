/** Which batch, task and run of the app a project folder (a session's working folder) belongs to. */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { Project } from '../../shared/trace'
import type { Store } from '../store/store'
import { blindFolderSession } from '../base/run-folders'

/**
 * The batch, task and run of a folder the app ran a run in (`<data>/workspaces/<batch>/run-<n>-<session>`,
 * or a verification's `blind-<session>`: never named by its deck number).
 */
export function runFolderOf(store: Store, cwd: string | undefined): Project['run'] {
  if (!cwd) return undefined
  const parts = relative(resolve(store.dataDir, 'workspaces'), resolve(cwd)).split(sep)
  if (parts.length !== 2 || isAbsolute(parts[0]) || parts[0] === '..') return undefined
  const m = parts[1].match(/^run-(\d+)(?:-(.*))?$/)
  const blindSession = m ? undefined : blindFolderSession(parts[1])
  if (!m && !blindSession) return undefined
  // the batch's head in the store's index: no batch document is read
  const batch = store.batches.head(parts[0])
  const task = batch?.taskId ? store.index.task(batch.taskId) : undefined
  const run = m ? batch?.runs.find((r) => r.number === Number(m[1])) : batch?.runs.find((r) => r.sessionId.startsWith(blindSession!))
  const earlier = m ? run && m[2] && !run.sessionId.startsWith(m[2]) : !run && !!batch
  const number = m ? Number(m[1]) : run?.number
  return {
    batchId: parts[0],
    batch: batch?.name,
    task: task?.name,
    ...(number !== undefined ? { number } : {}),
    state: earlier ? 'earlier attempt' : run?.state
  }
}
