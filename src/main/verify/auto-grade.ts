/**
 * A verification graded by the grader alone (`grade: 'auto'`, for unattended and CI use): once its runs
 * have finished, the grader grades every run not graded yet with the task's rubric, from what the person
 * would see of it (never its arm nor the skill), each grade saved as the run's feedback marked as the
 * grader's (`by: 'grader'`). Its own operation (progress on the verification, a cancel of the
 * verification reaching the model call in flight); with the last grade the verification is no longer
 * blind and its report is there, as when the person has graded every run. Electron-free.
 */
import { fail } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { isFinished, type Run } from '../../shared/runs'
import type { Verification } from '../../shared/verify'
import { apiModel, type ModelPort } from '../analysts/model'
import { appSecretsOf } from '../analysts/redaction'
import { gradeEach, rubricFor } from '../grading/pregrade'
import { errorFields } from '../log/log'
import { change, now, verificationOf, type VerifyContext } from './context'

type Ctx = Pick<VerifyContext, 'store' | 'emit' | 'operations' | 'log' | 'apiAccess' | 'env' | 'port'>
type AutoGrade = NonNullable<Verification['autoGrade']>

/** The model that grades a verification alone. */
export const AUTO_GRADE_MODEL = DEFAULT_ANALYST_MODEL

/** The refusal of `grade: 'auto'` when the task has no rubric, before anything runs. */
export function refuseAutoWithoutRubric(ctx: Pick<VerifyContext, 'store'>, taskId: string | undefined): string {
  const rubricId = taskId ? ctx.store.rubrics.ofTask(taskId, '') : undefined
  if (rubricId) return rubricId
  throw fail(
    taskId
      ? "grade auto: the skill's task has no rubric to grade with yet: build it from a graded batch of the task first (trace2skill rubric <batch>), then measure how far to trust it (trace2skill grader <batch>)"
      : 'grade auto: the skill has no task (it was learned from imported sessions), so there is no rubric to grade with: grade it yourself (--grade person)',
    'invalid'
  )
}

/**
 * Start the grading operation of an 'auto' verification: it waits for the runs to finish (a start of
 * runs, or a resume, starts one when none is running), then grades every finished run not graded yet.
 */
export async function startAutoGrade(ctx: Ctx, id: string, batchId: string): Promise<void> {
  if (ctx.operations.running('verify', id).some((op) => op.params.step === 'grade')) return
  const set = (fn: (a: AutoGrade) => AutoGrade) =>
    change(ctx, id, (x) => {
      x.autoGrade = fn(x.autoGrade ?? { state: 'waiting', done: 0, total: 0, costUsd: 0, model: AUTO_GRADE_MODEL, failed: [] })
    })
  // said before it is given back: what reads it next never sees an earlier grading's end
  await set(({ error: _e, ...a }) => ({ ...a, state: 'waiting' }))
  ctx.operations.start({ kind: 'verify', subject: id, params: { step: 'grade' } }, async (op) => {
    await ctx.operations.whenSettled('batch', batchId)
    try {
      op.signal.throwIfAborted()
      const doc = await ctx.store.batches.get(batchId)
      if (!doc) throw new Error(`the verification's runs are gone (batch ${batchId})`)
      const todo = ctx.store.batches.runsOf(doc).filter((r) => isFinished(r.state) && !r.feedback?.label)
      const rubric = await rubricFor(ctx.store, batchId)
      const port: ModelPort = ctx.port ?? apiModel(await ctx.apiAccess())
      const literals = await appSecretsOf(ctx).catch(() => [])
      await set((a) => ({ ...a, state: 'running', done: 0, total: todo.length, failed: [], rubricVersionId: rubric.current.id }))
      // one change at a time (the grades come back in any order)
      let chain: Promise<unknown> = Promise.resolve()
      const queue = async (fn: () => Promise<unknown>) => void (await (chain = chain.then(fn)))
      await gradeEach(
        {
          port,
          model: AUTO_GRADE_MODEL,
          dataDir: ctx.store.dataDir,
          assertions: rubric.current.assertions,
          signal: op.signal,
          redact: { literals },
          onGrade: (run, grade, costUsd) =>
            queue(async () => {
              await saveGrade(ctx, batchId, run, grade.label, grade.reason)
              await set((a) => ({ ...a, done: a.done + 1, costUsd: a.costUsd + costUsd }))
            }),
          onFailed: (run, error, costUsd) =>
            queue(() =>
              set((a) => ({ ...a, done: a.done + 1, costUsd: a.costUsd + costUsd, failed: [...a.failed, { number: run.number, error }] }))
            )
        },
        todo
      )
      await chain
      op.signal.throwIfAborted()
      await set((a) => ({ ...a, state: 'done' }))
      // no longer blind: every run as it is (its session, its numbers), and the folders listed again
      const after = await ctx.store.batches.get(batchId)
      if (after) for (const run of ctx.store.batches.runsOf(after)) ctx.emit('runProgress', { run })
      ctx.emit('projectsChanged', {})
    } catch (err) {
      const cancelled = op.signal.aborted
      if (!cancelled)
        ctx.log.warn({ verificationId: id, error: errorFields(err) }, "a verification's runs could not be graded by the grader")
      await set((a) => ({
        ...a,
        state: cancelled ? 'cancelled' : 'failed',
        ...(cancelled ? {} : { error: ((err as Error).message ?? String(err)).split('\n')[0] })
      })).catch((e) => ctx.log.error({ verificationId: id, error: errorFields(e) }, "a verification's grading could not be saved"))
      return cancelled ? { state: 'cancelled' } : { state: 'failed', error: (err as Error).message }
    }
  })
}

/** The grader's grade saved as the run's feedback, marked as the grader's (a grade the person gave meanwhile is kept). */
async function saveGrade(ctx: Pick<Ctx, 'store' | 'emit'>, batchId: string, run: Run, label: 'good' | 'bad', reason: string) {
  let saved: Run | undefined
  await ctx.store.batches.update(batchId, (doc) => {
    const r = doc.runs[run.id]
    if (!r || r.feedback?.label) return
    r.feedback = { label, text: reason.slice(0, 5000), updatedAt: now(), by: 'grader' }
    saved = structuredClone(r)
  })
  if (saved) ctx.emit('runProgress', { run: saved })
}

/** Whether an 'auto' verification still has runs for the grader (finished, not graded): a resume grades them. */
export async function ungradedRuns(ctx: Pick<VerifyContext, 'store'>, id: string): Promise<number> {
  const v = await verificationOf(ctx, id)
  if (v.grade !== 'auto' || !v.batchId) return 0
  const doc = await ctx.store.batches.get(v.batchId)
  return doc ? ctx.store.batches.runsOf(doc).filter((r) => isFinished(r.state) && !r.feedback?.label).length : 0
}
