/**
 * A verification graded with the grader asking the person (`grade: 'assist'`): a run the grader is
 * unsure of is not saved as graded; it stays ungraded in the blind deck, the grader's grade kept as the
 * batch's pre-grade of it (marked unsure, with why), for the person to confirm (Enter) or flip (f) as
 * any pre-grade. Nothing of a run's arm is in it. Electron-free.
 */
import type { Pregrade, RunGrade } from '../../shared/grading'
import { now, type VerifyContext } from './context'

/** The grader's unsure grade of a run, kept as a pre-grade of the verification's batch (the person's grade, when there is one, is kept). */
export async function leaveForPerson(
  ctx: Pick<VerifyContext, 'store' | 'emit'>,
  batchId: string,
  grade: RunGrade,
  by: { rubricId: string; versionId: string; model: string; measured: Pregrade['measured'] }
): Promise<void> {
  const doc = await ctx.store.batches.get(batchId)
  if (!doc || doc.runs[grade.runId]?.feedback?.label) return
  const before = await ctx.store.pregrades.get(batchId)
  const entry = { ...grade, at: now() }
  const p: Pregrade = before
    ? { ...before, grades: { ...before.grades, [grade.runId]: entry } }
    : {
        batchId,
        rubricId: by.rubricId,
        rubricVersionId: by.versionId,
        via: 'api',
        model: by.model,
        state: 'done',
        createdAt: now(),
        endedAt: now(),
        progress: { done: 1, total: 1 },
        costUsd: 0,
        grades: { [grade.runId]: entry },
        failed: [],
        measured: by.measured
      }
  await ctx.store.pregrades.put(p)
  ctx.emit('pregradeProgress', { pregrade: p })
}
