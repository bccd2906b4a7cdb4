/**
 * Running one analyst again; when it is done, the skill is merged again (a new version). While the
 * process lives the analysis's fleets are reused; after a restart the context is rebuilt from the same
 * runs and the analysts that had finished keep their rules. It runs with what the analysis was started
 * with. Electron-free.
 */
import type { Analysis } from '../../shared/analysis'
import { fail } from '../../shared/contract'
import { inSeedOrder } from '../../shared/shuffle'
import { ANALYSTS, type AnalystKind } from '../../shared/skills'
import { rendered } from '../skills/service'
import { contextBudget, groupRuns } from './budget'
import {
  analysisOf,
  paramsOf,
  portFor,
  removeEvidence,
  running,
  save,
  type AnalysisContext,
  type AnalysisParams,
  type Fleets
} from './context'
import { ending, finishAnalysts, startFleets } from './fleets'
import { runsForAnalysis } from './prepare'
import { aggregateAnalyst, publisher } from './status'

export interface RetryOptions {
  /** what the analysts should know of how the runs were made (a verification's arms): read when the context is rebuilt */
  notes?: string
}

export async function retryAnalyst(
  ctx: AnalysisContext,
  analysisId: string,
  kind: AnalystKind,
  opts: RetryOptions = {}
): Promise<Analysis> {
  const a = await analysisOf(ctx, analysisId)
  if (running(ctx, analysisId) || a.state === 'analysing' || a.state === 'merging')
    throw fail('The analysis is still running; retry when it has finished.', 'busy')
  const params = await paramsOf(ctx, a)
  const e = ctx.inMemory.get(analysisId)
  if (e && e.fleets.length && e.fleets.every((f) => f.status.has(kind))) {
    await retryInMemory(ctx, a, kind, params, e)
    return analysisOf(ctx, analysisId)
  }
  const port = await portFor(ctx, params.via, params.claudePath)
  const batch = await ctx.store.batches.get(a.batchId)
  if (!batch) throw fail(`the batch of this analysis is gone: ${a.batchId}`, 'not-found')
  const wanted = new Set(a.runNumbers)
  const runs = ctx.store.batches.runsOf(batch).filter((r) => wanted.has(r.number) && !!r.feedback?.label)
  if (!runs.length) throw fail('None of the runs of this analysis is graded any more.', 'invalid')
  const { list } = await runsForAnalysis(
    ctx,
    runs.sort((x, y) => x.number - y.number)
  )
  const deepen = a.deepenSkillId ? await ctx.store.skills.get(a.deepenSkillId) : undefined
  // every analyst that had not finished runs again; finished ones keep what they found
  const kept = (e ? ANALYSTS.map((k) => aggregateAnalyst(k, e.fleets, e.kept)) : a.analysts).filter(
    (s) => s.state === 'done' && s.kind !== kind
  )
  const kinds = ANALYSTS.filter((k) => !kept.some((s) => s.kind === k))
  await save(ctx, {
    ...a,
    state: 'analysing',
    endedAt: undefined,
    analysts: ANALYSTS.map((k) => kept.find((s) => s.kind === k) ?? { ...a.analysts.find((s) => s.kind === k)!, state: 'queued' as const })
  })
  await startFleets(ctx, {
    analysisId,
    list,
    // in the order the analysis first read them (its seed's)
    chunks: groupRuns(inSeedOrder(list, params.seed), contextBudget(a.model), { mobile: a.mobile }),
    port,
    params: { ...params },
    existingMd: deepen ? rendered(deepen).skillMd : undefined,
    notes: opts.notes,
    resume: { kinds, kept }
  })
  return analysisOf(ctx, analysisId)
}

/** The analysis's fleets are still here: the analyst runs again in each (the claude -p evidence folders made again first). */
async function retryInMemory(ctx: AnalysisContext, a: Analysis, kind: AnalystKind, params: AnalysisParams, e: Fleets) {
  await save(ctx, { ...a, state: 'analysing', endedAt: undefined })
  ctx.operations.start({ kind: 'analysis', subject: a.id, params: { ...params, retry: kind } }, (op) =>
    ending(ctx, op, a.id, async () => {
      const pub = publisher(ctx, op, a.id, e)
      try {
        // the claude -p evidence folders were removed when the analysts ended: made again
        for (const make of e.folders) await make()
        await Promise.all(
          e.fleets.map((f) => (f.status.get(kind)?.state === 'done' ? Promise.resolve() : f.retry(kind, op.signal).then(() => undefined)))
        )
      } finally {
        await removeEvidence(ctx, a.id)
      }
      await pub.settled()
      pub.stop()
      return finishAnalysts(ctx, op, a.id, e)
    })
  )
}
