/** A new run of a batch, before it starts: the runner plans batches with it, a verification its pairs. Electron-free. */
import { randomUUID } from 'node:crypto'
import { emptyProgress, type Run, type RunSettings } from '../../shared/runs'

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

/** New runs for a batch: one per variation per repeat, numbered 1..n. */
export function planRuns(
  batchId: string,
  variations: { id?: string; difficulty?: Run['difficulty']; prompt: string }[],
  settings: RunSettings
): Run[] {
  const runs: Run[] = []
  for (const v of variations)
    for (let repeat = 1; repeat <= settings.repeats; repeat++) runs.push(queuedRun(batchId, runs.length + 1, v, repeat))
  return runs
}
