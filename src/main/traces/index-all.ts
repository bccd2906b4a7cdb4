/** Indexing every session of every project at once: what `trace2skill index` and the app's start run. */
import type { IndexTotals } from '../../shared/contract'
import type { SessionSummary } from '../../shared/trace'
import { totalTokens } from '../../shared/numbers'
import type { FileSummary } from './summary'
import { pool } from './pool'
import type { IndexProgress, ProjectFolder } from './indexer'

export interface IndexAllDeps {
  projectFolders(): Promise<ProjectFolder[]>
  sessionFiles(dir: string): Promise<{ files: string[] }>
  indexFile(projectId: string, file: string): Promise<FileSummary | null>
  listSessions(projectId: string, opts: { signal?: AbortSignal }): Promise<SessionSummary[]>
  /** bytes read by the summarizers so far */
  bytesRead(): number
  save(): Promise<void>
  /** a warning for the person, once */
  warn(message: string): void
  /** files summarized at once */
  concurrency: number
}

/** Index every session of every project; the totals the CLI's `index` prints. */
export async function indexAll(
  d: IndexAllDeps,
  opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}
): Promise<IndexTotals> {
  const started = performance.now()
  const readBefore = d.bytesRead()
  const folders = await d.projectFolders()
  const perFolder = await Promise.all(folders.map((f) => d.sessionFiles(f.dir)))
  const total = perFolder.reduce((n, f) => n + f.files.length, 0)
  let done = 0
  let bytes = 0
  const totals: IndexTotals = {
    projects: 0,
    sessions: 0,
    bytes: 0,
    bytesRead: 0,
    toolCalls: 0,
    toolErrors: 0,
    tokens: 0,
    costUsd: 0,
    seconds: 0,
    cancelled: false,
    warnings: 0
  }
  opts.onProgress?.({ done, total, bytes })
  // Summarize every file across all projects through one pool (all cores busy), then list.
  const work = folders.flatMap((f, i) => perFolder[i].files.map((file) => ({ projectId: f.id, file })))
  await pool(
    work,
    d.concurrency,
    async ({ projectId, file }) => {
      // a file that cannot be summarized here is tried again by the listing below, which warns of it
      const s = await d.indexFile(projectId, file).catch(() => null)
      done++
      bytes += s?.bytes ?? 0
      if (done % 25 === 0 || done === total) opts.onProgress?.({ done, total, bytes })
    },
    opts.signal
  )
  for (const folder of folders) {
    if (opts.signal?.aborted) break
    let sessions: SessionSummary[]
    try {
      sessions = await d.listSessions(folder.id, { signal: opts.signal })
    } catch (err) {
      d.warn(`Cannot read project ${folder.dir}: ${(err as Error).message}`)
      continue
    }
    totals.projects++
    for (const s of sessions) {
      if (s.missing) continue
      totals.sessions++
      totals.bytes += s.bytes
      totals.toolCalls += s.toolCalls
      totals.toolErrors += s.toolErrors
      totals.tokens += totalTokens(s.usage)
      totals.costUsd += s.costUsd
      totals.warnings += s.warnings
    }
  }
  totals.cancelled = !!opts.signal?.aborted
  totals.bytesRead = d.bytesRead() - readBefore
  totals.seconds = (performance.now() - started) / 1000
  await d.save()
  return totals
}
