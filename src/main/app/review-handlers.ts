/**
 * Contract handlers for step 2 beyond feedback: signals from the traces and run-to-run file
 * comparison. Electron-free.
 */
import { stat } from 'node:fs/promises'
import type { Run } from '../../shared/runs'
import type { RunMetrics, RunSignals } from '../../shared/signals'
import type { Trace } from '../../shared/trace'
import { batchSignals, traceMetrics } from '../analysts/signals'
import { diffRunOutputs } from '../runs/workspace'
import type { Store } from '../store/store'
import { fail, type Handlers } from './dispatch'

export interface ReviewContext {
  store: Store
  /** the parsed trace of a session, from its file or the app's archive */
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
}

/** Metrics of one run, from its trace; cached by session file size and time so a re-open reads nothing. */
function createMetricsReader(ctx: ReviewContext) {
  const cache = new Map<string, { key: string; metrics: RunMetrics }>()
  return async (run: Run): Promise<RunSignals> => {
    if (run.state === 'queued' || run.state === 'running') return { runId: run.id, number: run.number, metrics: null, warning: 'still running' }
    try {
      const trace = await ctx.readTrace(run.sessionId, run.projectId)
      const st = await stat(trace.file).catch(() => null)
      const key = `${trace.file}|${st?.size}|${st?.mtimeMs}`
      const hit = cache.get(run.id)
      if (hit && hit.key === key) return { runId: run.id, number: run.number, metrics: hit.metrics }
      const metrics = traceMetrics(trace)
      cache.set(run.id, { key, metrics })
      return { runId: run.id, number: run.number, metrics }
    } catch (err) {
      return { runId: run.id, number: run.number, metrics: null, warning: `no trace: ${(err as Error).message}` }
    }
  }
}

export function createReviewHandlers(ctx: ReviewContext): Pick<Handlers, 'getSignals' | 'compareFiles'> {
  const data = () => ctx.store.db.data
  const metricsOf = createMetricsReader(ctx)
  const runOf = (id: string) => data().runs[id] ?? (() => { throw fail(`no such run: ${id}`) })()
  return {
    async getSignals({ batchId }) {
      const batch = data().batches[batchId]
      if (!batch) throw fail(`no such batch: ${batchId}`)
      const runs = batch.runIds.map((id) => data().runs[id]).filter(Boolean)
      const perRun = await Promise.all(runs.map(metricsOf))
      const labelled = perRun
        .map((s, i) => ({ number: s.number, label: runs[i].feedback?.label ?? null, metrics: s.metrics }))
        .filter((r): r is typeof r & { metrics: RunMetrics } => r.metrics !== null)
      return { runs: perRun, batch: batchSignals(labelled) }
    },
    async compareFiles({ runA, runB }) {
      return diffRunOutputs(runOf(runA), runOf(runB))
    }
  }
}
