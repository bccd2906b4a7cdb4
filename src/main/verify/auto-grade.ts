/**
 * A verification graded by the grader (`grade: 'auto'`, for unattended and CI use, or 'assist'): once
 * its runs have finished, the grader grades every run not graded yet with the task's rubric, from what
 * the person would see of it (never its arm nor the skill), each grade saved as the run's feedback
 * marked as the grader's (`by: 'grader'`; 'auto' keeps an unsure grade marked so). 'assist' saves only
 * the grades it is sure of: a run it is unsure of stays ungraded for the person, its grade a pre-grade
 * (./assist.ts). Its own operation (progress on the verification, a cancel of the verification reaching
 * the model call in flight); with the last grade the verification is no longer blind and its report is
 * there, as when the person has graded every run. Electron-free.
 */
import { fail } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { isFinished, type Run } from '../../shared/runs'
import { graderGrades, type GradeMode, type Verification } from '../../shared/verify'
import type { RunGrade } from '../../shared/grading'
import { apiModel, type ModelPort } from '../analysts/model'
import { appSecretsOf } from '../analysts/redaction'
import { figuresOf, gradeEach, lastMeasured, rubricFor } from '../grading/pregrade'
import { errorFields } from '../log/log'
import { leaveForPerson } from './assist'
import { change, now, verificationOf, type VerifyContext } from './context'

type Ctx = Pick<VerifyContext, 'store' | 'emit' | 'operations' | 'log' | 'apiAccess' | 'env' | 'port'>
type AutoGrade = NonNullable<Verification['autoGrade']>

/** The model that grades a verification alone. */
export const AUTO_GRADE_MODEL = DEFAULT_ANALYST_MODEL

/** The refusal of `grade: 'auto'` (or 'assist') when the task has no rubric, before anything runs. */
export function refuseAutoWithoutRubric(ctx: Pick<VerifyContext, 'store'>, taskId: string | undefined, mode: GradeMode = 'auto'): string {
  const rubricId = taskId ? ctx.store.rubrics.ofTask(taskId, '') : undefined
  if (rubricId) return rubricId
  throw fail(
    taskId
      ? `grade ${mode}: the skill's task has no rubric to grade with yet: build it from a graded batch of the task first (trace2skill rubric <batch>), then measure how far to trust it (trace2skill grader <batch>)`
      : `grade ${mode}: the skill has no task (it was learned from imported sessions), so there is no rubric to grade with: grade it yourself (--grade person)`,
    'invalid'
  )
}

/**
 * Start the grading operation of an 'auto' or 'assist' verification: it waits for the runs to finish (a
 * start of runs, or a resume, starts one when none is running), then grades every finished run not
 * graded yet (and, 'assist', not left for the person already).
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
      const v = await verificationOf(ctx, id)
      const todo = forTheGrader(v, ctx.store.batches.runsOf(doc))
      const rubric = await rubricFor(ctx.store, batchId)
      const port: ModelPort = ctx.port ?? apiModel(await ctx.apiAccess())
      const literals = await appSecretsOf(ctx).catch(() => [])
      const measured = figuresOf(await lastMeasured(ctx.store, batchId))
      const again = new Set(todo.map((r) => r.number))
      await set((a) => ({
        ...a,
        state: 'running',
        done: 0,
        total: todo.length,
        failed: [],
        rubricVersionId: rubric.current.id,
        unsure: (a.unsure ?? []).filter((n) => !again.has(n))
      }))
      const unsure = (a: AutoGrade, run: Run) => [...(a.unsure ?? []), run.number]
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
              // 'assist': a run the grader is unsure of is the person's to grade, its grade a pre-grade
              if (v.grade === 'assist' && grade.unsure)
                await leaveForPerson(ctx, batchId, grade, {
                  rubricId: rubric.rubric.id,
                  versionId: rubric.current.id,
                  model: AUTO_GRADE_MODEL,
                  measured
                })
              else await saveGrade(ctx, batchId, run, grade)
              await set((a) => ({
                ...a,
                done: a.done + 1,
                costUsd: a.costUsd + costUsd,
                ...(grade.unsure ? { unsure: unsure(a, run) } : {})
              }))
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

/** The grader's grade saved as the run's feedback, marked as the grader's, and unsure when it was (a grade the person gave meanwhile is kept). */
async function saveGrade(ctx: Pick<Ctx, 'store' | 'emit'>, batchId: string, run: Run, grade: RunGrade) {
  let saved: Run | undefined
  await ctx.store.batches.update(batchId, (doc) => {
    const r = doc.runs[run.id]
    if (!r || r.feedback?.label) return
    r.feedback = {
      label: grade.label,
      text: grade.reason.slice(0, 5000),
      updatedAt: now(),
      by: 'grader',
      ...(grade.unsure ? { unsure: grade.unsure } : {})
    }
    saved = structuredClone(r)
  })
  if (saved) ctx.emit('runProgress', { run: saved })
}

/** The runs the grader grades: finished, not graded, and ('assist') not left for the person already as unsure. */
export function forTheGrader(v: Verification, runs: Run[]): Run[] {
  const left = new Set(v.grade === 'assist' ? (v.autoGrade?.unsure ?? []) : [])
  return runs.filter((r) => isFinished(r.state) && !r.feedback?.label && !left.has(r.number))
}

/** Whether an 'auto' or 'assist' verification still has runs for the grader: a resume grades them. */
export async function ungradedRuns(ctx: Pick<VerifyContext, 'store'>, id: string): Promise<number> {
  const v = await verificationOf(ctx, id)
  if (!graderGrades(v) || !v.batchId) return 0
  const doc = await ctx.store.batches.get(v.batchId)
  return doc ? forTheGrader(v, ctx.store.batches.runsOf(doc)).length : 0
}

/** 'assist': the runs (deck numbers) left for the person, not graded yet: those the grader was unsure of or could not grade. */
export function leftForYou(v: Verification, runs: Run[]): number[] | undefined {
  if (v.grade !== 'assist' || v.autoGrade?.state !== 'done') return undefined
  const left = new Set([...(v.autoGrade.unsure ?? []), ...v.autoGrade.failed.map((f) => f.number)])
  return runs.filter((r) => isFinished(r.state) && !r.feedback?.label && left.has(r.number)).map((r) => r.number)
}
