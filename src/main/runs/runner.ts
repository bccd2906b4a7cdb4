/**
 * The batch runner: one agent run per run of a batch, each in its own workspace, at most `concurrency`
 * at once, with live progress events, cancel (the whole process tree), retry, and restart recovery (runs
 * that were in flight when the app died are marked interrupted, never left "running"). Running a batch
 * is an operation (src/main/operations/): its signal ends every run of the batch; its settings are kept.
 *
 * The runner knows neither the agent nor where it runs: the agent is an AgentDriver
 * (src/main/agents/driver.ts, Claude Code's in agents/claude-code/), the place a RunBackend
 * (src/main/backends/backend.ts, local processes in backends/local/). Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail, type EventSink } from '../../shared/contract'
import { emptyProgress, isFinished, type Batch, type PresetAvailability, type Run, type RunSettings } from '../../shared/runs'
import type { AgentDriver } from '../agents/driver'
import type { RunBackend } from '../backends/backend'
import { errorFields, silentLog, type Log } from '../log/log'
import type { Operations } from '../operations/registry'
import type { BatchDoc, Store } from '../store/store'
import { checkTemplate, listFiles } from '../base/workspace'
import { executeRun, type Live, type RunContext } from './execute'
import { recoverRuns } from './recover'
import type { ScreenshotPort } from './screenshots'
import { shootRun } from './shots'

export interface RunnerDeps {
  store: Store
  emit: EventSink
  /** the agent runs are of (Claude Code) */
  driver: AgentDriver
  /** where runs run (local processes) */
  backend: RunBackend
  screenshots?: ScreenshotPort
  /** the app's environment (the agent keeps what it needs of it) */
  env: NodeJS.ProcessEnv
  /** can a permission preset work here (default: the driver's preflight over `env`) */
  presetCheck?: (preset: RunSettings['permission']) => Promise<PresetAvailability>
  /** the registry of long work: a batch with runs queued or running is an operation there */
  operations?: Operations
  /** where failures handled without bothering the person are kept (the app's log) */
  log?: Log
}

/**
 * Readies a run's workspace beyond the template (a verification installs the skill under test there);
 * `hide`: folders of the workspace that are not the run's output (the installed skill), left out of its files;
 * `cleanup`: takes out again what it put there, once the agent has exited (before the files are read).
 */
export type RunPreparer = (batch: Batch, run: Run, workspace: string) => Promise<{ hide?: string[]; cleanup?: () => Promise<void> } | void>

/** What a batch is started with beyond its settings (a verification's: its skill installed, its folders unnumbered). */
export interface BatchStartOptions {
  prepare?: RunPreparer
  /** names a run's folder in workspaces/<batch>/ when not `run-<n>-<session>` */
  folderName?: (batch: Batch, run: Run) => string | undefined
}

export class BatchRunner {
  private readonly live = new Map<string, Live>()
  private readonly queues = new Map<string, string[]>()
  private readonly active = new Map<string, number>()
  /** agent processes alive per batch (a run collecting its outputs no longer holds one) */
  private readonly procs = new Map<string, number>()
  /** batches a cancelBatch is cancelling now (their operation's abort need not do it again) */
  private readonly cancelling = new Set<string>()
  /** what each batch with work here was started with (later starts that join it keep it) */
  private readonly options = new Map<string, BatchStartOptions>()
  /** who waits for a batch to have nothing queued or running */
  private readonly waiters = new Map<string, (() => void)[]>()

  private get log(): Log {
    return (this.d.log ??= silentLog())
  }

  constructor(private readonly d: RunnerDeps) {}

  get dataDir() {
    return this.d.store.dataDir
  }

  get driver(): AgentDriver {
    return this.d.driver
  }

  /** A batch this runner works on (its document is in memory while it does). */
  private doc(batchId: string): BatchDoc {
    const doc = this.d.store.batches.peek(batchId)?.data
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    return doc
  }

  /** Change runs of a batch and write its document now (a state change). */
  private save(batchId: string, fn: (d: BatchDoc) => void) {
    return this.d.store.batches.update(batchId, fn)
  }

  /** At start-up: anything that was in flight when the app stopped is interrupted, with what it left. */
  recover(): Promise<number> {
    return recoverRuns({ store: this.d.store, driver: this.d.driver, backend: this.d.backend, log: this.log })
  }

  /** Tell the screens about a run (and its batch's counts). */
  private emitRun(run: Run) {
    this.d.emit('runProgress', { run })
    const doc = this.d.store.batches.peek(run.batchId)?.data
    if (doc) this.d.emit('batchProgress', this.batchStatus(doc))
  }

  batchStatus(doc: BatchDoc) {
    const batch = doc.batch
    const runs = this.d.store.batches.runsOf(doc)
    const count = (s: Run['state']) => runs.filter((r) => r.state === s).length
    return {
      batchId: batch.id,
      total: runs.length,
      queued: count('queued'),
      // running: a live agent; a run collecting its outputs is counted apart
      running: runs.filter((r) => r.state === 'running' && !r.collecting).length,
      collecting: runs.filter((r) => r.state === 'running' && !!r.collecting).length,
      done: count('done'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      interrupted: count('interrupted'),
      processes: this.procs.get(batch.id) ?? 0,
      costUsd: runs.reduce((n, r) => n + r.progress.costUsd, 0)
    }
  }

  /**
   * Queue runs of a batch (all not-yet-finished ones, or the given ones) and start as many as allowed.
   * `opts`: what this batch's runs are readied with (kept while the batch has work here).
   */
  async start(batchId: string, runIds?: string[], opts?: BatchStartOptions): Promise<void> {
    const doc = await this.d.store.batches.get(batchId)
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    const batch = doc.batch
    const ids = (runIds ?? batch.runIds).filter((id) => {
      const r = doc.runs[id]
      return r && !r.imported && !this.live.has(id) && (runIds ? isFinished(r.state) || r.state === 'queued' : r.state === 'queued')
    })
    // Never a silent fall-back: a preset that cannot work here refuses the start, with the reason.
    if (ids.length) {
      const preset = batch.settings.permission
      const ok = await (this.d.presetCheck ?? ((p) => this.d.driver.presetAvailability(p, this.d.env)))(preset)
      if (!ok.available) throw fail(this.d.driver.refusal(preset, ok), 'preset-unavailable')
      // a template is untrusted: a link in it that points outside it refuses the start, naming the link
      const template = batch.taskId ? this.d.store.index.task(batch.taskId)?.templateDir : undefined
      if (template) await checkTemplate(template)
    }
    await this.save(batchId, (data) => {
      for (const id of ids) {
        const r = data.runs[id]
        if (r.state !== 'queued') {
          // A retry: a new session, a fresh workspace, nothing of the old attempt carried over.
          Object.assign(r, {
            state: 'queued',
            reason: undefined,
            sessionId: randomUUID(),
            startedAt: undefined,
            endedAt: undefined,
            exitCode: undefined,
            progress: emptyProgress(),
            result: undefined,
            files: [],
            screenshots: [],
            projectId: undefined,
            workspace: undefined
          })
        }
      }
    })
    if (opts) this.options.set(batchId, opts)
    const q = this.queues.get(batchId) ?? []
    for (const id of ids) if (!q.includes(id)) q.push(id)
    this.queues.set(batchId, q)
    for (const id of ids) this.emitRun(doc.runs[id])
    if (ids.length) this.operationFor(batch)
    this.pump(batchId)
    this.settle(batchId)
  }

  /** The batch's operation while any of its runs is queued or running (started once; later starts join it). */
  private operationFor(batch: Batch) {
    const ops = this.d.operations
    if (!ops) return undefined
    const running = ops.running('batch', batch.id)[0]
    if (running) return running
    return ops.start({ kind: 'batch', subject: batch.id, params: { settings: batch.settings } }, async (op) => {
      // a cancel of the operation cancels the runs still queued too
      op.signal.addEventListener(
        'abort',
        () =>
          void (this.cancelling.has(batch.id)
            ? 0
            : this.cancelRuns(batch.id).catch((e) =>
                this.log.error({ batchId: batch.id, error: errorFields(e) }, 'a batch could not be cancelled')
              )),
        { once: true }
      )
      await this.settled(batch.id)
    })
  }

  /** Is anything of the batch queued or running here? */
  private busy(batchId: string): boolean {
    return (this.queues.get(batchId) ?? []).length > 0 || [...this.live.values()].some((l) => l.batchId === batchId)
  }

  /** Resolves when nothing of the batch is queued or running (the batch's operation ends then). */
  private settled(batchId: string): Promise<void> {
    if (!this.busy(batchId)) return Promise.resolve()
    return new Promise((resolve) => this.waiters.set(batchId, [...(this.waiters.get(batchId) ?? []), resolve]))
  }

  /** Wake who waits for the batch, once nothing of it is left to do. */
  private settle(batchId: string) {
    if (this.busy(batchId)) return
    this.options.delete(batchId)
    const waiting = this.waiters.get(batchId) ?? []
    this.waiters.delete(batchId)
    for (const w of waiting) w()
  }

  private pump(batchId: string) {
    const batch = this.doc(batchId).batch
    const q = this.queues.get(batchId) ?? []
    while (q.length && (this.active.get(batchId) ?? 0) < batch.settings.concurrency) {
      const id = q.shift()!
      this.active.set(batchId, (this.active.get(batchId) ?? 0) + 1)
      const live: Live = { batchId, controller: new AbortController(), done: Promise.resolve() }
      // the batch's operation's signal reaches this run's agent
      const op = this.d.operations?.running('batch', batchId)[0]
      const onAbort = () => live.controller.abort()
      if (op?.signal.aborted) live.controller.abort()
      else op?.signal.addEventListener('abort', onAbort, { once: true })
      this.live.set(id, live)
      // The slot frees as soon as the agent exits: collecting outputs need not hold up the next run.
      let released = false
      const release = () => {
        if (released) return
        released = true
        this.active.set(batchId, (this.active.get(batchId) ?? 1) - 1)
        this.pump(batchId)
      }
      live.done = executeRun(this.context(), { id, batch, live, release, options: this.options.get(batchId) ?? {} })
        .catch(async (err) => {
          this.log.error({ batchId, runId: id, error: errorFields(err) }, 'the runner failed')
          await live.cleanup?.()
          // if even this cannot be saved (disk full), the store has reported it; never an unhandled rejection
          await this.finish(batchId, id, { state: 'failed', reason: `the runner failed: ${(err as Error).message}` }).catch((e) =>
            this.log.error({ batchId, runId: id, error: errorFields(e) }, 'a failed run could not be saved')
          )
        })
        .finally(() => {
          op?.signal.removeEventListener('abort', onAbort)
          this.live.delete(id)
          release()
          this.settle(batchId)
        })
    }
  }

  /** What running one run needs of the runner (runs/execute.ts). */
  private context(): RunContext {
    return {
      d: this.d,
      log: this.log,
      dataDir: this.dataDir,
      doc: (batchId) => this.doc(batchId),
      save: (batchId, fn) => this.save(batchId, fn),
      emitRun: (run) => this.emitRun(run),
      finish: (batchId, id, patch) => this.finish(batchId, id, patch),
      processes: (batchId, delta) => void this.procs.set(batchId, (this.procs.get(batchId) ?? 0) + delta)
    }
  }

  private async finish(batchId: string, id: string, patch: Partial<Run>) {
    await this.save(
      batchId,
      (data) =>
        void Object.assign(data.runs[id], patch, { collecting: undefined, endedAt: data.runs[id].endedAt ?? new Date().toISOString() })
    )
    this.emitRun(this.doc(batchId).runs[id])
  }

  /** Render a finished run's HTML outputs again (after a screenshot failed or timed out). */
  async retakeScreenshots(runId: string): Promise<Run> {
    const got = await this.d.store.batches.run(runId)
    const run = got?.run
    if (!got || !run) throw fail(`no such run: ${runId}`, 'not-found')
    if (this.live.has(runId) || !isFinished(run.state))
      throw fail('the run is still going: retake its screenshots when it has finished', 'busy')
    if (!run.workspace || run.imported) throw fail('this run has no workspace of its own to render', 'invalid')
    if (!this.d.screenshots) throw fail('screenshots are not available here (no Chromium)', 'invalid')
    const screenshots = await shootRun(this.d.screenshots, { dataDir: this.dataDir, runId, workspace: run.workspace, files: run.files })
    await this.save(run.batchId, (data) => void (data.runs[runId].screenshots = screenshots))
    this.emitRun(got.batch.runs[runId])
    return got.batch.runs[runId]
  }

  async cancel(runId: string): Promise<boolean> {
    const run = (await this.d.store.batches.run(runId))?.run
    if (!run) throw fail(`no such run: ${runId}`, 'not-found')
    const live = this.live.get(runId)
    if (live) {
      live.controller.abort()
      await live.end?.()
      await live.done
      return true
    }
    if (run.state === 'queued') {
      const q = this.queues.get(run.batchId)
      if (q)
        this.queues.set(
          run.batchId,
          q.filter((x) => x !== runId)
        )
      await this.finish(run.batchId, runId, { state: 'cancelled', reason: 'cancelled before it started' })
      this.settle(run.batchId)
      return true
    }
    return false
  }

  /** Cancel a batch: its operation (so its record says cancelled) and every run queued or running. */
  async cancelBatch(batchId: string): Promise<number> {
    const op = this.d.operations?.running('batch', batchId)[0]
    this.cancelling.add(batchId)
    try {
      if (op) this.d.operations!.cancel(op.id)
      return await this.cancelRuns(batchId)
    } finally {
      this.cancelling.delete(batchId)
    }
  }

  private async cancelRuns(batchId: string): Promise<number> {
    const doc = await this.d.store.batches.get(batchId)
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    const batch = doc.batch
    // Queued ones first, so none of them starts while the running ones stop.
    const queued = batch.runIds.filter((id) => doc.runs[id]?.state === 'queued' && !this.live.has(id))
    for (const id of queued) await this.cancel(id)
    const running = batch.runIds.filter((id) => this.live.has(id))
    await Promise.all(running.map((id) => this.cancel(id)))
    return queued.length + running.length
  }

  /** Resolves when no run of the batch is queued or running (its operation has settled). */
  async idle(batchId: string): Promise<void> {
    if (this.d.operations) await this.d.operations.whenSettled('batch', batchId)
    await this.settled(batchId)
  }

  async dispose(): Promise<void> {
    for (const q of this.queues.values()) q.length = 0
    await Promise.all(
      [...this.live.keys()].map((id) =>
        this.cancel(id).catch((e) => this.log.warn({ runId: id, error: errorFields(e) }, 'a run could not be cancelled at the end'))
      )
    )
    // progress not yet saved (a read-only process has none, and may not write)
    if (!this.d.store.readOnly)
      await this.d.store.batches.flush().catch((e) => this.log.error({ error: errorFields(e) }, 'progress could not be saved at the end'))
  }

  /** The files a finished workspace holds (for the outputs view). */
  files(workspace: string) {
    return listFiles(workspace)
  }
}
