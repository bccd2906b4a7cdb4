/**
 * A verification as it is read: where it is, its report (from its runs' traces and grades), and what a
 * blind verification keeps to itself until every run is graded (no report, no arm of any run).
 * Electron-free.
 */
import { realpath } from 'node:fs/promises'
import { fail } from '../../shared/contract'
import { isFinished, type Run } from '../../shared/runs'
import type { Verification, VerificationView, VerifyWarning } from '../../shared/verify'
import { traceMetrics } from '../analysts/signals'
import { errorFields } from '../log/log'
import { figuresOf, lastMeasured } from '../grading/pregrade'
import { confirmOf } from './confirm/view'
import type { VerifyContext } from './context'
import { candidatesTableOf } from './candidates-view'
import { leftForYou } from './auto-grade'
import { buildReport, verificationStatus, type RunFacts } from './report'
import { skillUse } from './usage'

type Ctx = Pick<VerifyContext, 'store' | 'operations' | 'blind' | 'facts' | 'log'>

/** Per run: its metrics and how it used the arm's skill (cached by its session file's size and time). */
async function factsOf(ctx: Pick<VerifyContext, 'facts' | 'log'>, v: Verification, run: Run): Promise<RunFacts | null> {
  if (!isFinished(run.state)) return null
  // the skill this run's arm had: the version verified, or the one it is compared against
  const name = v.arms[run.id]?.arm === 'without' && v.againstName ? v.againstName : v.skillName
  // the folder as the run saw it too (a link on its path is resolved in the trace); unresolvable: as recorded
  const roots = run.workspace ? [run.workspace, await realpath(run.workspace).catch(() => run.workspace!)] : []
  // a trace that cannot be read (gone, unparsable) gives a run without figures: the report says it has none
  return ctx
    .facts(run, name, (trace) => ({ metrics: traceMetrics(trace), use: skillUse(trace, name, roots) }))
    .catch((e) => {
      ctx.log.warn({ verificationId: v.id, runId: run.id, error: errorFields(e) }, "a run's trace could not be read for the report")
      return { metrics: null, use: null }
    })
}

export async function runsOfVerification(ctx: Pick<VerifyContext, 'store'>, v: Verification): Promise<Run[]> {
  if (!v.batchId) return []
  const doc = await ctx.store.batches.get(v.batchId)
  return doc ? ctx.store.batches.runsOf(doc) : []
}

/** A verification, where it is and its whole report (which says each run's arm): for this domain's own use. */
export async function fullViewOf(ctx: Ctx, v: Verification): Promise<VerificationView> {
  const runs = await runsOfVerification(ctx, v)
  const status = verificationStatus(v, runs)
  if ((v.phase === 'generating' || v.phase === 'building') && !ctx.operations.running('verify', v.id).length) status.stage = 'interrupted'
  let report = null
  let candidates
  if (runs.length && v.kind === 'candidates') candidates = await candidatesTableOf(ctx, v, runs)
  else if (runs.length && (v.kind ?? 'compare') === 'compare') {
    const facts = new Map<string, RunFacts>()
    await Promise.all(
      runs.map(async (r) => {
        const f = await factsOf(ctx, v, r)
        if (f) facts.set(r.id, f)
      })
    )
    report = buildReport(v, runs, facts)
  }
  const byGrader = runs.filter((r) => r.feedback?.label && r.feedback.by === 'grader').length
  const grader =
    byGrader && v.batchId ? { runs: byGrader, of: runs.length, measured: figuresOf(await lastMeasured(ctx.store, v.batchId)) } : undefined
  const left = leftForYou(v, runs)
  return {
    verification: v,
    status,
    report,
    ...(v.batchId ? { batchName: ctx.store.batches.head(v.batchId)?.name } : {}),
    ...(candidates ? { candidates } : {}),
    ...(grader ? { grader } : {}),
    ...(left ? { leftForYou: left } : {}),
    ...(v.kind === 'confirm' ? { confirm: confirmOf(v, runs) } : {})
  }
}

/** Warnings about a blind verification as a whole: none ties a run to its arm. */
const WHOLE: VerifyWarning['kind'][] = ['not-held-out', 'shadow']
/** ...and once every run has finished (figures that no longer change with each run's end): how often the skills were loaded. */
const WHOLE_FINISHED: VerifyWarning['kind'][] = [...WHOLE, 'low-trigger', 'elsewhere', 'stray']

/**
 * A verification as it is given out. While blind (not every run graded): no report and no arm of any
 * run, only the counts and the warnings about the whole; once every run is graded, all of it.
 */
export async function viewOf(ctx: Ctx, v: Verification): Promise<VerificationView> {
  const full = await fullViewOf(ctx, v)
  if (!v.batchId || !ctx.blind.isBlind(v.batchId)) return full
  const s = full.status
  const kinds = s.queued || s.running ? WHOLE : WHOLE_FINISHED
  return {
    verification: ctx.blind.verification(v),
    status: s,
    report: null,
    ...(full.batchName !== undefined ? { batchName: full.batchName } : {}),
    // how many runs the grader graded, and its figures on the task: nothing of any run's arm
    ...(full.grader ? { grader: full.grader } : {}),
    // 'assist': the deck numbers left for the person (numbers of the blind deck: nothing of any arm)
    ...(full.leftForYou ? { leftForYou: full.leftForYou } : {}),
    blind: { graded: s.graded, runs: s.runs, warnings: (full.report?.warnings ?? []).filter((w) => kinds.includes(w.kind)) }
  }
}

/** Refuses what would tell the arms apart while a verification is blind. */
export function notBlind(ctx: Pick<VerifyContext, 'blind'>, v: Verification, what: string): void {
  if (v.batchId && ctx.blind.isBlind(v.batchId)) {
    const c = ctx.blind.counts(v.batchId)
    throw fail(
      `${what} once every run is graded: the verification is graded blind until then (${c?.graded ?? 0} of ${c?.runs ?? 0} graded)`,
      'invalid'
    )
  }
}
