/**
 * Analyses (step 3): the graded runs of a batch, condensed to the model's budget (in groups when they do
 * not fit one context), read by four analysts in parallel; then the merge of their rules into a skill (a
 * new skill, or a new version of the one deepened), hierarchically when the runs were analysed in
 * groups. An analysis is an operation, and its merge a part of it: cancelling it aborts every model call,
 * the merge's included. What it was started with (model, via, claude path) is kept with the operation, so
 * a retry (also after a restart) uses the same. Each use case is a module of its own taking the context
 * (context.ts): prepare (and the estimate), start, fleets, merge, status, retry, recover, candidates; this file wires
 * them. Electron-free.
 */
import type { Analysis } from '../../shared/analysis'
import type { AnalystKind } from '../../shared/skills'
import { buildCandidates, estimateCandidates, type CandidatesInput, type CandidatesOptions } from './candidates'
import { analysisContext, analysisOf, running, type AnalysisServiceDeps, type StartAnalysis } from './context'
import { estimateAnalysis } from './prepare'
import { recoverAnalyses } from './recover'
import { retryAnalyst, type RetryOptions } from './retry'
import { startAnalysis } from './start'

export type { AnalysisParams, AnalysisServiceDeps, StartAnalysis } from './context'
export type { BuiltCandidates, CandidatesInput, CandidatesOptions, CandidatesProgress, CandidateVersion } from './candidates'
export { CandidatesError } from './candidates'
export type AnalysisService = ReturnType<typeof createAnalysisService>

export function createAnalysisService(d: AnalysisServiceDeps) {
  const ctx = analysisContext(d)
  const { store, operations } = ctx
  return {
    analysisOf: (id: string) => analysisOf(ctx, id),
    /** analyses that were running when the app stopped (the start-up recovery of the operations runs it) */
    recover: () => recoverAnalyses(ctx),
    /** resolves when the analysis has finished, its merge (a part of its operation) and any retry started meanwhile included (tests, CLI) */
    async idle(analysisId: string) {
      await operations.whenSettled('analysis', analysisId)
      await operations.whenSettled('merge', analysisId)
    },
    /** what an analysis would read and cost; `notes`: what the caller knows of how the runs were made */
    estimate: (input: Omit<StartAnalysis, 'claudePath'>) => estimateAnalysis(ctx, input),
    /** start an analysis; `notes`: what the caller knows of how the runs were made (a verification's arms and pairs) */
    start: (input: StartAnalysis): Promise<Analysis> => startAnalysis(ctx, input),
    async list(batchId?: string) {
      const list = await Promise.all(store.analyses.ofBatch(batchId).map((id) => store.analyses.get(id)))
      return list.filter((a): a is Analysis => !!a).sort((x, y) => y.createdAt.localeCompare(x.createdAt))
    },
    cancelAnalyst(analysisId: string, kind: AnalystKind) {
      const e = ctx.inMemory.get(analysisId)
      if (!e || !running(ctx, analysisId)) return { cancelled: false }
      for (const f of e.fleets) f.cancel(kind)
      return { cancelled: true }
    },
    /** Cancel the analysis: its analysts and its merge (one signal). */
    cancel(analysisId: string) {
      const op = running(ctx, analysisId)
      return { cancelled: op ? operations.cancel(op.id) : false }
    },
    /** N candidate versions of one skill from a batch's graded runs (each a seeded analysis), one after another; the signal cancels */
    buildCandidates: (input: CandidatesInput, opts: CandidatesOptions) => buildCandidates(ctx, input, opts),
    /** what buildCandidates would cost: N analysis estimates */
    estimateCandidates: (input: CandidatesInput) => estimateCandidates(ctx, input),
    /** Run one analyst again, then merge again (a new version); `notes` as for the start (read when the context is rebuilt after a restart). */
    retryAnalyst: (analysisId: string, kind: AnalystKind, opts?: RetryOptions): Promise<Analysis> =>
      retryAnalyst(ctx, analysisId, kind, opts)
  }
}
