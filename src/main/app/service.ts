/**
 * The app's core service: every contract request implemented over the Electron-free domains
 * (traces, store). The Electron shell, the web bridge, the CLI and the tests all drive this.
 */
import { existsSync } from 'node:fs'
import type { AppInfo, Notice } from '../../shared/contract'
import { openStore, type Store } from '../store/store'
import { SessionIndex } from '../traces/indexer'
import { inThreadPool, workerPool } from '../traces/summary-pool'
import { searchSessions } from '../traces/search'
import { fail, createEventHub, logFailures, type EventHub, type Handlers } from './dispatch'
import { blindEvents, blindSignals } from './blind-gates'
import { Operations } from '../operations/registry'
import { createReviewHandlers } from './review-handlers'
import { createTriggersHandlers } from './triggers-handlers'
import { createSkillsHandlers } from './skills-handlers'
import { createGradingHandlers } from './grading-handlers'
import type { ModelPort } from '../analysts/model'
import { imageWorkerPool, inThreadImages } from '../analysts/image-pool'
import { createModelAccess, createRunHandlers, memorySecrets, type SecretStore } from './runs-handlers'
import { BatchRunner } from '../runs/runner'
import { createClaudeCodeDriver } from '../agents/claude-code/driver'
import { createLocalBackend } from '../backends/local/backend'
import type { ScreenshotPort } from '../runs/screenshots'
import { createVerifyService, type BuildCandidates, type BuildCandidatesInput, type VerifyService } from '../verify/service'
import type { RandomInt } from '../verify/plan'
import { createTracesService } from '../traces/service'
import { createBlindness, type Blindness } from '../verify/blind'
import { errorFields, logsDir, openLog, silentLog, type Log, type OpenLog } from '../log/log'

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
  /** tests: what builds candidates from a batch (default: the analysis service's) */
  buildCandidates?: BuildCandidates
  /** tests: what building candidates would cost, instead of the analysis service's estimate */
  estimateBuild?: (input: BuildCandidatesInput) => Promise<{ usd: number | null }>
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
  let opened: OpenLog | null = null
  if (!opts.log && !store.readOnly) {
    try {
      opened = openLog(opts.dataDir)
    } catch (err) {
      // no log costs only the log
      store.notices.push({
        level: 'warning',
        message: `No log is kept: ${logsDir(opts.dataDir)} could not be made (${(err as Error).message}).`
      })
    }
  }
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
  const index = new SessionIndex(opts.configDir, store, notices, opts.summaryWorker ? workerPool(opts.summaryWorker) : inThreadPool(), log)
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
  const operations = new Operations({ store, log })
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

  const traces = createTracesService({
    store,
    index,
    emit: hub.emit,
    operations,
    log,
    hidden: blind,
    pickFolder: opts.pickFolder,
    watch: opts.watch
  })
  const { locate, readTrace, sessionFile, visibleSession } = traces

  const env = opts.env ?? process.env
  // the one agent (Claude Code) and the one place to run (local processes) today: the seams are
  // src/main/agents/driver.ts and src/main/backends/backend.ts
  const driver = createClaudeCodeDriver({ configDir: opts.configDir, index, log })
  const backend = createLocalBackend()
  const runner = new BatchRunner({
    store,
    emit: hub.emit,
    driver,
    backend,
    screenshots: opts.screenshots,
    env,
    operations,
    log
  })
  let interrupted = 0

  const secrets = opts.secrets ?? memorySecrets()
  // model access (the API key and base URL), built once for variations, the analysts and verify
  const access = createModelAccess(store, secrets, env)
  // screenshots are decoded and scaled off the main thread: seconds of CPU for an analysis of 20 runs
  const images = opts.imageWorker && existsSync(opts.imageWorker) ? imageWorkerPool(opts.imageWorker) : inThreadImages()
  const skills = createSkillsHandlers({
    images,
    store,
    emit: hub.emit,
    operations,
    readTrace,
    apiAccess: access.modelAccess,
    env,
    configDir: opts.configDir,
    port: opts.analystPort,
    batchNotes: (batchId) => verify.notesFor(batchId),
    log
  })
  const verify: VerifyService = createVerifyService({
    store,
    emit: hub.emit,
    operations,
    runner,
    skills: skills.skills,
    readTrace,
    sessionFile,
    apiAccess: access.modelAccess,
    startAnalysis: (input) => skills.startAnalysis(input),
    // a blind verification's batch is not analysed (its runs would tell the arms apart): refused as an analysis is
    buildCandidates: opts.buildCandidates ?? ((input, o) => (analysable(input.batchId), skills.buildCandidates(input, o))),
    estimateBuild: opts.estimateBuild ?? ((input) => (analysable(input.batchId), skills.estimateCandidates(input))),
    configDir: opts.configDir,
    env,
    port: opts.analystPort,
    random: opts.random,
    blind,
    log
  })
  // the rubric and the grader; a blind verification's grades are not read before its last one
  const gradingParts = createGradingHandlers({
    store,
    emit: hub.emit,
    operations,
    apiAccess: access.modelAccess,
    env,
    port: opts.analystPort,
    log,
    readable: (batchId) => {
      if (blind.isBlind(batchId))
        throw fail(blind.message(batchId, "the grader is learned from the person's grades, so its runs are used"), 'invalid')
    }
  })
  // triggering (issue 23): queries run through the same agent and place to run, stopped at the decision
  const triggers = createTriggersHandlers({
    ...{ store, emit: hub.emit, operations, driver, backend, skills: skills.skills, env, log },
    ...{ configDir: opts.configDir, apiAccess: access.modelAccess, port: opts.analystPort }
  })
  // Start-up recovery: runs and analyses a stopped app left in flight, then the operations themselves
  if (!store.readOnly) {
    operations.onRecover('triggers', () => triggers.service.recover())
    operations.onRecover('grader', () => gradingParts.grading.recover())
    operations.onRecover('batch', async () => void (interrupted = await runner.recover()))
    operations.onRecover('analysis', () => skills.analyses.recover())
    operations.onRecover('verify', () => verify.recover())
    await operations.recover()
  }
  if (interrupted)
    notices.push({
      level: 'info',
      message: `${interrupted} run${interrupted === 1 ? ' was' : 's were'} in flight when the app stopped; they are marked interrupted and can be run again.`
    })

  const runHandlers = createRunHandlers({ store, index, runner, secrets, env, access, startOptions: verify.runOptions })
  const reviewHandlers = createReviewHandlers({ store, readTrace, sessionFile })

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
    ...traces.handlers,
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
    listVerifications: ({ skillId, kind }) => verify.list(skillId, kind),
    estimateConfirmation: (input) => verify.estimateConfirmation(input),
    startConfirmation: (input) => verify.startConfirmation(input),
    cancelVerification: ({ verificationId }) => verify.cancel(verificationId),
    resumeVerification: async ({ verificationId }) =>
      grading(store.verifications.head(verificationId)?.batchId, () => verify.resume(verificationId)),
    explainVerification: ({ verificationId, ...opts }) => verify.explain(verificationId, opts),
    deepenFromVerification: ({ verificationId, ...opts }) => verify.deepen(verificationId, opts),
    estimateCandidates: (input) => verify.estimateCandidates(input),
    makeCandidates: (input) => verify.makeCandidates(input),
    ...triggers.handlers,
    ...reviewHandlers,
    saveFeedback: (input) =>
      grading(store.batches.batchIdOfRun(input.runId), async () => blind.run(await reviewHandlers.saveFeedback(input))),
    importFeedback: (input) => grading(input.batchId, () => reviewHandlers.importFeedback(input)),
    // a blind verification's runs: no numbers, no signals (they tell the arms apart)
    getSignals: async (input) => (blind.isBlind(input.batchId) ? blindSignals(store, input.batchId) : reviewHandlers.getSignals(input)),
    ...skills.handlers,
    ...gradingParts.handlers,
    // confirmed (or flipped), the grader's grade becomes the person's: saved as any grade is, then no longer the grader's
    async confirmPregrade({ runId, label, text }) {
      const { batchId, entry } = await gradingParts.grading.pregrade.ofRun(runId)
      const had = (await store.batches.run(runId))?.run.feedback?.text
      const run = await handlers.saveFeedback({
        runId,
        label: label ?? entry.label,
        text: text ?? (had || (label && label !== entry.label ? '' : entry.reason))
      })
      await gradingParts.grading.pregrade.drop(batchId, runId)
      return run
    },
    // the sure pre-grades saved as the grader's at once (a blind verification's last grades too), and its undo
    acceptSurePregrades: async ({ batchId }) =>
      grading(batchId, async () => ({ runs: (await gradingParts.grading.pregrade.acceptSure(batchId)).map(blind.run) })),
    undoAcceptPregrades: async ({ batchId, runIds }) =>
      grading(batchId, async () => ({ runs: (await gradingParts.grading.pregrade.undoAccept(batchId, runIds)).map(blind.run) })),
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
    }
  }

  if (opts.indexOnStart) traces.startIndex()

  return {
    handlers: logFailures(handlers, log),
    hub,
    log,
    store,
    index,
    operations,
    runner,
    notices,
    ready: traces.ready,
    analysisIdle: (id) => skills.analyses.idle(id),
    verify,
    blind,
    async dispose() {
      // every long piece of work ends first (analyses and merges, batches, indexing)
      await operations.cancelAll()
      await runner.dispose()
      await opts.screenshots?.close()
      await traces.close()
      await index.dispose()
      await images.close()
      await store.close()
      log.info('stop')
      await opened?.close()
    }
  }
}
