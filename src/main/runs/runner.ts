/**
 * The batch runner: one `claude -p` per run, each in its own workspace, at most `concurrency` at once,
 * with live progress events, cancel (the whole process tree), retry, and restart recovery (runs that
 * were in flight when the app died are marked interrupted, never left "running"). Running a batch is an
 * operation (src/main/operations/): its signal ends every claude of the batch; its settings are kept.
 */
import { fail } from '../../shared/contract'
import { randomUUID } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { EventSink } from '../../shared/contract'
import { errorFields, silentLog, type Log } from '../log/log'
import type { Operations } from '../operations/registry'
import { emptyProgress, isFinished, type Batch, type PresetAvailability, type Run, type RunSettings } from '../../shared/runs'
import { archiveSession } from '../store/archive'
import type { BatchDoc, Store } from '../store/store'
import type { SessionIndex } from '../traces/indexer'
import { parseSessionFile } from '../traces/parse'
import { endIfOurs, endMarked, recordProcess, startProcess, type Marker, type StartedProcess } from '../claude/process'
import { StreamReader } from '../claude/stream'
import { explain, progressOf, StreamTracker } from './claude'
import { isolateRun, removeProjectSettings, removeRunTmp, RUN_MARKER } from './isolation'
import { presetAvailability, refusal } from './sandbox'
import type { ScreenshotPort } from './screenshots'
import { queuedRun } from './queued'
import { checkTemplate, diffWorkspace, listFiles, prepareWorkspace } from './workspace'

const MAX_SHOTS_PER_RUN = 4
/** The watchdog ends a run this long after its timeout, should the app not (it died, or hangs). */
const WATCHDOG_MARGIN_MS = 30_000

export interface RunnerDeps {
  store: Store
  index: SessionIndex
  emit: EventSink
  screenshots?: ScreenshotPort
  /** environment for `claude` (CLAUDE_CONFIG_DIR is set to the folder the app reads sessions from) */
  env: NodeJS.ProcessEnv
  configDir: string
  /** can a permission preset work here (default: the real preflight over `env`) */
  presetCheck?: (preset: RunSettings['permission']) => Promise<PresetAvailability>
  /** the registry of long work: a batch with runs queued or running is an operation there */
  operations?: Operations
  /** where failures handled without bothering the person are kept (the app's log) */
  log?: Log
}

/**
 * Readies a run's workspace beyond the template (a verification installs the skill under test there);
 * `hide`: folders of the workspace that are not the run's output (the installed skill), left out of its files;
 * `cleanup`: takes out again what it put there, once claude has exited (before the files are read).
 */
export type RunPreparer = (batch: Batch, run: Run, workspace: string) => Promise<{ hide?: string[]; cleanup?: () => Promise<void> } | void>

interface Live {
  child?: StartedProcess
  /** aborted by a cancel of the run or of its batch's operation: ends its claude */
  controller: AbortController
  done: Promise<void>
  /** takes out what the preparer put in the workspace, until it has been done */
  cleanup?: () => Promise<void>
}

export class BatchRunner {
  private readonly live = new Map<string, Live>()
  private readonly queues = new Map<string, string[]>()
  private readonly active = new Map<string, number>()
  /** claude processes alive per batch (a run collecting its outputs no longer holds one) */
  private readonly procs = new Map<string, number>()
  /** progress to the screen: at most a few times a second per run (state changes go at once) */
  private readonly lastEmit = new Map<string, number>()
  /** batches a cancelBatch is cancelling now (their operation's abort need not do it again) */
  private readonly cancelling = new Set<string>()

  private preparer: RunPreparer | undefined
  private get log(): Log {
    return (this.d.log ??= silentLog())
  }
  private folderName: ((batch: Batch, run: Run) => string | undefined) | undefined

  constructor(private readonly d: RunnerDeps) {}

  /** What readies a run's workspace after the template is copied (set once, by the service). */
  setPreparer(p: RunPreparer): void {
    this.preparer = p
  }

  /** What names a run's folder in workspaces/<batch>/ when not `run-<n>-<session>` (a verification's: never by number). */
  setFolderName(fn: (batch: Batch, run: Run) => string | undefined): void {
    this.folderName = fn
  }

  get dataDir() {
    return this.d.store.dataDir
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

  /**
   * At start-up: anything that was in flight when the app stopped is interrupted, with what it left.
   * Only the batches whose heads say a run was queued or running are read.
   */
  async recover(): Promise<number> {
    let count = 0
    for (const batchId of this.d.store.batches.ids()) {
      if (!this.d.store.batches.head(batchId)?.runs.some((r) => r.state === 'running' || r.state === 'queued')) continue
      const doc = await this.d.store.batches.get(batchId)
      if (!doc) continue
      const stale = this.d.store.batches.runsOf(doc).filter((r) => r.state === 'running' || r.state === 'queued')
      if (!stale.length) continue
      count += stale.length
      // A crashed app's runs may still be going: end their process groups (only if they are still ours).
      for (const r of stale) if (r.pid) await endStaleRun(r.pid, r.sessionId, r.pidStartedAt)
      const wasRunning = stale.filter((r) => r.state === 'running').map((r) => ({ id: r.id, sessionId: r.sessionId }))
      await this.save(batchId, (data) => {
        for (const r of stale) {
          const run = data.runs[r.id]
          run.reason =
            run.state === 'running'
              ? run.collecting
                ? "interrupted: the app stopped while this run's outputs were being collected"
                : 'interrupted: the app stopped while this run was in flight'
              : 'interrupted: the app stopped before this run started'
          run.collecting = undefined
          run.state = 'interrupted'
          run.pid = undefined
          run.endedAt = run.endedAt ?? new Date().toISOString()
        }
      })
      // what they left: the numbers of their partial traces, as every other screen shows them
      for (const r of wasRunning) {
        const session = await this.d.index.findSession(r.sessionId).catch(() => null)
        const trace = session ? await parseSessionFile(session.file).catch(() => null) : null
        if (trace)
          await this.save(
            batchId,
            (data) => void (data.runs[r.id].progress = progressOf(trace.totals, data.runs[r.id].progress.elapsedMs))
          ).catch(() => {})
      }
    }
    return count
  }

  /** Tell the screens; live progress at most every 250 ms per run, anything else at once. */
  private emitRun(run: Run, progressOnly = false) {
    const now = Date.now()
    if (progressOnly && now - (this.lastEmit.get(run.id) ?? 0) < 250) return
    this.lastEmit.set(run.id, now)
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
      // running: a live claude; a run collecting its outputs is counted apart
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

  /** Progress of a running run: in memory and on screen now, in its batch's file within a second. */
  private progress(run: Run, progress: Run['progress']) {
    this.d.store.batches.patch(run.batchId, (d) => void (d.runs[run.id].progress = progress), 1000)
    this.emitRun(run, true)
  }

  /** Queue runs of a batch (all not-yet-finished ones, or the given ones) and start as many as allowed. */
  async start(batchId: string, runIds?: string[]): Promise<void> {
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
      const ok = await (this.d.presetCheck ?? ((p) => presetAvailability(p, { env: this.d.env })))(preset)
      if (!ok.available) throw fail(refusal(preset, ok), 'preset-unavailable')
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
    const q = this.queues.get(batchId) ?? []
    for (const id of ids) if (!q.includes(id)) q.push(id)
    this.queues.set(batchId, q)
    for (const id of ids) this.emitRun(doc.runs[id])
    if (ids.length) this.operationFor(batch)
    this.pump(batchId)
  }

  /** The batch's operation while any of its runs is queued or running (started once; later starts join it). */
  private operationFor(batch: Batch) {
    const ops = this.d.operations
    if (!ops) return undefined
    const running = ops.running('batch', batch.id)[0]
    if (running) return running
    return ops.start({ kind: 'batch', subject: batch.id, params: { settings: batch.settings } }, async (op) => {
      // a cancel of the operation cancels the runs still queued too
      op.signal.addEventListener('abort', () => void (this.cancelling.has(batch.id) ? 0 : this.cancelRuns(batch.id).catch(() => 0)), {
        once: true
      })
      await this.idle(batch.id)
    })
  }

  private pump(batchId: string) {
    const batch = this.doc(batchId).batch
    const q = this.queues.get(batchId) ?? []
    while (q.length && (this.active.get(batchId) ?? 0) < batch.settings.concurrency) {
      const id = q.shift()!
      this.active.set(batchId, (this.active.get(batchId) ?? 0) + 1)
      const live: Live = { controller: new AbortController(), done: Promise.resolve() }
      // the batch's operation's signal reaches this run's claude
      const op = this.d.operations?.running('batch', batchId)[0]
      const onAbort = () => live.controller.abort()
      if (op?.signal.aborted) live.controller.abort()
      else op?.signal.addEventListener('abort', onAbort, { once: true })
      this.live.set(id, live)
      // The slot frees as soon as claude exits: collecting outputs need not hold up the next run.
      let released = false
      const release = () => {
        if (released) return
        released = true
        this.active.set(batchId, (this.active.get(batchId) ?? 1) - 1)
        this.pump(batchId)
      }
      live.done = this.execute(id, batch, live, release)
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
        })
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

  private async execute(id: string, batch: Batch, live: Live, release: () => void): Promise<void> {
    const settings = batch.settings
    const task = batch.taskId ? this.d.store.index.task(batch.taskId) : undefined
    const doc = this.doc(batch.id)
    const run = doc.runs[id]
    const folder = this.folderName?.(batch, run) ?? `run-${run.number}-${run.sessionId.slice(0, 8)}`
    const workspace = join(this.dataDir, 'workspaces', batch.id, folder)
    const logDir = join(this.dataDir, 'runs', id)
    await mkdir(logDir, { recursive: true })
    await prepareWorkspace(workspace, task?.templateDir)
    // a template's project settings (hooks, allow rules, MCP servers) never load in a run
    const notLoaded = await removeProjectSettings(workspace)
    const prepared = (await this.preparer?.(batch, run, workspace)) || {}
    const hide = prepared.hide ?? []
    /** what the preparer put in the workspace goes before its files are read, once, whatever happens (a failure is said) */
    const cleanup = (live.cleanup = async () => {
      live.cleanup = undefined
      await prepared
        .cleanup?.()
        .catch((err: Error) =>
          this.d.emit('notice', { level: 'error', message: `Could not take the installed skill out of ${workspace}: ${err.message}` })
        )
    })
    const cancelled = live.controller.signal
    if (cancelled.aborted) {
      await cleanup()
      return this.finish(batch.id, id, { state: 'cancelled', reason: 'cancelled', workspace })
    }
    const started = Date.now()
    await this.save(
      batch.id,
      (data) =>
        void Object.assign(data.runs[id], {
          state: 'running',
          workspace,
          startedAt: new Date(started).toISOString(),
          progress: emptyProgress()
        })
    )
    this.emitRun(doc.runs[id])

    const tracker = new StreamTracker()
    const stream: WriteStream = createWriteStream(join(logDir, 'stream.jsonl'))
    const errLog: WriteStream = createWriteStream(join(logDir, 'stderr.txt'))
    let stderr = ''
    let timedOutMs: number | undefined
    const reader = new StreamReader((m) => tracker.message(m))
    // the app's settings only, a minimal environment, its own TMPDIR, secret reads denied (isolation.ts)
    const isolated = await isolateRun({
      prompt: run.prompt,
      sessionId: run.sessionId,
      settings,
      appEnv: this.d.env,
      configDir: this.d.configDir,
      dataDir: this.dataDir,
      workspace,
      logDir
    })
    const { child, exited } = launchClaude(settings.claudePath || 'claude', isolated.args, {
      cwd: workspace,
      env: isolated.env,
      marker: isolated.marker,
      deadlineMs: settings.timeoutMs + WATCHDOG_MARGIN_MS,
      onStdout: (chunk) => {
        stream.write(chunk)
        reader.push(chunk)
        // a failed save (disk full) is undone and reported by the store as a notice; the run goes on
        this.progress(doc.runs[id], { ...tracker.progress, elapsedMs: Date.now() - started })
      },
      onStderr: (c) => {
        errLog.write(c)
        stderr = (stderr + c.toString('utf8')).slice(-8192)
      },
      onStartError: (message) => (stderr += `\n${message}`)
    })
    live.child = child
    // a cancel ends it (at once when it came while the workspace was being readied)
    if (cancelled.aborted) void endProcess(child)
    else cancelled.addEventListener('abort', () => void endProcess(child), { once: true })
    this.procs.set(batch.id, (this.procs.get(batch.id) ?? 0) + 1)
    if (child.pid) {
      const { startedAt } = await recordProcess(child.pid, run.sessionId)
      await this.save(batch.id, (data) => void Object.assign(data.runs[id], { pid: child.pid, pidStartedAt: startedAt }))
    }
    const timer = setTimeout(() => {
      timedOutMs = settings.timeoutMs
      void endProcess(child)
    }, settings.timeoutMs)
    const ticker = setInterval(() => this.progress(doc.runs[id], { ...tracker.progress, elapsedMs: Date.now() - started }), 1000)
    const { code, signal } = await exited
    clearTimeout(timer)
    clearInterval(ticker)
    this.procs.set(batch.id, (this.procs.get(batch.id) ?? 1) - 1)
    release()
    // claude has exited: what follows is collecting its outputs, its own stage on every screen
    await this.save(batch.id, (data) => void (data.runs[id].collecting = true))
    this.emitRun(doc.runs[id])
    reader.end()
    await new Promise((r) => stream.end(r))
    await new Promise((r) => errLog.end(r))
    // Whatever the agent left running goes too: in its group, or anywhere with the run's marker.
    await child.sweep()
    await isolated.dispose()
    await cleanup()

    const verdict = explain({ result: tracker.result, code, signal, cancelled: cancelled.aborted, timedOutMs, stderr, settings })
    const patch: Partial<Run> = {
      pid: undefined,
      pidStartedAt: undefined,
      state: verdict.ok ? 'done' : cancelled.aborted ? 'cancelled' : 'failed',
      reason: verdict.reason,
      exitCode: code,
      result: tracker.result?.result,
      progress: { ...tracker.progress, elapsedMs: Date.now() - started },
      endedAt: new Date().toISOString()
    }
    // Outputs: even a failed or cancelled run keeps what it made, its stderr and its partial trace.
    const under = (f: { path: string }, h: string) => f.path === h || f.path.startsWith(h.endsWith('/') ? h : `${h}/`)
    patch.files = (await diffWorkspace(workspace, task?.templateDir).catch(() => [])).filter(
      (f) => !hide.some((h) => under(f, h)) && !(f.status === 'deleted' && notLoaded.some((h) => under(f, h)))
    )
    patch.screenshots = await this.shoot(id, workspace, patch.files)
    const session = await this.d.index.findSession(run.sessionId).catch(() => null)
    if (session) {
      // the numbers every other screen shows: its trace's (src/shared/numbers.ts)
      const trace = await parseSessionFile(session.file).catch(() => null)
      if (trace) patch.progress = progressOf(trace.totals, patch.progress!.elapsedMs)
      patch.projectId = session.projectId
      await archiveSession(this.d.store, {
        sessionId: run.sessionId,
        projectId: session.projectId,
        file: session.file,
        cwd: workspace
      }).catch(() => null)
    }
    await this.finish(batch.id, id, patch)
  }

  private async shoot(id: string, workspace: string, files: Run['files']): Promise<Run['screenshots']> {
    if (!this.d.screenshots) return []
    const html = files.filter((f) => f.status !== 'deleted' && /\.html?$/i.test(f.path)).slice(0, MAX_SHOTS_PER_RUN)
    const out: Run['screenshots'] = []
    for (const f of html) {
      const name = basename(f.path).replace(/[^A-Za-z0-9._-]/g, '_')
      const shots = await this.d.screenshots
        .capture({
          htmlFile: join(workspace, f.path),
          root: workspace,
          outDir: join(this.dataDir, 'runs', id, 'screenshots'),
          name: `${out.length + 1}-${name}`
        })
        .catch((err: Error) => [
          {
            label: 'desktop' as const,
            width: 0,
            height: 0,
            file: '',
            bytes: 0,
            blank: true,
            timedOut: false,
            blockedRequests: [],
            error: err.message
          }
        ])
      out.push({ html: f.path, shots })
    }
    return out
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
    const screenshots = await this.shoot(runId, run.workspace, run.files)
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
      if (live.child) await endProcess(live.child)
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

  /** Resolves when no run of the batch is queued or running. */
  async idle(batchId: string): Promise<void> {
    for (;;) {
      const batch = this.doc(batchId).batch
      const busy = batch.runIds.filter((id) => this.live.has(id))
      const queued = (this.queues.get(batchId) ?? []).length
      if (!busy.length && !queued) return
      await Promise.all(busy.map((id) => this.live.get(id)?.done))
      if (!busy.length) await new Promise((r) => setTimeout(r, 50))
    }
  }

  async dispose(): Promise<void> {
    for (const q of this.queues.values()) q.length = 0
    await Promise.all([...this.live.keys()].map((id) => this.cancel(id).catch(() => false)))
    // progress not yet saved (a read-only process has none, and may not write)
    if (!this.d.store.readOnly)
      await this.d.store.batches.flush().catch((e) => this.log.error({ error: errorFields(e) }, 'progress could not be saved at the end'))
  }

  /** The files a finished workspace holds (for the outputs view). */
  files(workspace: string) {
    return listFiles(workspace)
  }
}

// Starting and ending `claude`: every process the runner starts or stops goes through these few
// functions, so how it is done can change in one place.

/** Start `claude` (its own process group on POSIX; a Windows .cmd through its shim); `exited` resolves once, however it ends (never rejects). */
function launchClaude(
  command: string,
  args: string[],
  o: {
    cwd: string
    env: NodeJS.ProcessEnv
    /** every process of the run carries it (ended with the run) */
    marker: Marker
    /** the watchdog ends the run then, even if this process is gone */
    deadlineMs: number
    onStdout(chunk: Buffer): void
    onStderr(chunk: Buffer): void
    onStartError(message: string): void
  }
) {
  const child = startProcess(command, args, {
    cwd: o.cwd,
    env: o.env,
    marker: o.marker,
    watchdog: { deadlineMs: o.deadlineMs },
    onStdout: o.onStdout,
    onStderr: o.onStderr
  })
  const exited = child.exited.then(({ code, signal, error }) => {
    if (!error) return { code, signal: signal as string | null }
    o.onStartError(error.code === 'ENOENT' ? `\`${command}\` was not found` : error.message)
    return { code: -1, signal: null }
  })
  return { child, exited }
}

/** End a running claude and its whole tree. */
function endProcess(child: StartedProcess): Promise<void> {
  return child.end()
}

/**
 * At start-up: a run a crashed app left behind may still be going; end it if it is still ours (its
 * start time and its --session-id), and whatever carries its marker; remove its temporary folder.
 */
async function endStaleRun(pid: number, sessionId: string, startedAt: number | undefined): Promise<void> {
  await endIfOurs({ pid, startedAt, marker: sessionId })
  await endMarked({ name: RUN_MARKER, value: sessionId })
  await removeRunTmp(sessionId)
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
