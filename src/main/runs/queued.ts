/** A new run of a batch, before it starts: the runner plans batches with it, a verification its pairs. Electron-free. */
import { randomUUID } from 'node:crypto'
import { emptyProgress, type Run } from '../../shared/runs'

/** A run of a batch, queued and not yet started (a new session id: retrying gives it another). */
export function queuedRun(
  batchId: string,
  number: number,
  v: { id?: string; difficulty?: Run['difficulty']; prompt: string },
  repeat: number
): Run {
  return {
    id: randomUUID(),
    batchId,
    number,
    variationId: v.id,
    difficulty: v.difficulty,
    prompt: v.prompt,
    repeat,
    state: 'queued',
    sessionId: randomUUID(),
    progress: emptyProgress(),
    files: [],
    screenshots: [],
    imported: false
  }
}
