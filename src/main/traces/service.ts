/**
 * The sessions side of the app, as one service: finding a session (in Claude Code's folders, a folder
 * opened by hand, or the app's archive), its trace, the projects and their sessions, search, images,
 * pinning, indexing as an operation, and watching the folders for live changes. `app/` only wires it.
 *
 * What a blind verification keeps to itself (its runs' sessions and folders) is asked of `hidden`, given
 * by the composition root (the verify layer is above this one). Electron-free.
 */
import { realpath, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fail, type EventSink, type Handlers } from '../../shared/contract'
import { isSessionId, type Project, type SessionSummary, type Trace } from '../../shared/trace'
import { isInside } from '../base/paths'
import { errorFields, type Log } from '../log/log'
import type { Operations } from '../operations/registry'
import { archiveSession, materializeArchive } from '../store/archive'
import type { Store } from '../store/store'
import { listFolders } from './folders'
import { readImage } from './image'
import type { SessionIndex } from './indexer'
import { parseSessionFile } from './parse'
import { searchSessions } from './search'
import { watchSessions, type SessionWatcher } from './watcher'

/** What is not to be shown until a blind verification's last grade: which one it belongs to, if any, and the refusal. */
export interface Hidden {
  ofProject(p: { id?: string; cwd?: string }): string | undefined
  ofSession(s: { sessionId: string; projectId?: string; cwd?: string }): string | undefined
  refuse(owner: string): never
}

export interface TracesDeps {
  store: Store
  index: SessionIndex
  emit: EventSink
  operations: Operations
  log: Log
  hidden: Hidden
  /** the desktop app's folder dialog */
  pickFolder?: () => Promise<string | null>
  /** watch the session folders for live changes (the app does; the CLI does not) */
  watch?: boolean
}

export type TracesHandlers = Pick<
  Handlers,
  | 'listProjects'
  | 'pickFolder'
  | 'listFolders'
  | 'openFolder'
  | 'listSessions'
  | 'searchSessions'
  | 'getTrace'
  | 'getImage'
  | 'pinSession'
  | 'startIndex'
  | 'cancelJob'
>

export function createTracesService(d: TracesDeps) {
  const { store, index, emit, operations, log, hidden } = d

  /** Where a session file lives and which project it belongs to. */
  const locate = async (sessionId: string, projectId?: string) => {
    // Handlers call each other with ids from the store too: validated here as well as in the contract.
    if (!isSessionId(sessionId)) throw fail(`not a session id: ${JSON.stringify(String(sessionId).slice(0, 200))}`, 'invalid')
    const found = await index.findSession(sessionId, projectId)
    if (found) return { ...found, fromArchive: false }
    const archived = store.sessions.archive(sessionId)
    if (archived && (!projectId || archived.projectId === projectId)) {
      return { projectId: archived.projectId, file: await materializeArchive(store, sessionId), fromArchive: true }
    }
    throw fail(`session not found: ${sessionId}`, 'not-found')
  }

  const summaryOf = async (sessionId: string, projectId?: string): Promise<SessionSummary> => {
    const at = await locate(sessionId, projectId)
    const s = (await index.listSessions(at.projectId)).find((x) => x.sessionId === sessionId)
    if (!s) throw fail(`session not found: ${sessionId}`, 'not-found')
    return s
  }

  /** Files the app may read images from: session folders it knows, and its own data dir. */
  const readableRoots = () => [index.projectsRoot, ...store.index.openedFolders(), store.dataDir]

  const projectById = async (id: string): Promise<Project> => index.projectOf(await index.folder(id), await index.listSessions(id))

  /** A session's trace, for the app's own work (a verification's report reads its runs' traces while the person may not). */
  const readTrace = async (sessionId: string, projectId?: string): Promise<Trace> => {
    const at = await locate(sessionId, projectId)
    const trace = await parseSessionFile(at.file, { sessionId })
    return { ...trace, fromArchive: at.fromArchive }
  }

  /** where a session's file is, without parsing it (undefined when only the archive has it) */
  // a lookup that fails (an unknown project) is as not found: callers then read the trace, which says why
  const sessionFile = async (sessionId: string, projectId?: string) =>
    (await index.findSession(sessionId, projectId).catch(() => null))?.file

  /** Refuses a session of a blind verification's run (by its id, its project, or the folder it worked in). */
  const visibleSession = async (sessionId: string, projectId?: string) => {
    const direct = hidden.ofSession({ sessionId, projectId })
    if (direct) hidden.refuse(direct)
    // not found here (an unknown project): not readable either (readTrace's locate fails the same way), so nothing to hide
    const found = isSessionId(sessionId) ? await index.findSession(sessionId, projectId).catch(() => null) : null
    const archived = store.sessions.archive(sessionId)
    const of =
      (found && hidden.ofProject({ id: found.projectId, cwd: index.cached(found.file)?.cwd })) ||
      (archived && hidden.ofProject({ id: archived.projectId, cwd: archived.cwd }))
    if (of) hidden.refuse(of)
  }

  /** Refuses a project (Claude Code's folder of sessions for one working directory) a blind verification's run worked in. */
  const visibleProject = (p: { id?: string; cwd?: string }) => {
    const of = hidden.ofProject(p)
    if (of) hidden.refuse(of)
  }

  const startIndex = () => {
    const running = operations.running('index')[0]
    if (running) return { jobId: running.id }
    // indexing rebuilds a cache: nothing to resume or retry, so no record is kept
    const job = operations.start({ kind: 'index', persist: false }, async (op) => {
      const jobId = op.id
      emit('indexProgress', { jobId, phase: 'scanning', done: 0, total: 0, bytes: 0 })
      // progress to the screens at most every 100 ms; the end goes at once
      const progress = op.events<{ done: number; total: number; bytes: number }>((p) =>
        emit('indexProgress', { jobId, phase: 'indexing', ...p })
      )
      try {
        const totals = await index.indexAll({ signal: op.signal, onProgress: (p) => progress.push(p) })
        progress.cancel()
        emit('indexProgress', {
          jobId,
          phase: totals.cancelled ? 'cancelled' : 'done',
          done: totals.sessions,
          total: totals.sessions,
          bytes: totals.bytes,
          totals
        })
        emit('projectsChanged', {})
      } catch (err) {
        progress.cancel()
        log.error({ error: errorFields(err) }, 'indexing failed')
        emit('indexProgress', { jobId, phase: 'failed', done: 0, total: 0, bytes: 0, error: (err as Error).message })
        return { state: 'failed', error: (err as Error).message }
      }
    })
    return { jobId: job.id }
  }

  let watcher: SessionWatcher | null = null

  const handlers: TracesHandlers = {
    // a blind verification's run folders are not listed (their sessions would say each run's arm)
    listProjects: async () => (await index.listProjects()).filter((p) => !hidden.ofProject(p)),
    async pickFolder() {
      return { path: d.pickFolder ? await d.pickFolder() : null }
    },
    listFolders: ({ path }) => listFolders(path),
    async openFolder({ path }) {
      if (!isAbsolute(path)) throw fail(`give an absolute folder path: ${path}`, 'invalid')
      const dir = resolve(path)
      const st = await stat(dir).catch(() => null)
      // not there or not readable: refused as not a folder
      if (!st?.isDirectory()) throw fail(`not a folder: ${dir}`, 'not-found')
      visibleProject({ cwd: dir })
      // A folder inside Claude Code's own projects folder is that project.
      if (isInside(dir, index.projectsRoot) && dir !== index.projectsRoot) {
        const id = relative(index.projectsRoot, dir).split(sep)[0]
        visibleProject({ id })
        const p = await projectById(id)
        visibleProject(p)
        return p
      }
      const { files } = await index.sessionFiles(dir)
      if (files.length > 0) {
        // read-only: remembered for this process only
        if (await store.index.addOpenedFolder(dir)) {
          watcher?.add(dir)
          emit('projectsChanged', {})
        }
        return projectById(dir)
      }
      // A working directory Claude Code has sessions for.
      const match = (await handlers.listProjects({})).find((p) => p.cwd && resolve(p.cwd) === dir)
      if (match) return match
      throw fail(`No Claude Code sessions found for ${dir}: it holds no .jsonl session files, and no project was run there.`, 'not-found')
    },
    async listSessions({ projectId }) {
      visibleProject({ id: projectId })
      const sessions = await index.listSessions(projectId)
      for (const s of sessions) visibleProject({ cwd: s.cwd })
      return sessions
    },
    async searchSessions({ projectId, query, limit }) {
      visibleProject({ id: projectId })
      const sessions = await index.listSessions(projectId)
      for (const s of sessions) visibleProject({ cwd: s.cwd })
      const readable = await Promise.all(
        sessions.map(async (s) => (s.missing ? { ...s, file: await materializeArchive(store, s.sessionId) } : s))
      )
      return searchSessions(readable, query, limit ?? 200)
    },
    async getTrace({ sessionId, projectId }): Promise<Trace> {
      await visibleSession(sessionId, projectId)
      return readTrace(sessionId, projectId)
    },
    async getImage({ ref }) {
      // Only session files (.jsonl) inside the known folders, symbolic links resolved on both sides.
      const real = (p: string) => realpath(resolve(p)).catch(() => null)
      const file = ref.file.endsWith('.jsonl') ? await real(ref.file) : null
      const roots = await Promise.all(readableRoots().map(async (r) => (await real(r)) ?? resolve(r)))
      if (!file || !roots.some((root) => isInside(file, root))) throw fail('refused: image outside the session folders', 'forbidden')
      if (isInside(file, index.projectsRoot)) visibleProject({ id: relative(index.projectsRoot, file).split(sep)[0] })
      const img = await readImage({ ...ref, file })
      return { dataUrl: `data:${img.mediaType};base64,${img.data}` }
    },
    async pinSession({ sessionId, pinned }) {
      await visibleSession(sessionId)
      const at = await locate(sessionId)
      if (pinned) {
        if (!at.fromArchive) {
          const s = await index.sessionSummary(at.projectId, at.file)
          await archiveSession(store, { sessionId, projectId: at.projectId, file: at.file, cwd: s?.cwd })
        }
        await store.sessions.setPin({ sessionId, projectId: at.projectId, pinnedAt: new Date().toISOString() })
      } else {
        // Unpinning keeps the archive: nothing the user kept is deleted behind their back.
        await store.sessions.unpin(sessionId)
      }
      emit('sessionsChanged', { projectId: at.projectId, sessionIds: [sessionId] })
      return summaryOf(sessionId, at.projectId)
    },
    async startIndex() {
      return startIndex()
    },
    async cancelJob({ jobId }) {
      return { cancelled: operations.cancel(jobId) }
    }
  }

  /** The project id and session id a changed file belongs to. */
  const ownerOf = (file: string): { projectId: string; sessionId: string } | null => {
    let projectId: string
    let rest: string[]
    if (isInside(file, index.projectsRoot)) {
      const parts = relative(index.projectsRoot, file).split(sep)
      projectId = parts[0]
      rest = parts.slice(1)
    } else {
      const opened = store.index.openedFolders().find((dir) => isInside(file, dir))
      if (!opened) return null
      projectId = opened
      rest = relative(opened, file).split(sep)
    }
    if (rest.length === 0) return null
    // <id>.jsonl, or <id>/subagents/agent-*.jsonl
    const sessionId = rest.length === 1 ? basename(rest[0], '.jsonl') : rest[0]
    return { projectId, sessionId }
  }

  /** A changed session file: its summary refreshed (only what was appended), a pinned one archived again. */
  const refresh = async (file: string, owner: { projectId: string; sessionId: string }) => {
    const main = file.includes(`${sep}subagents${sep}`) ? join(dirname(dirname(dirname(file))), `${owner.sessionId}.jsonl`) : file
    await index
      .sessionSummary(owner.projectId, main)
      .catch((err) => log.warn({ sessionId: owner.sessionId, error: errorFields(err) }, 'a changed session could not be summarised'))
    if (store.sessions.pin(owner.sessionId))
      await archiveSession(store, { sessionId: owner.sessionId, projectId: owner.projectId, file: main }).catch((err) =>
        log.warn({ sessionId: owner.sessionId, error: errorFields(err) }, 'a pinned session could not be archived again')
      )
  }

  if (d.watch) {
    watcher = watchSessions([index.projectsRoot, ...store.index.openedFolders()], (files) => {
      void (async () => {
        const byProject = new Map<string, Set<string>>()
        for (const file of files) {
          const owner = ownerOf(file)
          if (!owner) continue
          await refresh(file, owner)
          const set = byProject.get(owner.projectId) ?? new Set()
          set.add(owner.sessionId)
          byProject.set(owner.projectId, set)
        }
        for (const [projectId, ids] of byProject) emit('sessionsChanged', { projectId, sessionIds: [...ids] })
        if (byProject.size) emit('projectsChanged', {})
      })()
    })
  }

  return {
    handlers,
    locate,
    readTrace,
    sessionFile,
    startIndex,
    visibleSession,
    /** resolves when the watcher is ready (immediately when not watching) */
    ready: watcher ? watcher.ready : Promise.resolve(),
    close: async () => {
      await watcher?.close()
    }
  }
}

export type TracesService = ReturnType<typeof createTracesService>
