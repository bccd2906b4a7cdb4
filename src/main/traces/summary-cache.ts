/**
 * The session index's cache of file summaries, kept by size and mtime in `<data>/index-cache.json`:
 * a warm re-index reads nothing that did not change, and a file that grew is read only from where it
 * was left (its summary's checkpoint).
 */
import { mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { z } from 'zod'
import type { Notice } from '../../shared/contract'
import { errorFields, silentLog, type Log } from '../log/log'
import { readSideFile, type Store } from '../store/store'
import { SUMMARY_VERSION, type FileSummary } from './summary'
import type { SummaryPool } from './summary-pool'

const CACHE_FILE = 'index-cache.json'

const CacheEntrySchema = z.object({
  projectId: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  summary: z.custom<FileSummary>((v) => typeof v === 'object' && v !== null)
})
export type CacheEntry = z.infer<typeof CacheEntrySchema>
const CacheSchema = z.object({ schema: z.literal(1), summaryVersion: z.number().optional(), files: z.record(z.string(), CacheEntrySchema) })

export class SummaryCache {
  private readonly entries = new Map<string, CacheEntry>()
  private readonly file: string
  private saveTimer: NodeJS.Timeout | null = null
  private dirty = false
  /** bytes actually read by summarizers since the cache was created (0 on a warm re-index) */
  bytesRead = 0
  /** Reads of a file in flight: a second caller waits for the first, then finds the cache fresh. */
  private readonly reading = new Map<string, Promise<FileSummary | null>>()

  constructor(
    private readonly store: Store,
    private readonly summaries: SummaryPool,
    private readonly notices: Notice[],
    private readonly log: Log = silentLog()
  ) {
    this.file = join(store.dataDir, CACHE_FILE)
  }

  async load(): Promise<void> {
    const data = await readSideFile(this.file, CacheSchema, 'session index cache', this.notices, this.store.readOnly)
    // Summaries made by another version of the summarizer are recomputed, not trusted.
    if (data && data.summaryVersion === SUMMARY_VERSION)
      for (const [file, entry] of Object.entries(data.files)) this.entries.set(file, entry)
  }

  /** Persist the cache (atomically: write a temp file, then rename). */
  async save(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    if (!this.dirty) return
    this.dirty = false
    try {
      await mkdir(this.store.dataDir, { recursive: true })
      // A unique temp name: another trace2skill (a read-only CLI command) may save the cache at once.
      await writeFileAtomic(
        this.file,
        JSON.stringify({ schema: 1, summaryVersion: SUMMARY_VERSION, files: Object.fromEntries(this.entries) })
      )
    } catch (err) {
      // still to be saved: the next save tries again
      this.dirty = true
      throw err
    }
  }

  private scheduleSave(): void {
    this.dirty = true
    // the cache only saves reading: a save that fails here is tried again by the next one and by dispose()
    // (whose failure its caller hears of); until then nothing is lost but a re-read of what changed
    if (!this.saveTimer)
      this.saveTimer = setTimeout(
        () =>
          void this.save().catch((e) =>
            this.log.warn({ file: this.file, error: errorFields(e) }, 'the session index cache could not be saved')
          ),
        2000
      )
  }

  /** Summary of one file, from the cache when unchanged, read from its checkpoint when it grew. */
  summarize(projectId: string, file: string): Promise<FileSummary | null> {
    // the watcher and a listing can ask at once: one at a time per file, so no byte is read twice
    // (the first caller gets the first read's error; the second reads again)
    const next = (this.reading.get(file) ?? Promise.resolve(null)).catch(() => null).then(() => this.summarizeNow(projectId, file))
    this.reading.set(file, next)
    void next.finally(() => this.reading.get(file) === next && this.reading.delete(file)).catch(() => {})
    return next
  }

  private async summarizeNow(projectId: string, file: string): Promise<FileSummary | null> {
    let st
    try {
      st = await stat(file)
    } catch {
      // gone (or unreadable): no summary, and none kept
      this.entries.delete(file)
      return null
    }
    const hit = this.entries.get(file)
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      if (hit.projectId !== projectId) hit.projectId = projectId
      return hit.summary
    }
    const prev = hit && st.size >= hit.size ? hit.summary.checkpoint : undefined
    const summary = await this.summaries.summarize(file, prev)
    this.bytesRead += Math.max(0, st.size - (prev?.offset ?? 0))
    this.entries.set(file, { projectId, size: st.size, mtimeMs: st.mtimeMs, summary })
    this.scheduleSave()
    return summary
  }

  /** The cached summary of a file, if indexed. */
  get(file: string): FileSummary | undefined {
    return this.entries.get(file)?.summary
  }

  /** Every cached file and its entry. */
  all(): IterableIterator<[string, CacheEntry]> {
    return this.entries.entries()
  }

  /** A cached summary by the file's path as given or resolved. */
  cached(file: string): FileSummary | undefined {
    return this.entries.get(resolve(file))?.summary ?? this.entries.get(file)?.summary
  }
}
