/**
 * Going on after a cancel, a failure or a stopped app: the variations are written again (and the batch
 * made), or the runs that did not finish run again. Electron-free.
 */
import { fail } from '../../shared/contract'
import type { VerificationView } from '../../shared/verify'
import { startAutoGrade, ungradedRuns } from './auto-grade'
import { startRuns } from './batch'
import { resumeBuild, toBuild } from './candidates-start'
import { change, verificationOf, type VerifyContext } from './context'
import { generateThenRun } from './start'
import { runsOfVerification, viewOf } from './view'

export async function resumeVerification(ctx: VerifyContext, id: string): Promise<VerificationView> {
  const v = await verificationOf(ctx, id)
  if (ctx.operations.running('verify', id).some((op) => op.params.step === 'generate')) throw fail('it is being prepared already', 'busy')
  if (toBuild(v)) await resumeBuild(ctx, id)
  else if (v.phase !== 'created') {
    await change(ctx, id, (x) => {
      x.phase = 'generating'
      delete x.error
    })
    generateThenRun(ctx, id)
  } else {
    const runs = await runsOfVerification(ctx, v)
    const again = runs.filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted').map((r) => r.id)
    // graded by the grader alone, stopped while grading: the runs left ungraded are graded
    if (!again.length && (await ungradedRuns(ctx, id))) {
      await startAutoGrade(ctx, id, v.batchId!)
      return viewOf(ctx, await verificationOf(ctx, id))
    }
    if (!again.length) throw fail('every run has finished: nothing to resume', 'invalid')
    // a run made again is graded again: a grade of what the stopped run left would not be about it
    await ctx.store.batches.update(v.batchId!, (doc) => {
      for (const runId of again) delete doc.runs[runId].feedback
    })
    await startRuns(ctx, v.batchId!, again)
  }
  return viewOf(ctx, await verificationOf(ctx, id))
}
