/**
 * Discovery and indexing of Claude Code sessions.
 *
 * Projects are the folders under `<config>/projects/` (plus folders the user opened); a project's
 * sessions are the `*.jsonl` files directly inside it, with sub-agent transcripts in
 * `<session-id>/subagents/`. Each file's summary is cached by size and mtime (summary-cache.ts), so a
 * warm re-index reads nothing that did not change, and a file that grew is read only from where it was left.
 */
import { fail } from '../../shared/contract'
import { readdir, stat } from 'node:fs/promises'
import { basename, isAbsolute, join } from 'node:path'
import type { IndexTotals, Notice } from '../../shared/contract'
import { emptyUsage, isSessionId, type Project, type SessionSummary, type Usage } from '../../shared/trace'
import type { Log } from '../log/log'
import type { Store } from '../store/store'
import { sessionNumbers, type FileSummary } from './summary'
import { inThreadPool, type SummaryPool } from './summary-pool'
import { SummaryCache } from './summary-cache'
import { archivedMissing } from './archived-sessions'
import { runFolderOf } from './run-folder'
import { indexAll } from './index-all'
import { pool } from './pool'

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

const isJsonl = (name: string) => name.endsWith('.jsonl') && !name.startsWith('.')

export class SessionIndex {
  readonly projectsRoot: string
  private readonly cache: SummaryCache

  constructor(
    readonly configDir: string,
    private readonly store: Store,
    private readonly notices: Notice[] = [],
    private readonly summaries: SummaryPool = inThreadPool(),
    /** where a background save of the summary cache that failed is noted */
    log?: Log
  ) {
    this.projectsRoot = join(configDir, 'projects')
    this.cache = new SummaryCache(store, summaries, notices, log)
  }

  /** bytes actually read by summarizers since the index was created (0 on a warm re-index) */
  get bytesRead(): number {
    return this.cache.bytesRead
  }

  load(): Promise<void> {
    return this.cache.load()
  }

  /** Persist the cache (atomically: write a temp file, then rename). */
  save(): Promise<void> {
    return this.cache.save()
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

  /** Summary of one file, from the cache when unchanged, read from its checkpoint when it grew. */
  indexFile(projectId: string, file: string): Promise<FileSummary | null> {
    return this.cache.summarize(projectId, file)
  }

  /** Sub-agent transcripts of a session: their usage, cost and tool calls count toward the session. */
  private async subagentTotals(projectId: string, file: string) {
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
    return { usage, costUsd, toolCalls, toolErrors, models, count: files.length }
  }

  async sessionSummary(projectId: string, file: string): Promise<SessionSummary | null> {
    const s = await this.indexFile(projectId, file)
    if (!s) return null
    const sessionId = s.sessionId || basename(file, '.jsonl')
    const sub = await this.subagentTotals(projectId, file)
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
    const present = new Set(out.map((s) => s.sessionId))
    out.push(...archivedMissing(this.store, (file) => this.cache.get(file), projectId, present))
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
      run: runFolderOf(this.store, latest.find((s) => s.cwd)?.cwd)
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
  indexAll(opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}): Promise<IndexTotals> {
    return indexAll(
      {
        projectFolders: () => this.projectFolders(),
        sessionFiles: (dir) => this.sessionFiles(dir),
        indexFile: (projectId, file) => this.indexFile(projectId, file),
        listSessions: (projectId, o) => this.listSessions(projectId, o),
        bytesRead: () => this.bytesRead,
        save: () => this.save(),
        warn: (message) => this.warn(message),
        concurrency: this.summaries.concurrency
      },
      opts
    )
  }

  /** Find a session file by id, across all projects (and opened folders). */
  async findSession(sessionId: string, projectId?: string): Promise<{ projectId: string; file: string } | null> {
    // The id comes from outside: it is looked up among the session files listed, never joined into a path.
    if (!isSessionId(sessionId)) return null
    for (const [file, e] of this.cache.all())
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
    return this.cache.cached(file)
  }
}
