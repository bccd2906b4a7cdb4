/**
 * The batch runner: one `claude -p` per run, each in its own workspace, at most `concurrency` at once,
 * with live progress events, cancel (the whole process tree), retry, and restart recovery (runs that
 * were in flight when the app died are marked interrupted, never left "running").
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { EventSink } from '../app/dispatch'
import { emptyProgress, isFinished, type Batch, type PresetAvailability, type Run, type RunSettings } from '../../shared/runs'
import { archiveSession } from '../store/archive'
import type { Store } from '../store/store'
import type { SessionIndex } from '../traces/indexer'
import { parseSessionFile } from '../traces/parse'
import { claudeArgs, explain, killTree, progressOf, StreamTracker } from './claude'
import { presetAvailability, refusal } from './sandbox'
import type { ScreenshotPort } from './screenshots'
import { diffWorkspace, listFiles, prepareWorkspace } from './workspace'

const MAX_SHOTS_PER_RUN = 4

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
}

interface Live {
  child?: ChildProcess
  cancelled: boolean
  done: Promise<void>
}

export class BatchRunner {
  private readonly live = new Map<string, Live>()
  private readonly queues = new Map<string, string[]>()
  private readonly active = new Map<string, number>()
  /** claude processes alive per batch (a run collecting its outputs no longer holds one) */
  private readonly procs = new Map<string, number>()
  private lastSave = 0

  constructor(private readonly d: RunnerDeps) {}

  get dataDir() {
    return this.d.store.dataDir
  }

  private runs() {
    return this.d.store.db.data.runs
  }

  /** At start-up: anything that was in flight when the app stopped is interrupted, with what it left. */
  async recover(): Promise<number> {
    const stale = Object.values(this.runs()).filter((r) => r.state === 'running' || r.state === 'queued')
    if (!stale.length) return 0
    // A crashed app's runs may still be going: end their process groups (only if they are still ours).
    for (const r of stale) if (r.pid && (await isOurClaude(r.pid, r.sessionId))) killGroup(r.pid)
    const wasRunning = stale.filter((r) => r.state === 'running').map((r) => ({ id: r.id, sessionId: r.sessionId }))
    await this.d.store.update((data) => {
      for (const r of stale) {
        const run = data.runs[r.id]
        run.reason = run.state === 'running' ? 'interrupted: the app stopped while this run was in flight' : 'interrupted: the app stopped before this run started'
        run.state = 'interrupted'
        run.endedAt = run.endedAt ?? new Date().toISOString()
      }
    })
    // what they left: the numbers of their partial traces, as every other screen shows them
    for (const r of wasRunning) {
      const session = await this.d.index.findSession(r.sessionId).catch(() => null)
      const trace = session ? await parseSessionFile(session.file).catch(() => null) : null
      if (trace) await this.d.store.update((data) => void (data.runs[r.id].progress = progressOf(trace.totals, data.runs[r.id].progress.elapsedMs))).catch(() => {})
    }
    return stale.length
  }

  private emitRun(run: Run) {
    this.d.emit('runProgress', { run })
    const batch = this.d.store.db.data.batches[run.batchId]
    if (batch) this.d.emit('batchProgress', this.batchStatus(batch))
  }

  batchStatus(batch: Batch) {
    const runs = batch.runIds.map((id) => this.runs()[id]).filter(Boolean)
    const count = (s: Run['state']) => runs.filter((r) => r.state === s).length
    return {
      batchId: batch.id,
      total: runs.length,
      queued: count('queued'),
      running: count('running'),
      done: count('done'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      interrupted: count('interrupted'),
      processes: this.procs.get(batch.id) ?? 0,
      costUsd: runs.reduce((n, r) => n + r.progress.costUsd, 0)
    }
  }

  /** Persist progress at most about once a second (the store is one JSON file). */
  private async saveSoon(force = false) {
    const now = Date.now()
    if (!force && now - this.lastSave < 1000) return
    this.lastSave = now
    await this.d.store.update(() => {})
  }

  /** Queue runs of a batch (all not-yet-finished ones, or the given ones) and start as many as allowed. */
  async start(batchId: string, runIds?: string[]): Promise<void> {
    const batch = this.d.store.db.data.batches[batchId]
    if (!batch) throw Object.assign(new Error(`no such batch: ${batchId}`), { code: 'not-found' })
    const ids = (runIds ?? batch.runIds).filter((id) => {
      const r = this.runs()[id]
      return r && !r.imported && !this.live.has(id) && (runIds ? isFinished(r.state) || r.state === 'queued' : r.state === 'queued')
    })
    // Never a silent fall-back: a preset that cannot work here refuses the start, with the reason.
    if (ids.length) {
      const preset = batch.settings.permission
      const ok = await (this.d.presetCheck ?? ((p) => presetAvailability(p, { env: this.d.env })))(preset)
      if (!ok.available) throw Object.assign(new Error(refusal(preset, ok)), { code: 'preset-unavailable' })
    }
    await this.d.store.update((data) => {
      for (const id of ids) {
        const r = data.runs[id]
        if (r.state !== 'queued') {
          // A retry: a new session, a fresh workspace, nothing of the old attempt carried over.
          Object.assign(r, { state: 'queued', reason: undefined, sessionId: randomUUID(), startedAt: undefined, endedAt: undefined, exitCode: undefined, progress: emptyProgress(), result: undefined, files: [], screenshots: [], projectId: undefined, workspace: undefined })
        }
      }
    })
    const q = this.queues.get(batchId) ?? []
    for (const id of ids) if (!q.includes(id)) q.push(id)
    this.queues.set(batchId, q)
    for (const id of ids) this.emitRun(this.runs()[id])
    this.pump(batchId)
  }

  private pump(batchId: string) {
    const batch = this.d.store.db.data.batches[batchId]
    const q = this.queues.get(batchId) ?? []
    while (q.length && (this.active.get(batchId) ?? 0) < batch.settings.concurrency) {
      const id = q.shift()!
      this.active.set(batchId, (this.active.get(batchId) ?? 0) + 1)
      const live: Live = { cancelled: false, done: Promise.resolve() }
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
          // if even this cannot be saved (disk full), the store has reported it; never an unhandled rejection
          await this.finish(id, { state: 'failed', reason: `the runner failed: ${(err as Error).message}` }).catch(() => {})
        })
        .finally(() => {
          this.live.delete(id)
          release()
        })
    }
  }

  private async finish(id: string, patch: Partial<Run>) {
    await this.d.store.update((data) => Object.assign(data.runs[id], patch, { endedAt: data.runs[id].endedAt ?? new Date().toISOString() }))
    this.emitRun(this.runs()[id])
  }

  private async execute(id: string, batch: Batch, live: Live, release: () => void): Promise<void> {
    const settings = batch.settings
    const task = batch.taskId ? this.d.store.db.data.tasks[batch.taskId] : undefined
    const run = this.runs()[id]
    const workspace = join(this.dataDir, 'workspaces', batch.id, `run-${run.number}-${run.sessionId.slice(0, 8)}`)
    const logDir = join(this.dataDir, 'runs', id)
    await mkdir(logDir, { recursive: true })
    await prepareWorkspace(workspace, task?.templateDir)
    if (live.cancelled) return this.finish(id, { state: 'cancelled', reason: 'cancelled', workspace })
    const started = Date.now()
    await this.d.store.update((data) => Object.assign(data.runs[id], { state: 'running', workspace, startedAt: new Date(started).toISOString(), progress: emptyProgress() }))
    this.emitRun(this.runs()[id])

    const tracker = new StreamTracker()
    const stream: WriteStream = createWriteStream(join(logDir, 'stream.jsonl'))
    const errLog: WriteStream = createWriteStream(join(logDir, 'stderr.txt'))
    let stderr = ''
    let timedOutMs: number | undefined
    const child = spawn(settings.claudePath || 'claude', claudeArgs(run.prompt, run.sessionId, settings), {
      cwd: workspace,
      env: { ...this.d.env, CLAUDE_CONFIG_DIR: this.d.configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true // its own process group: cancel ends the whole tree
    })
    // Listen before anything is awaited: a claude that fails at once must not exit unheard (its
    // 'close' or 'error' would be missed, and the run would stay "running" for ever).
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.on('error', (err) => {
        stderr += `\n${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `\`${settings.claudePath || 'claude'}\` was not found` : err.message}`
        resolve({ code: -1, signal: null })
      })
      child.on('close', (c, s) => resolve({ code: c, signal: s }))
    })
    live.child = child
    // cancelled while the workspace was being readied: end it at once
    if (live.cancelled) void killTree(child)
    this.procs.set(batch.id, (this.procs.get(batch.id) ?? 0) + 1)
    if (child.pid) await this.d.store.update((data) => void (data.runs[id].pid = child.pid))
    let pending = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      stream.write(chunk)
      pending += chunk.toString('utf8')
      let nl: number
      while ((nl = pending.indexOf('\n')) !== -1) {
        tracker.line(pending.slice(0, nl))
        pending = pending.slice(nl + 1)
      }
      const r = this.runs()[id]
      r.progress = { ...tracker.progress, elapsedMs: Date.now() - started }
      this.emitRun(r)
      // a failed save (disk full) is undone and reported by the store as a notice; the run goes on
      void this.saveSoon().catch(() => {})
    })
    child.stderr!.on('data', (c: Buffer) => {
      errLog.write(c)
      stderr = (stderr + c.toString('utf8')).slice(-8192)
    })
    const timer = setTimeout(() => {
      timedOutMs = settings.timeoutMs
      void killTree(child)
    }, settings.timeoutMs)
    const ticker = setInterval(() => {
      const r = this.runs()[id]
      r.progress = { ...tracker.progress, elapsedMs: Date.now() - started }
      this.emitRun(r)
    }, 1000)
    const { code, signal } = await exited
    clearTimeout(timer)
    clearInterval(ticker)
    this.procs.set(batch.id, (this.procs.get(batch.id) ?? 1) - 1)
    release()
    if (pending.trim()) tracker.line(pending)
    await new Promise((r) => stream.end(r))
    await new Promise((r) => errLog.end(r))
    // Whatever the agent left running in its group goes too.
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      /* already gone */
    }

    const verdict = explain({ result: tracker.result, code, signal, cancelled: live.cancelled, timedOutMs, stderr, settings })
    const patch: Partial<Run> = {
      pid: undefined,
      state: verdict.ok ? 'done' : live.cancelled ? 'cancelled' : 'failed',
      reason: verdict.reason,
      exitCode: code,
      result: tracker.result?.result,
      progress: { ...tracker.progress, elapsedMs: Date.now() - started },
      endedAt: new Date().toISOString()
    }
    // Outputs: even a failed or cancelled run keeps what it made, its stderr and its partial trace.
    patch.files = await diffWorkspace(workspace, task?.templateDir).catch(() => [])
    patch.screenshots = await this.shoot(id, workspace, patch.files)
    const session = await this.d.index.findSession(run.sessionId).catch(() => null)
    if (session) {
      // the numbers every other screen shows: its trace's (src/shared/numbers.ts)
      const trace = await parseSessionFile(session.file).catch(() => null)
      if (trace) patch.progress = progressOf(trace.totals, patch.progress!.elapsedMs)
      patch.projectId = session.projectId
      await archiveSession(this.d.store, { sessionId: run.sessionId, projectId: session.projectId, file: session.file, cwd: workspace }).catch(() => null)
    }
    await this.finish(id, patch)
  }

  private async shoot(id: string, workspace: string, files: Run['files']): Promise<Run['screenshots']> {
    if (!this.d.screenshots) return []
    const html = files.filter((f) => f.status !== 'deleted' && /\.html?$/i.test(f.path)).slice(0, MAX_SHOTS_PER_RUN)
    const out: Run['screenshots'] = []
    for (const f of html) {
      const name = basename(f.path).replace(/[^A-Za-z0-9._-]/g, '_')
      const shots = await this.d.screenshots
        .capture({ htmlFile: join(workspace, f.path), root: workspace, outDir: join(this.dataDir, 'runs', id, 'screenshots'), name: `${out.length + 1}-${name}` })
        .catch((err: Error) => [{ label: 'desktop' as const, width: 0, height: 0, file: '', bytes: 0, blank: true, timedOut: false, blockedRequests: [], error: err.message }])
      out.push({ html: f.path, shots })
    }
    return out
  }

  /** Render a finished run's HTML outputs again (after a screenshot failed or timed out). */
  async retakeScreenshots(runId: string): Promise<Run> {
    const run = this.runs()[runId]
    if (!run) throw Object.assign(new Error(`no such run: ${runId}`), { code: 'not-found' })
    if (this.live.has(runId) || !isFinished(run.state)) throw Object.assign(new Error('the run is still going: retake its screenshots when it has finished'), { code: 'busy' })
    if (!run.workspace || run.imported) throw Object.assign(new Error('this run has no workspace of its own to render'), { code: 'invalid' })
    if (!this.d.screenshots) throw Object.assign(new Error('screenshots are not available here (no Chromium)'), { code: 'invalid' })
    const screenshots = await this.shoot(runId, run.workspace, run.files)
    await this.d.store.update((data) => void (data.runs[runId].screenshots = screenshots))
    this.emitRun(this.runs()[runId])
    return this.runs()[runId]
  }

  async cancel(runId: string): Promise<boolean> {
    const run = this.runs()[runId]
    if (!run) throw Object.assign(new Error(`no such run: ${runId}`), { code: 'not-found' })
    const live = this.live.get(runId)
    if (live) {
      live.cancelled = true
      if (live.child) await killTree(live.child)
      await live.done
      return true
    }
    if (run.state === 'queued') {
      const q = this.queues.get(run.batchId)
      if (q) this.queues.set(run.batchId, q.filter((x) => x !== runId))
      await this.finish(runId, { state: 'cancelled', reason: 'cancelled before it started' })
      return true
    }
    return false
  }

  async cancelBatch(batchId: string): Promise<number> {
    const batch = this.d.store.db.data.batches[batchId]
    if (!batch) throw Object.assign(new Error(`no such batch: ${batchId}`), { code: 'not-found' })
    // Queued ones first, so none of them starts while the running ones stop.
    const queued = batch.runIds.filter((id) => this.runs()[id]?.state === 'queued' && !this.live.has(id))
    for (const id of queued) await this.cancel(id)
    const running = batch.runIds.filter((id) => this.live.has(id))
    await Promise.all(running.map((id) => this.cancel(id)))
    return queued.length + running.length
  }

  /** Resolves when no run of the batch is queued or running. */
  async idle(batchId: string): Promise<void> {
    for (;;) {
      const batch = this.d.store.db.data.batches[batchId]
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
    if (!this.d.store.readOnly) await this.saveSoon(true).catch(() => {})
  }

  /** The files a finished workspace holds (for the outputs view). */
  files(workspace: string) {
    return listFiles(workspace)
  }
}

/** Is `pid` a claude process of this run (its --session-id on the command line)? */
async function isOurClaude(pid: number, sessionId: string): Promise<boolean> {
  try {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    return cmd.includes(sessionId)
  } catch {
    return false
  }
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    /* gone */
  }
}

/** New runs for a batch: one per variation per repeat, numbered 1..n. */
export function planRuns(batchId: string, variations: { id?: string; difficulty?: Run['difficulty']; prompt: string }[], settings: RunSettings): Run[] {
  const runs: Run[] = []
  for (const v of variations) {
    for (let repeat = 1; repeat <= settings.repeats; repeat++) {
      runs.push({
        id: randomUUID(),
        batchId,
        number: runs.length + 1,
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
      })
    }
  }
  return runs
}
