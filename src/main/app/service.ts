/**
 * The app's core service: every contract request implemented over the Electron-free domains
 * (traces, store). The Electron shell, the web bridge, the CLI and the tests all drive this.
 */
import { existsSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { AppInfo, Notice } from '../../shared/contract'
import { isSessionId, type Project, type SessionSummary, type Trace } from '../../shared/trace'
import type { Run } from '../../shared/runs'
import type { Verification } from '../../shared/verify'
import { archiveSession, materializeArchive } from '../store/archive'
import { openStore, type Store } from '../store/store'
import { readImage } from '../traces/image'
import { SessionIndex } from '../traces/indexer'
import { inThreadPool, workerPool } from '../traces/summary-pool'
import { parseSessionFile } from '../traces/parse'
import { searchSessions } from '../traces/search'
import { watchSessions, type SessionWatcher } from '../traces/watcher'
import { codeOf, fail, createEventHub, type EventHub, type EventSink, type Handlers } from './dispatch'
import { isInside } from './guards'
import { Operations } from '../operations/registry'
import { createReviewHandlers } from './review-handlers'
import { createSkillsHandlers } from './skills-handlers'
import type { ModelPort } from '../analysts/model'
import { imageWorkerPool, inThreadImages } from '../analysts/image-pool'
import { createModelAccess, createRunHandlers, memorySecrets, type SecretStore } from './runs-handlers'
import { BatchRunner } from '../runs/runner'
import type { ScreenshotPort } from '../runs/screenshots'
import { createVerifyService, type VerifyService } from '../verify/service'
import type { RandomInt } from '../verify/plan'
import { listFolders } from './folders'
import { createBlindness, type Blindness } from '../verify/blind'
import { batchSignals } from '../analysts/signals'
import { errorFields, openLog, silentLog, type Log, type OpenLog } from '../log/log'

/**
 * The hub as everything else sees it: a run of a blind verification is pushed without what tells its
 * arm (its session, numbers, the tool it is in), a blind verification without its arms, and its
 * runs' session files changing not at all.
 */
function blindEvents(hub: EventHub, blind: Blindness): EventHub {
  const emit: EventSink = (event, payload) => {
    const p = payload as { run?: Run; verification?: Verification; projectId?: string }
    if (event === 'runProgress' && p.run) return hub.emit('runProgress', { run: blind.run(p.run) })
    if (event === 'verificationProgress' && p.verification)
      return hub.emit('verificationProgress', { verification: blind.verification(p.verification) })
    // a blind run's session changing (its file written as it runs) is not announced: its id would be tied to the run by the moment
    if (event === 'sessionsChanged' && p.projectId && blind.ofProject({ id: p.projectId })) return
    hub.emit(event, payload)
  }
  return { subscribe: hub.subscribe, emit }
}

export interface ServiceOptions {
  configDir: string
  dataDir: string
  mode: AppInfo['mode']
  version: string
  /** Electron: the native folder dialog. Absent in web mode and the CLI. */
  pickFolder?: () => Promise<string | null>
  /** watch the session folders for live changes (the app does; the CLI does not) */
  watch?: boolean
  /** index everything once at start, reporting progress as events (the app does) */
  indexOnStart?: boolean
  /** the built summary worker script; without it summaries run on the calling thread */
  summaryWorker?: string | URL
  /** the built screenshot worker script; without it (or when it is not there) the analysts' screenshots are prepared on the calling thread */
  imageWorker?: string | URL
  /** renders a run's HTML outputs to PNG (Electron's own Chromium in the app, playwright-core elsewhere) */
  screenshots?: ScreenshotPort
  /** where a pasted API key is kept (Electron: the OS keychain) */
  secrets?: SecretStore
  /** environment for spawned `claude` runs and model access; defaults to process.env */
  env?: NodeJS.ProcessEnv
  /** tests: how analysts reach a model, instead of the API or `claude -p` */
  analystPort?: ModelPort
  /**
   * Only read (CLI projects, sessions, trace, index): take no lock on the data folder, never write the
   * store, and leave runs and analyses alone (the app that owns them may be running them right now).
   */
  readOnly?: boolean
  /** who this is, for the message a second writer on the same data folder gets ("the desktop app") */
  owner?: string
  /** tests: the order of a verification's arms and its deck's numbers */
  random?: RandomInt
  /** where the log goes; by default the data folder's (logs/trace2skill.log) for the process that writes it, none for a read-only one */
  log?: Log
}

export interface Service {
  handlers: Handlers
  hub: EventHub
  store: Store
  index: SessionIndex
  /** every long piece of work (indexing, batches, analyses and their merges) */
  operations: Operations
  runner: BatchRunner
  /** warnings and errors worth showing the user (start-up problems, unreadable folders) */
  notices: Notice[]
  /** resolves when the watcher is ready (immediately when not watching) */
  ready: Promise<void>
  dispose(): Promise<void>
  /** resolves when an analysis has finished (tests and the CLI) */
  analysisIdle(analysisId: string): Promise<void>
  /** step 5: verifications (tests and the CLI wait on them) */
  verify: VerifyService
  /** what a verification graded blind keeps to itself until its last grade (the CLI asks it too) */
  blind: Blindness
  /** the app's log (src/main/log/log.ts) */
  log: Log
}

export async function createService(opts: ServiceOptions): Promise<Service> {
  const store = await openStore(opts.dataDir, { readOnly: opts.readOnly, owner: opts.owner })
  try {
    return await serviceOver(store, opts)
  } catch (err) {
    // a service that failed to start must not keep the data folder locked
    await store.close()
    throw err
  }
}

async function serviceOver(store: Store, opts: ServiceOptions): Promise<Service> {
  // only the process that writes the data folder logs to it (two would rotate the same file)
  const opened = opts.log || store.readOnly ? null : openLog(opts.dataDir)
  const log = opts.log ?? opened?.log ?? silentLog()
  log.info({ version: opts.version, mode: opts.mode, dataDir: opts.dataDir, configDir: opts.configDir }, 'start')
  try {
    return await serviceWith(store, opts, log, opened)
  } catch (err) {
    log.error({ error: errorFields(err) }, 'the start failed')
    await opened?.close()
    throw err
  }
}

async function serviceWith(store: Store, opts: ServiceOptions, log: Log, opened: OpenLog | null): Promise<Service> {
  const notices: Notice[] = [...store.notices]
  const index = new SessionIndex(opts.configDir, store, notices, opts.summaryWorker ? workerPool(opts.summaryWorker) : inThreadPool())
  await index.load()
  // a verification graded blind: nothing given out (answers, events) ties a run to its arm until the last grade
  const blind = createBlindness(store)
  await blind.init()
  const hub = blindEvents(createEventHub(), blind)
  // what the person was warned of goes in the log too (a bug report then has it)
  hub.subscribe((event, payload) => {
    if (event !== 'notice') return
    const n = payload as Notice
    log[n.level === 'error' ? 'error' : n.level === 'warning' ? 'warn' : 'info']({ notice: n.message, detail: n.detail }, 'notice')
  })
  const operations = new Operations({ store })
  for (const n of notices) hub.emit('notice', n)
  // A save that failed (disk full...) is shown even when nobody awaited it (background progress).
  store.onWriteError((err) => {
    const notice: Notice = { level: 'error', message: err.message }
    notices.push(notice)
    hub.emit('notice', notice)
  })
  // A document that could not be read when it was first needed: only it is lost, and it is said so.
  store.onNotice((n) => {
    notices.push(n)
    hub.emit('notice', n)
  })

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
    const list = await index.listSessions(at.projectId)
    const s = list.find((x) => x.sessionId === sessionId)
    if (!s) throw fail(`session not found: ${sessionId}`, 'not-found')
    return s
  }

  /** Files the app may read images from: session folders it knows, and its own data dir. */
  const readableRoots = () => [index.projectsRoot, ...store.index.openedFolders(), store.dataDir]

  const projectById = async (id: string): Promise<Project> => {
    const folder = await index.folder(id)
    return index.projectOf(folder, await index.listSessions(id))
  }

  const startIndex = () => {
    const running = operations.running('index')[0]
    if (running) return { jobId: running.id }
    // indexing rebuilds a cache: nothing to resume or retry, so no record is kept
    const job = operations.start({ kind: 'index', persist: false }, async (op) => {
      const jobId = op.id
      hub.emit('indexProgress', { jobId, phase: 'scanning', done: 0, total: 0, bytes: 0 })
      // progress to the screens at most every 100 ms; the end goes at once
      const progress = op.events<{ done: number; total: number; bytes: number }>((p) =>
        hub.emit('indexProgress', { jobId, phase: 'indexing', ...p })
      )
      try {
        const totals = await index.indexAll({
          signal: op.signal,
          onProgress: (p) => progress.push(p)
        })
        progress.cancel()
        hub.emit('indexProgress', {
          jobId,
          phase: totals.cancelled ? 'cancelled' : 'done',
          done: totals.sessions,
          total: totals.sessions,
          bytes: totals.bytes,
          totals
        })
        hub.emit('projectsChanged', {})
      } catch (err) {
        progress.cancel()
        hub.emit('indexProgress', { jobId, phase: 'failed', done: 0, total: 0, bytes: 0, error: (err as Error).message })
        return { state: 'failed', error: (err as Error).message }
      }
    })
    return { jobId: job.id }
  }

  const env = opts.env ?? process.env
  const runner = new BatchRunner({
    store,
    index,
    emit: hub.emit,
    screenshots: opts.screenshots,
    env,
    configDir: opts.configDir,
    operations
  })
  let interrupted = 0

  const secrets = opts.secrets ?? memorySecrets()
  /** A session's trace, for the app's own work (a verification's report reads its runs' traces while the person may not). */
  const readTrace = async (sessionId: string, projectId?: string): Promise<Trace> => {
    const at = await locate(sessionId, projectId)
    const trace = await parseSessionFile(at.file, { sessionId })
    return { ...trace, fromArchive: at.fromArchive }
  }
  /** where a session's file is, without parsing it (undefined when only the archive has it) */
  const sessionFile = async (sessionId: string, projectId?: string) =>
    (await index.findSession(sessionId, projectId).catch(() => null))?.file
  // screenshots are decoded and scaled off the main thread: seconds of CPU for an analysis of 20 runs
  const images = opts.imageWorker && existsSync(opts.imageWorker) ? imageWorkerPool(opts.imageWorker) : inThreadImages()
  const skills = createSkillsHandlers({
    images,
    store,
    emit: hub.emit,
    operations,
    readTrace,
    apiAccess: createModelAccess(store, secrets, env).modelAccess,
    env,
    configDir: opts.configDir,
    port: opts.analystPort,
    batchNotes: (batchId) => verify.notesFor(batchId)
  })
  const verify: VerifyService = createVerifyService({
    store,
    emit: hub.emit,
    operations,
    runner,
    skills: skills.skills,
    readTrace,
    sessionFile,
    apiAccess: createModelAccess(store, secrets, env).modelAccess,
    startAnalysis: (input) => skills.analyses.start(input),
    configDir: opts.configDir,
    env,
    port: opts.analystPort,
    random: opts.random,
    blind
  })
  // Start-up recovery: runs and analyses a stopped app left in flight, then the operations themselves
  if (!store.readOnly) {
    await operations.recover({
      batch: async () => void (interrupted = await runner.recover()),
      analysis: () => skills.analyses.recover(),
      verify: () => verify.recover()
    })
  }
  if (interrupted)
    notices.push({
      level: 'info',
      message: `${interrupted} run${interrupted === 1 ? ' was' : 's were'} in flight when the app stopped; they are marked interrupted and can be run again.`
    })

  const runHandlers = createRunHandlers({ store, index, runner, secrets, env })
  const reviewHandlers = createReviewHandlers({ store, readTrace, sessionFile })

  /** Refuses a session of a blind verification's run (by its id, its project, or the folder it worked in). */
  const visibleSession = async (sessionId: string, projectId?: string) => {
    const direct = blind.ofSession({ sessionId, projectId })
    if (direct) blind.refuse(direct)
    const found = isSessionId(sessionId) ? await index.findSession(sessionId, projectId).catch(() => null) : null
    const archived = store.sessions.archive(sessionId)
    const of =
      (found && blind.ofProject({ id: found.projectId, cwd: index.cached(found.file)?.cwd })) ||
      (archived && blind.ofProject({ id: archived.projectId, cwd: archived.cwd }))
    if (of) blind.refuse(of)
  }
  /** Refuses a project (Claude Code's folder of sessions for one working directory) a blind verification's run worked in. */
  const visibleProject = (p: { id?: string; cwd?: string }) => {
    const of = blind.ofProject(p)
    if (of) blind.refuse(of)
  }
  /** A grade can end (or, when cleared, start again) a verification's blindness: the folders listed and its runs change. */
  const grading = async <T>(batchId: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const before = !!batchId && blind.isBlind(batchId)
    const out = await fn()
    if (batchId && before !== blind.isBlind(batchId)) {
      hub.emit('projectsChanged', {})
      const doc = await store.batches.get(batchId)
      if (doc) for (const run of store.batches.runsOf(doc)) hub.emit('runProgress', { run })
    }
    return out
  }
  /** Whether a batch's runs may be analysed now (a blind verification's wait for the last grade). */
  const analysable = (batchId: string) => {
    if (blind.isBlind(batchId))
      throw fail(blind.message(batchId, 'the analysts are told which run had the skill, so its runs are analysed'), 'invalid')
  }

  const handlers: Handlers = {
    ...runHandlers,
    // a verification's batch says so: its deck is blind (and, until every run is graded, its runs say nothing of their arm)
    async getBatch(input) {
      const got = await runHandlers.getBatch(input)
      const verificationId = verify.ofBatch(input.batchId)
      const runs = got.runs.map(blind.run)
      return verificationId ? { ...got, runs, verificationId } : got
    },
    retakeScreenshots: async (input) => blind.run(await runHandlers.retakeScreenshots(input)),
    async importSessions(input) {
      for (const s of input.sessions) await visibleSession(s.sessionId, s.projectId)
      return runHandlers.importSessions(input)
    },
    estimateVerification: (input) => verify.estimate(input),
    startVerification: (input) => verify.start(input),
    getVerification: ({ verificationId }) => verify.get(verificationId),
    listVerifications: ({ skillId }) => verify.list(skillId),
    cancelVerification: ({ verificationId }) => verify.cancel(verificationId),
    resumeVerification: async ({ verificationId }) =>
      grading(store.verifications.head(verificationId)?.batchId, () => verify.resume(verificationId)),
    explainVerification: ({ verificationId, ...opts }) => verify.explain(verificationId, opts),
    deepenFromVerification: ({ verificationId, ...opts }) => verify.deepen(verificationId, opts),
    ...reviewHandlers,
    saveFeedback: (input) =>
      grading(store.batches.batchIdOfRun(input.runId), async () => blind.run(await reviewHandlers.saveFeedback(input))),
    importFeedback: (input) => grading(input.batchId, () => reviewHandlers.importFeedback(input)),
    // a blind verification's runs: no numbers, no signals (they tell the arms apart)
    async getSignals(input) {
      if (!blind.isBlind(input.batchId)) return reviewHandlers.getSignals(input)
      const doc = await store.batches.get(input.batchId)
      const runs = doc ? store.batches.runsOf(doc) : []
      return {
        runs: runs.map((r) => ({
          runId: r.id,
          number: r.number,
          metrics: null,
          warning: 'graded blind: its numbers show once every run is graded'
        })),
        batch: batchSignals([])
      }
    },
    ...skills.handlers,
    async startAnalysis(input) {
      analysable(input.batchId)
      return skills.handlers.startAnalysis(input)
    },
    async estimateAnalysis(input) {
      analysable(input.batchId)
      return skills.handlers.estimateAnalysis(input)
    },
    async getAppInfo() {
      return { version: opts.version, mode: opts.mode, configDir: opts.configDir, dataDir: opts.dataDir, notices }
    },
    // a blind verification's run folders are not listed (their sessions would say each run's arm)
    listProjects: async () => (await index.listProjects()).filter((p) => !blind.ofProject(p)),
    async pickFolder() {
      return { path: opts.pickFolder ? await opts.pickFolder() : null }
    },
    listFolders: ({ path }) => listFolders(path),
    async openFolder({ path }) {
      if (!isAbsolute(path)) throw fail(`give an absolute folder path: ${path}`, 'invalid')
      const dir = resolve(path)
      const st = await stat(dir).catch(() => null)
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
          hub.emit('projectsChanged', {})
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
    async searchBatch({ batchId, query, limit }) {
      if (verify.ofBatch(batchId))
        throw fail(
          "a verification's runs cannot be searched: what they say would tell its arms apart (its report has them per arm)",
          'forbidden'
        )
      const { runs } = await runHandlers.getBatch({ batchId })
      const sessions: { sessionId: string; file: string; firstPrompt: string; run: (typeof runs)[number]; projectId: string }[] = []
      for (const run of runs.slice().sort((a, b) => a.number - b.number)) {
        // a run that never wrote a session (failed at the start) has nothing to search
        const at = await locate(run.sessionId).catch(() => null)
        if (at) sessions.push({ sessionId: run.sessionId, file: at.file, firstPrompt: run.prompt, run, projectId: at.projectId })
      }
      const hits = await searchSessions(sessions, query, limit ?? 200)
      const bySession = new Map(sessions.map((s) => [s.sessionId, s]))
      return hits
        .map((h) => {
          const s = bySession.get(h.sessionId)!
          return { ...h, runId: s.run.id, number: s.run.number, projectId: s.projectId }
        })
        .sort((a, b) => a.number - b.number)
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
      hub.emit('sessionsChanged', { projectId: at.projectId, sessionIds: [sessionId] })
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
      const opened = store.index.openedFolders().find((d) => isInside(file, d))
      if (!opened) return null
      projectId = opened
      rest = relative(opened, file).split(sep)
    }
    if (rest.length === 0) return null
    // <id>.jsonl, or <id>/subagents/agent-*.jsonl
    const sessionId = rest.length === 1 ? basename(rest[0], '.jsonl') : rest[0]
    return { projectId, sessionId }
  }

  let watcher: SessionWatcher | null = null
  if (opts.watch) {
    watcher = watchSessions([index.projectsRoot, ...store.index.openedFolders()], (files) => {
      void (async () => {
        const byProject = new Map<string, Set<string>>()
        for (const file of files) {
          const owner = ownerOf(file)
          if (!owner) continue
          // Refresh the summary now (reads only what was appended); keep pinned archives current.
          const main = file.includes(`${sep}subagents${sep}`) ? join(dirname(dirname(dirname(file))), `${owner.sessionId}.jsonl`) : file
          await index
            .sessionSummary(owner.projectId, main)
            .catch((err) => log.warn({ sessionId: owner.sessionId, error: errorFields(err) }, 'a changed session could not be summarised'))
          if (store.sessions.pin(owner.sessionId)) {
            await archiveSession(store, { sessionId: owner.sessionId, projectId: owner.projectId, file: main }).catch((err) =>
              log.warn({ sessionId: owner.sessionId, error: errorFields(err) }, 'a pinned session could not be archived again')
            )
          }
          const set = byProject.get(owner.projectId) ?? new Set()
          set.add(owner.sessionId)
          byProject.set(owner.projectId, set)
        }
        for (const [projectId, ids] of byProject) hub.emit('sessionsChanged', { projectId, sessionIds: [...ids] })
        if (byProject.size) hub.emit('projectsChanged', {})
      })()
    })
  }

  if (opts.indexOnStart) startIndex()

  return {
    handlers: logFailures(handlers, log),
    hub,
    log,
    store,
    index,
    operations,
    runner,
    notices,
    ready: watcher ? watcher.ready : Promise.resolve(),
    analysisIdle: (id) => skills.analyses.idle(id),
    verify,
    blind,
    async dispose() {
      // every long piece of work ends first (analyses and merges, batches, indexing)
      await operations.cancelAll()
      await runner.dispose()
      await opts.screenshots?.close()
      await watcher?.close()
      await index.dispose()
      await images.close()
      await store.close()
      log.info('stop')
      await opened?.close()
    }
  }
}

/** The same handlers; a request that fails with `internal` (a bug, not the user's input) is logged with its stack. */
export function logFailures(handlers: Handlers, log: Log): Handlers {
  const out = {} as Record<string, (input: unknown) => Promise<unknown>>
  for (const [name, h] of Object.entries(handlers) as [string, (input: unknown) => Promise<unknown>][])
    out[name] = async (input) => {
      try {
        return await h(input)
      } catch (err) {
        if (codeOf(err) === 'internal') log.error({ request: name, error: errorFields(err) }, 'a request failed')
        throw err
      }
    }
  return out as unknown as Handlers
}
