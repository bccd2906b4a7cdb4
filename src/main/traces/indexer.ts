/**
 * Discovery and indexing of Claude Code sessions.
 *
 * Projects are the folders under `<config>/projects/` (plus folders the user opened); a project's
 * sessions are the `*.jsonl` files directly inside it, with sub-agent transcripts in
 * `<session-id>/subagents/`. Each file's summary is cached by size and mtime, so a warm re-index reads
 * nothing that did not change, and a file that grew is read only from where it was left.
 */
import { fail } from '../../shared/contract'
import { readdir, stat, mkdir } from 'node:fs/promises'
import writeFileAtomic from 'write-file-atomic'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { z } from 'zod'
import PQueue from 'p-queue'
import type { IndexTotals, Notice } from '../../shared/contract'
import { emptyUsage, isSessionId, type Project, type SessionSummary, type Usage } from '../../shared/trace'
import { totalTokens } from '../../shared/numbers'
import { readSideFile, type Store } from '../store/store'
import { sessionNumbers, SUMMARY_VERSION, type FileSummary } from './summary'
import { inThreadPool, type SummaryPool } from './summary-pool'
import { blindFolderSession } from '../base/run-folders'

const CACHE_FILE = 'index-cache.json'

const CacheEntrySchema = z.object({
  projectId: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  summary: z.custom<FileSummary>((v) => typeof v === 'object' && v !== null)
})
type CacheEntry = z.infer<typeof CacheEntrySchema>
const CacheSchema = z.object({ schema: z.literal(1), summaryVersion: z.number().optional(), files: z.record(z.string(), CacheEntrySchema) })

export interface ProjectFolder {
  id: string
  dir: string
  opened: boolean
}

export interface IndexProgress {
  done: number
  total: number
  bytes: number
}

const addUsage = (a: Usage, b: Usage): Usage => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheRead: a.cacheRead + b.cacheRead,
  cacheCreation: a.cacheCreation + b.cacheCreation
})

/** Run `fn` over items with at most `n` in flight; stops taking new items once `signal` aborts. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const queue = new PQueue({ concurrency: Math.max(1, n) })
  await Promise.all(items.map((item) => queue.add(async () => (signal?.aborted ? undefined : fn(item)))))
}

const isJsonl = (name: string) => name.endsWith('.jsonl') && !name.startsWith('.')

export class SessionIndex {
  readonly projectsRoot: string
  private readonly cache = new Map<string, CacheEntry>()
  private readonly cacheFile: string
  private saveTimer: NodeJS.Timeout | null = null
  private dirty = false
  /** bytes actually read by summarizers since the index was created (0 on a warm re-index) */
  bytesRead = 0

  constructor(
    readonly configDir: string,
    private readonly store: Store,
    private readonly notices: Notice[] = [],
    private readonly summaries: SummaryPool = inThreadPool()
  ) {
    this.projectsRoot = join(configDir, 'projects')
    this.cacheFile = join(store.dataDir, CACHE_FILE)
  }

  async load(): Promise<void> {
    const data = await readSideFile(this.cacheFile, CacheSchema, 'session index cache', this.notices, this.store.readOnly)
    // Summaries made by another version of the summarizer are recomputed, not trusted.
    if (data && data.summaryVersion === SUMMARY_VERSION) for (const [file, entry] of Object.entries(data.files)) this.cache.set(file, entry)
  }

  /** Persist the cache (atomically: write a temp file, then rename). */
  async save(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    if (!this.dirty) return
    this.dirty = false
    await mkdir(this.store.dataDir, { recursive: true })
    // A unique temp name: another trace2skill (a read-only CLI command) may save the cache at once.
    await writeFileAtomic(
      this.cacheFile,
      JSON.stringify({ schema: 1, summaryVersion: SUMMARY_VERSION, files: Object.fromEntries(this.cache) })
    )
  }

  private scheduleSave(): void {
    this.dirty = true
    if (!this.saveTimer) this.saveTimer = setTimeout(() => void this.save().catch(() => {}), 2000)
  }

  async dispose(): Promise<void> {
    await this.save()
    await this.summaries.close()
  }

  async projectFolders(): Promise<ProjectFolder[]> {
    const out: ProjectFolder[] = []
    let names: string[] = []
    try {
      const entries = await readdir(this.projectsRoot, { withFileTypes: true })
      names = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') this.warn(`Cannot read ${this.projectsRoot}: ${code ?? (err as Error).message}`)
    }
    for (const name of names.sort()) out.push({ id: name, dir: join(this.projectsRoot, name), opened: false })
    for (const dir of this.store.index.openedFolders()) out.push({ id: dir, dir, opened: true })
    return out
  }

  /**
   * A project by its id, which comes from outside: it must be one of the known ids (a folder listed
   * under projects/, an opened folder, or a project whose sessions are archived), never a path to join.
   */
  async folder(projectId: string): Promise<ProjectFolder> {
    const shown = JSON.stringify(projectId.slice(0, 200))
    if (isAbsolute(projectId)) {
      if (!this.store.index.openedFolders().includes(projectId)) throw fail(`folder not opened: ${shown}`, 'not-found')
      return { id: projectId, dir: projectId, opened: true }
    }
    if (/[/\\\u0000-\u001f]/.test(projectId) || projectId.startsWith('.') || projectId in Object.prototype)
      throw fail(`not a project id: ${shown}`, 'invalid')
    const known = (await this.projectFolders()).find((f) => f.id === projectId && !f.opened)
    if (known) return known
    // a project whose folder is gone, with sessions kept in the archive
    if (this.hasArchives(projectId)) return { id: projectId, dir: join(this.projectsRoot, projectId), opened: false }
    throw fail(`no such project: ${shown}`, 'not-found')
  }

  private warn(message: string): void {
    if (!this.notices.some((n) => n.message === message)) this.notices.push({ level: 'warning', message })
  }

  async sessionFiles(dir: string): Promise<{ files: string[]; error?: string }> {
    try {
      const entries = await readdir(dir, { withFileTypes: true })
      return {
        files: entries
          .filter((e) => e.isFile() && isJsonl(e.name))
          .map((e) => join(dir, e.name))
          .sort()
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      return { files: [], error: `Cannot read ${dir}: ${code}` }
    }
  }

  /** Reads of a file in flight: a second caller waits for the first, then finds the cache fresh. */
  private readonly reading = new Map<string, Promise<FileSummary | null>>()

  /** Summary of one file, from the cache when unchanged, read from its checkpoint when it grew. */
  indexFile(projectId: string, file: string): Promise<FileSummary | null> {
    // the watcher and a listing can ask at once: one at a time per file, so no byte is read twice
    const next = (this.reading.get(file) ?? Promise.resolve(null)).catch(() => null).then(() => this.indexFileNow(projectId, file))
    this.reading.set(file, next)
    void next.finally(() => this.reading.get(file) === next && this.reading.delete(file)).catch(() => {})
    return next
  }

  private async indexFileNow(projectId: string, file: string): Promise<FileSummary | null> {
    let st
    try {
      st = await stat(file)
    } catch {
      this.cache.delete(file)
      return null
    }
    const hit = this.cache.get(file)
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      if (hit.projectId !== projectId) hit.projectId = projectId
      return hit.summary
    }
    const prev = hit && st.size >= hit.size ? hit.summary.checkpoint : undefined
    const summary = await this.summaries.summarize(file, prev)
    this.bytesRead += Math.max(0, st.size - (prev?.offset ?? 0))
    this.cache.set(file, { projectId, size: st.size, mtimeMs: st.mtimeMs, summary })
    this.scheduleSave()
    return summary
  }

  /** Sub-agent transcripts of a session: their usage, cost and tool calls count toward the session. */
  private async subagentTotals(projectId: string, file: string, sessionId: string) {
    const dir = join(file.slice(0, -'.jsonl'.length), 'subagents')
    const { files } = await this.sessionFiles(dir)
    let usage = emptyUsage()
    let costUsd = 0
    let toolCalls = 0
    let toolErrors = 0
    const models = new Set<string>()
    for (const f of files) {
      const s = await this.indexFile(projectId, f)
      if (!s) continue
      usage = addUsage(usage, s.usage)
      costUsd += s.costUsd
      toolCalls += s.toolCalls
      toolErrors += s.toolErrors
      s.models.forEach((m: string) => models.add(m))
    }
    void sessionId
    return { usage, costUsd, toolCalls, toolErrors, models, count: files.length }
  }

  async sessionSummary(projectId: string, file: string): Promise<SessionSummary | null> {
    const s = await this.indexFile(projectId, file)
    if (!s) return null
    const sessionId = s.sessionId || basename(file, '.jsonl')
    const sub = await this.subagentTotals(projectId, file, sessionId)
    // own keys only: a file named constructor.jsonl is not pinned by Object.prototype
    const pinned = !!this.store.sessions.pin(sessionId)
    const archived = !!this.store.sessions.archive(sessionId)
    return {
      sessionId,
      projectId,
      file,
      cwd: s.cwd,
      firstPrompt: s.firstPrompt,
      start: s.start,
      end: s.end,
      durationMs: s.durationMs,
      // turns, prompts, tool calls and errors, usage, cost: src/shared/numbers.ts
      ...sessionNumbers(s, sub),
      models: [...new Set([...s.models, ...sub.models])],
      bytes: s.bytes,
      lines: s.lines,
      subagents: Math.max(s.subagents, sub.count),
      gitBranch: s.gitBranch,
      version: s.version,
      warnings: s.warnings,
      pinned,
      archived,
      missing: false
    }
  }

  /** Archived sessions of a project whose original file is gone, from the last summary we had. */
  private archivedMissing(projectId: string, present: Set<string>): SessionSummary[] {
    const out: SessionSummary[] = []
    for (const a of this.store.sessions.archives()) {
      if (a.projectId !== projectId || present.has(a.sessionId)) continue
      const s = this.cache.get(a.originalFile)?.summary
      out.push({
        sessionId: a.sessionId,
        projectId,
        file: a.originalFile,
        cwd: a.cwd ?? s?.cwd,
        firstPrompt: s?.firstPrompt ?? '',
        start: s?.start,
        end: s?.end,
        durationMs: s?.durationMs ?? 0,
        turns: s?.turns ?? 0,
        prompts: s?.prompts,
        toolCalls: s?.toolCalls ?? 0,
        toolErrors: s?.toolErrors ?? 0,
        models: s?.models ?? [],
        usage: s?.usage ?? emptyUsage(),
        costUsd: s?.costUsd ?? 0,
        costSource: s?.costSource,
        bytes: s?.bytes ?? a.sourceSize,
        lines: s?.lines ?? 0,
        subagents: a.subagents.filter((x) => x.name.endsWith('.jsonl')).length,
        gitBranch: s?.gitBranch,
        version: s?.version,
        warnings: s?.warnings ?? 0,
        pinned: !!this.store.sessions.pin(a.sessionId),
        archived: true,
        missing: true
      })
    }
    return out
  }

  async listSessions(projectId: string, opts: { signal?: AbortSignal; onFile?: (bytes: number) => void } = {}): Promise<SessionSummary[]> {
    const folder = await this.folder(projectId)
    const { files, error } = await this.sessionFiles(folder.dir)
    if (error && !(error.includes('ENOENT') && this.hasArchives(projectId))) {
      if (error.includes('ENOENT')) throw fail(`no such project: ${projectId}`, 'not-found')
      this.warn(error)
    }
    const out: SessionSummary[] = []
    await pool(
      files,
      this.summaries.concurrency,
      async (file) => {
        const s = await this.sessionSummary(projectId, file)
        if (s) out.push(s)
        opts.onFile?.(s?.bytes ?? 0)
      },
      opts.signal
    )
    out.push(...this.archivedMissing(projectId, new Set(out.map((s) => s.sessionId))))
    return out.sort((a, b) => (b.end ?? '').localeCompare(a.end ?? ''))
  }

  private hasArchives(projectId: string): boolean {
    return this.store.sessions.archives().some((a) => a.projectId === projectId)
  }

  /** A project as shown in the picker, from its session summaries. */
  projectOf(folder: ProjectFolder, sessions: SessionSummary[]): Project {
    const latest = [...sessions].sort((a, b) => (b.end ?? '').localeCompare(a.end ?? ''))
    return {
      id: folder.id,
      dir: folder.dir,
      cwd: latest.find((s) => s.cwd)?.cwd,
      sessions: sessions.length,
      lastActivity: latest[0]?.end,
      bytes: sessions.reduce((n, s) => n + s.bytes, 0),
      opened: folder.opened,
      run: this.runFolderOf(latest.find((s) => s.cwd)?.cwd)
    }
  }

  /**
   * The batch, task and run of a folder the app ran a run in (`<data>/workspaces/<batch>/run-<n>-<session>`,
   * or a verification's `blind-<session>`: never named by its deck number).
   */
  private runFolderOf(cwd: string | undefined): Project['run'] {
    if (!cwd) return undefined
    const parts = relative(resolve(this.store.dataDir, 'workspaces'), resolve(cwd)).split(sep)
    if (parts.length !== 2 || isAbsolute(parts[0]) || parts[0] === '..') return undefined
    const m = parts[1].match(/^run-(\d+)(?:-(.*))?$/)
    const blindSession = m ? undefined : blindFolderSession(parts[1])
    if (!m && !blindSession) return undefined
    // the batch's head in the store's index: no batch document is read
    const batch = this.store.batches.head(parts[0])
    const task = batch?.taskId ? this.store.index.task(batch.taskId) : undefined
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

  async listProjects(signal?: AbortSignal): Promise<Project[]> {
    const out: Project[] = []
    for (const folder of await this.projectFolders()) {
      if (signal?.aborted) break
      try {
        const sessions = await this.listSessions(folder.id, { signal })
        // A folder without a session is not a project (yet): Claude Code makes a run's folder, then its
        // session file, empty at first. A folder the person opened stays, whatever it holds.
        if (!folder.opened && !sessions.some((s) => s.bytes > 0 || s.archived)) continue
        out.push(this.projectOf(folder, sessions))
      } catch (err) {
        this.warn(`Cannot read project ${folder.dir}: ${(err as Error).message}`)
      }
    }
    return out.sort((a, b) => (b.lastActivity ?? '').localeCompare(a.lastActivity ?? ''))
  }

  /** Index every session of every project; the totals the CLI's `index` prints. */
  async indexAll(opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}): Promise<IndexTotals> {
    const started = performance.now()
    const readBefore = this.bytesRead
    const folders = await this.projectFolders()
    const perFolder = await Promise.all(folders.map((f) => this.sessionFiles(f.dir)))
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
      this.summaries.concurrency,
      async ({ projectId, file }) => {
        const s = await this.indexFile(projectId, file).catch(() => null)
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
        sessions = await this.listSessions(folder.id, { signal: opts.signal })
      } catch (err) {
        this.warn(`Cannot read project ${folder.dir}: ${(err as Error).message}`)
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
    totals.bytesRead = this.bytesRead - readBefore
    totals.seconds = (performance.now() - started) / 1000
    await this.save()
    return totals
  }

  /** Find a session file by id, across all projects (and opened folders). */
  async findSession(sessionId: string, projectId?: string): Promise<{ projectId: string; file: string } | null> {
    // The id comes from outside: it is looked up among the session files listed, never joined into a path.
    if (!isSessionId(sessionId)) return null
    for (const [file, e] of this.cache)
      if (e.summary.sessionId === sessionId && (!projectId || e.projectId === projectId) && !file.includes('/subagents/')) {
        const ok = await stat(file).then(
          () => true,
          () => false
        )
        if (ok) return { projectId: e.projectId, file }
      }
    const folders = projectId ? [await this.folder(projectId)] : await this.projectFolders()
    const name = `${sessionId}.jsonl`
    for (const f of folders) {
      const file = (await this.sessionFiles(f.dir)).files.find((x) => basename(x) === name)
      if (file) return { projectId: f.id, file }
    }
    return null
  }

  /** A cached summary of a file, if indexed. */
  cached(file: string): FileSummary | undefined {
    return this.cache.get(resolve(file))?.summary ?? this.cache.get(file)?.summary
  }
}
