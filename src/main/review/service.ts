/**
 * The review domain (step 2 of the workflow): grading runs (feedback, and its plain-text export and
 * import), signals computed from the runs' traces, and run-to-run file comparison. The contract
 * handlers (src/main/app/review-handlers.ts) only adapt requests to these. Electron-free.
 */
import { fail } from '../../shared/contract'
import { formatFeedbackLine, parseFeedback, type Feedback, type Run } from '../../shared/runs'
import type { RunMetrics, RunSignals } from '../../shared/signals'
import { batchSignals, traceMetrics } from '../analysts/signals'
import { diffRunOutputs } from '../base/workspace'
import { derivedFromTrace, type TraceSource } from '../traces/derived'
import type { BatchDoc, Store } from '../store/store'

export interface ReviewContext extends TraceSource {
  store: Store
}

/** Metrics of one run, from its trace; read again only when its session file changed. */
function createMetricsReader(ctx: ReviewContext) {
  const derived = derivedFromTrace<RunMetrics>(ctx)
  return async (run: Run): Promise<RunSignals> => {
    if (run.state === 'queued' || run.state === 'running')
      return { runId: run.id, number: run.number, metrics: null, warning: 'still running' }
    try {
      return { runId: run.id, number: run.number, metrics: await derived(run, '', traceMetrics) }
    } catch (err) {
      return { runId: run.id, number: run.number, metrics: null, warning: `no trace: ${(err as Error).message}` }
    }
  }
}

export function createReviewService(ctx: ReviewContext) {
  const { store } = ctx
  const now = () => new Date().toISOString()
  const metricsOf = createMetricsReader(ctx)
  const batchOf = async (id: string): Promise<BatchDoc> => {
    const b = await store.batches.get(id)
    if (!b) throw fail(`no such batch: ${id}`, 'not-found')
    return b
  }
  const runOf = async (id: string) => {
    const got = await store.batches.run(id)
    if (!got) throw fail(`no such run: ${id}`, 'not-found')
    return got
  }

  return {
    /** Grade one run (or clear its grade with a null label); only its batch's document is written. */
    async saveFeedback(runId: string, label: Feedback['label'], text: string): Promise<Run> {
      const { batch } = await runOf(runId)
      await store.batches.update(batch.batch.id, (d) => void (d.runs[runId].feedback = { label, text, updatedAt: now() }))
      return batch.runs[runId]
    },
    /** The batch's feedback as plain text, one `Run N: good - sentence` line per graded run. */
    async exportFeedback(batchId: string) {
      // in run-number order (a verification's runs are queued in another order than their numbers)
      const runs = store.batches.runsOf(await batchOf(batchId)).sort((x, y) => x.number - y.number)
      const graded = runs.filter((r) => r.feedback?.label)
      return {
        text: graded.map((r) => formatFeedbackLine(r.number, r.feedback!)).join('\n') + (graded.length ? '\n' : ''),
        graded: graded.length,
        total: runs.length
      }
    },
    /** Pasted plain-text feedback: all lines or none; every problem reported by line. */
    async importFeedback(batchId: string, text: string) {
      const runs = store.batches.runsOf(await batchOf(batchId))
      const parsed = parseFeedback(
        text,
        runs.map((r) => r.number)
      )
      if (parsed.errors.length) return { applied: 0, errors: parsed.errors }
      await store.batches.update(batchId, (d) => {
        const same = (x: string) => x.trim().replace(/\s+/g, ' ')
        for (const e of parsed.entries) {
          const run = runs.find((r) => r.number === e.number)!
          const had = d.runs[run.id].feedback
          // the same grade, sentence and grader (one line folds whitespace): kept as it was, its time too
          if (had?.label === e.label && same(had.text) === same(e.text) && (had.by === 'grader') === (e.by === 'grader')) continue
          // a line marked "(grader)" stays the grader's grade: it is never read as the person's
          d.runs[run.id].feedback = { label: e.label, text: e.text, updatedAt: now(), ...(e.by ? { by: e.by } : {}) }
        }
      })
      return { applied: parsed.entries.length, errors: [] as string[] }
    },
    /** Per-run numbers and tool sequences from the traces, and what sets bad runs apart from good ones. */
    async signals(batchId: string) {
      const runs = store.batches.runsOf(await batchOf(batchId))
      const perRun = await Promise.all(runs.map(metricsOf))
      const labelled = perRun
        .map((s, i) => ({ number: s.number, label: runs[i].feedback?.label ?? null, metrics: s.metrics }))
        .filter((r): r is typeof r & { metrics: RunMetrics } => r.metrics !== null)
      return { runs: perRun, batch: batchSignals(labelled) }
    },
    /** The files two runs produced, each path run A's version diffed against run B's. */
    async compareFiles(runA: string, runB: string) {
      return diffRunOutputs((await runOf(runA)).run, (await runOf(runB)).run)
    }
  }
}
export type ReviewService = ReturnType<typeof createReviewService>
