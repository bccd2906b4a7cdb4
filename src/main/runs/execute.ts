/**
 * Running one run of a batch: its workspace readied by the backend (and by the batch's preparer: a
 * verification's skill), the agent launched and watched (attempt.ts), what it left collected
 * (collect.ts) and its HTML outputs rendered (shots.ts); its state saved and shown at each stage.
 * Electron-free.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { emptyProgress, type Batch, type Run } from '../../shared/runs'
import { RUN_MARKER } from '../base/processes'
import { errorFields, type Log } from '../log/log'
import { Coalescer } from '../operations/coalesce'
import type { BatchDoc } from '../store/store'
import { runAgent } from './attempt'
import { collectRun } from './collect'
import type { BatchStartOptions, RunnerDeps } from './runner'
import { shootRun } from './shots'

/** Live progress to the screens: at most every this often per run (state changes go at once). */
const PROGRESS_EVERY_MS = 250

/** A run being run. */
export interface Live {
  batchId: string
  /** ends the agent's process (set once it started) */
  end?: () => Promise<void>
  /** aborted by a cancel of the run or of its batch's operation: ends its agent */
  controller: AbortController
  done: Promise<void>
  /** takes out what the preparer put in the workspace, until it has been done */
  cleanup?: () => Promise<void>
}

/** What running one run needs of the runner. */
export interface RunContext {
  d: RunnerDeps
  log: Log
  dataDir: string
  doc(batchId: string): BatchDoc
  save(batchId: string, fn: (d: BatchDoc) => void): Promise<unknown>
  emitRun(run: Run): void
  finish(batchId: string, id: string, patch: Partial<Run>): Promise<void>
  /** agent processes alive per batch, up or down */
  processes(batchId: string, delta: 1 | -1): void
}

export async function executeRun(
  ctx: RunContext,
  { id, batch, live, release, options: opts }: { id: string; batch: Batch; live: Live; release: () => void; options: BatchStartOptions }
): Promise<void> {
  const { driver, backend } = ctx.d
  const settings = batch.settings
  const task = batch.taskId ? ctx.d.store.index.task(batch.taskId) : undefined
  const doc = ctx.doc(batch.id)
  const run = doc.runs[id]
  const folder = opts.folderName?.(batch, run) ?? `run-${run.number}-${run.sessionId.slice(0, 8)}`
  const workspace = join(ctx.dataDir, 'workspaces', batch.id, folder)
  const logDir = join(ctx.dataDir, 'runs', id)
  await mkdir(logDir, { recursive: true })
  const place = await backend.prepare({ workspace, templateDir: task?.templateDir, sessionId: run.sessionId })
  let ended = false
  try {
    // what the agent would load as its own project settings never comes from a template
    const notLoaded = await driver.readyWorkspace(workspace)
    const prepared = (await opts.prepare?.(batch, run, workspace)) || {}
    /** what the preparer put in the workspace goes before its files are read, once, whatever happens (a failure is said) */
    const cleanup = (live.cleanup = async () => {
      live.cleanup = undefined
      await prepared
        .cleanup?.()
        .catch((err: Error) =>
          ctx.d.emit('notice', { level: 'error', message: `Could not take the installed skill out of ${workspace}: ${err.message}` })
        )
    })
    const cancelled = live.controller.signal
    if (cancelled.aborted) {
      await cleanup()
      return await ctx.finish(batch.id, id, { state: 'cancelled', reason: 'cancelled', workspace })
    }
    const started = Date.now()
    await ctx.save(
      batch.id,
      (data) =>
        void Object.assign(data.runs[id], {
          state: 'running',
          workspace,
          startedAt: new Date(started).toISOString(),
          progress: emptyProgress()
        })
    )
    ctx.emitRun(doc.runs[id])

    // progress: in memory and on screen a few times a second, in the batch's file within a second
    const op = ctx.d.operations?.running('batch', batch.id)[0]
    const toScreen = (progress: Run['progress']) => {
      ctx.d.store.batches.patch(batch.id, (d) => void (d.runs[id].progress = progress), 1000)
      ctx.emitRun(doc.runs[id])
    }
    const { exit, monitor, stderr, timedOutMs } = await runAgent(
      { driver, backend },
      {
        spec: {
          prompt: run.prompt,
          sessionId: run.sessionId,
          settings,
          workspace,
          tmpDir: place.tmpDir,
          tmpRoot: place.tmpRoot,
          logDir,
          dataDir: ctx.dataDir,
          appEnv: ctx.d.env,
          marker: { name: RUN_MARKER, value: run.sessionId }
        },
        started,
        signal: cancelled,
        progress: op ? op.events(toScreen, PROGRESS_EVERY_MS) : new Coalescer(PROGRESS_EVERY_MS, toScreen),
        onStart: async (proc) => {
          live.end = () => proc.end()
          ctx.processes(batch.id, 1)
          const identity = await proc.identity()
          if (identity)
            await ctx.save(batch.id, (data) => void Object.assign(data.runs[id], { pid: identity.pid, pidStartedAt: identity.startedAt }))
        },
        onExit: async () => {
          ctx.processes(batch.id, -1)
          release()
          // the agent has exited: what follows is collecting its outputs, its own stage on every screen
          await ctx.save(batch.id, (data) => void (data.runs[id].collecting = true))
          ctx.emitRun(doc.runs[id])
        }
      }
    )
    await place.dispose()
    ended = true
    await cleanup()

    const verdict = driver.verdict(monitor, {
      code: exit.code,
      signal: exit.signal,
      cancelled: cancelled.aborted,
      timedOutMs,
      stderr,
      settings
    })
    const patch = await collectRun(
      { store: ctx.d.store, driver, backend, log: ctx.log },
      { run, workspace, templateDir: task?.templateDir, hide: prepared.hide ?? [], notLoaded, monitor, started }
    )
    Object.assign(patch, {
      pid: undefined,
      pidStartedAt: undefined,
      state: verdict.ok ? 'done' : cancelled.aborted ? 'cancelled' : 'failed',
      reason: verdict.reason,
      exitCode: exit.code
    } satisfies Partial<Run>)
    patch.screenshots = ctx.d.screenshots
      ? await shootRun(ctx.d.screenshots, { dataDir: ctx.dataDir, runId: id, workspace, files: patch.files ?? [] })
      : []
    await ctx.finish(batch.id, id, patch)
  } finally {
    if (!ended)
      await place
        .dispose()
        .catch((e) => ctx.log.warn({ runId: id, error: errorFields(e) }, "a run's temporary folder could not be removed"))
  }
}
