/**
 * At start-up: what a stopped app left half-done of its verifications (a skill installed in a run's
 * folder, variations being written, pairs being explained, runs being graded by the grader). Run by the operations' recovery, after the
 * runner's (which has marked the runs it interrupted). Electron-free.
 */
import type { Run } from '../../shared/runs'
import { errorFields } from '../log/log'
import { change, type VerifyContext } from './context'
import { skillNamesOf, uninstall } from './install'

export async function recoverVerifications(ctx: Pick<VerifyContext, 'store' | 'emit' | 'log'>): Promise<void> {
  // runs the stop interrupted (the runner's recovery, just before, marked them), or that failed on the way,
  // may still hold the skill installed for them
  const left = (state: Run['state']) => state === 'interrupted' || state === 'failed'
  for (const id of ctx.store.verifications.ids()) {
    const batchId = ctx.store.verifications.head(id)?.batchId
    if (!batchId || !ctx.store.batches.head(batchId)?.runs.some((r) => left(r.state))) continue
    // one that cannot be read (the store reports it) keeps nothing of the others from being recovered
    const unread = (e: unknown) =>
      void ctx.log.warn({ verificationId: id, batchId, error: errorFields(e) }, 'a verification could not be read at start-up')
    const v = await ctx.store.verifications.get(id).catch(unread)
    const doc = await ctx.store.batches.get(batchId).catch(unread)
    if (!v || !doc) continue
    for (const r of ctx.store.batches.runsOf(doc))
      if (left(r.state) && r.workspace)
        await uninstall(r.workspace, skillNamesOf(v)).catch((e) =>
          ctx.log.warn({ verificationId: id, runId: r.id, error: errorFields(e) }, 'a skill left installed could not be taken out')
        )
  }
  // the verifications a stopped app was preparing (their heads say so) or explaining (their operations say so)
  const explaining = new Set<string>()
  for (const opId of ctx.store.operations.running()) {
    const h = ctx.store.operations.head(opId)
    if (h?.kind === 'verify' && h.subject) explaining.add(h.subject)
  }
  for (const id of ctx.store.verifications.ids()) {
    const phase = ctx.store.verifications.head(id)?.phase
    if (phase !== 'generating' && phase !== 'building' && !explaining.has(id)) continue
    await change(ctx, id, (x) => {
      if (x.phase === 'generating') {
        x.phase = 'interrupted'
        x.error = 'the app stopped while the variations were being written'
      }
      if (x.phase === 'building') {
        x.phase = 'interrupted'
        x.error = 'the app stopped while the candidates were being built'
        if (x.build?.state === 'running') x.build = { ...x.build, state: 'interrupted' }
      }
      // graded by the grader alone, stopped while grading: the grades made are kept, a resume grades the rest
      if (x.autoGrade && (x.autoGrade.state === 'waiting' || x.autoGrade.state === 'running'))
        x.autoGrade = { ...x.autoGrade, state: 'interrupted', error: 'interrupted: the app stopped; resume grades the runs left' }
      for (const [k, e] of Object.entries(x.explanations))
        if (e.state === 'running') x.explanations[k] = { ...e, state: 'failed', error: 'interrupted: the app stopped' }
    }).catch((e) => ctx.log.error({ verificationId: id, error: errorFields(e) }, 'an interrupted verification could not be saved'))
  }
}
