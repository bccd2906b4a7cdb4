/**
 * Step 5, `verify` and `resume`: a skill version and no skill (or another version) run on the same variations,
 * in one batch numbered at random, followed on stderr until every run has ended; Ctrl+C cancels.
 */
import { follow as followWork } from '../follow'
import { describePreset, type Run } from '../../../shared/runs'
import { graderGrades, leftForYouText, type Verification, type VerificationView, type VerifyEstimate } from '../../../shared/verify'
import { confirmEnded } from '../confirmation'
import { clock, RunBoard } from '../progress'
import { verificationEnded } from '../wait'
import { call, FEEDBACK_EXAMPLE, getBatch, oneLineOf, plural, runNumbers, runsOf, UsageError } from '../common'
import { verb, type Ctx } from '../context'
import { verifyArgs } from '../verify-args'
import {
  findVerification,
  gradedText,
  gradeNext,
  sourceText,
  preflightRuns,
  versionByNumber,
  skillVersionOf,
  versusText,
  whatItIs,
  type VerifyArgs
} from '../verification'

// ---------------------------------------------------------------------------------------------------
// verify and resume: start it, say how it goes, wait

/** Says what happens to the verification and its runs on stderr, cancels it on Ctrl+C, waits for it to end. */
export async function follow(
  ctx: Ctx,
  begin: () => Promise<VerificationView>,
  o: { fresh?: { count?: number }; batchId?: string } = {}
): Promise<VerificationView> {
  const { client, io } = ctx
  const fresh = o.fresh
  let id: string | null = null
  let batchId = o.batchId
  // a batch already said (resume) is not said again
  const told = new Set<string>(batchId ? ['batch'] : [])
  // blind: the runs by the deck's numbers, with no run's own figures
  const board = new RunBoard(true)
  const began = Date.now()
  const live = io.status?.start(() =>
    batchId && board.size
      ? board.line()
      : `${told.has('writing') ? 'writing fresh variations from the task' : 'starting'} | ${clock(Date.now() - began)}`
  )
  const seed = (id: string) =>
    void runsOf(client, id)
      .then((runs) => {
        for (const r of runs) board.seed(r)
        live?.changed()
      })
      // only the live line's first state: the runs' events fill it anyway
      .catch(() => {})
  if (batchId) seed(batchId)
  /** the batch's line, said once its name is known */
  let announced: Promise<void> = Promise.resolve()
  const say = (v: Verification) => {
    // a candidates verification built from a batch: each candidate built said once
    const b = v.build
    if (b && !told.has(`built ${b.done} ${b.state}`)) {
      told.add(`built ${b.done} ${b.state}`)
      if (b.state === 'running')
        io.err(`building the candidates from batch ${b.batchId}: ${b.done} of ${b.total} built ($${b.costUsd.toFixed(4)})`)
      else if (b.state === 'done')
        io.err(
          `${plural(b.done, 'candidate')} built ($${b.costUsd.toFixed(4)}): versions ${(v.candidates ?? []).map((c) => c.number).join(', ')}`
        )
      else io.err(`the candidates were not built (${b.state}${b.error ? `: ${oneLineOf(b.error, 300)}` : ''})`)
    }
    if (fresh && v.phase === 'generating' && !v.variations.length && !told.has('writing')) {
      told.add('writing')
      io.err(
        `writing ${fresh.count ? plural(fresh.count, 'fresh variation') : 'fresh variations'} from the task (the mix it was learned from, none of its prompts)`
      )
    }
    if (told.has('writing') && v.variations.length && !told.has('written')) {
      told.add('written')
      io.err(`${plural(v.variations.length, 'fresh variation')} written`)
    }
    const g = v.autoGrade
    if (g?.state === 'running' && !told.has('grading')) {
      told.add('grading')
      io.err(
        `the grader grades the ${plural(g.total, 'run')} with the task's rubric (${v.grade === 'assist' ? 'you grade the ones it is unsure of' : 'no person grades this verification'})`
      )
    }
    if (g && g.state !== 'running' && g.state !== 'waiting' && !told.has('graded')) {
      told.add('graded')
      io.err(gradedText(v, g))
    }
    if (v.batchId && !told.has('batch')) {
      told.add('batch')
      batchId = v.batchId
      seed(v.batchId)
      // (the verification comes without its arms while it is blind: the batch says how many runs)
      const line = (name: string, runs: number) =>
        io.err(
          `verification ${v.id}: batch ${v.batchId} ${JSON.stringify(name)}: ${plural(runs, 'run')}, ${v.kind === 'candidates' ? 'every candidate and no skill' : v.kind === 'confirm' ? "every rule's runs" : 'both arms'} in one queue, numbered at random`
        )
      announced = getBatch(client, v.batchId).then(
        (b) => line(b?.batch.name ?? '', b?.runs.length ?? 0),
        () => line('', 0)
      )
    }
  }
  // Ctrl+C cancels it (its variations' model call, its runs); a second one stops at once (the entry)
  id = await followWork({
    io,
    client,
    live,
    onEvent: (event, payload) => {
      if (event === 'runProgress') {
        const r = (payload as { run: Run }).run
        if (batchId && r.batchId !== batchId) return
        if (board.update(r)) io.err(board.finished(r))
        live?.changed()
      } else if (event === 'verificationProgress') {
        const v = (payload as { verification: Verification }).verification
        if (!id || v.id === id) say(v)
      }
    },
    start: async () => {
      const started = await begin()
      id = started.verification.id
      say(started.verification)
      return id
    },
    cancel: (verificationId) => call(client, 'cancelVerification', { verificationId }),
    cancelling: (verificationId) => `cancelling verification ${verificationId} (Ctrl+C again stops at once)`,
    ended: (verificationId) => verificationEnded(client, verificationId),
    after: async (verificationId) => {
      // what an event had not said yet when it was seen ended: its batch, its runs' lines
      say((await call<VerificationView>(client, 'getVerification', { verificationId })).verification)
      await announced
      // a run whose last event had not come when it was seen ended: its line all the same
      if (batchId) for (const r of await runsOf(client, batchId)) if (board.update(r)) io.err(board.finished(r))
    }
  })
  return call<VerificationView>(client, 'getVerification', { verificationId: id })
}

/** What `verify` and `resume` print at the end: each run (blind), the verification, its batch, what next. Its exit code. */
export async function ended(ctx: Ctx, view: VerificationView, estimate?: VerifyEstimate): Promise<number> {
  if (view.verification.kind === 'confirm') return confirmEnded(ctx, view)
  const { client, io, print } = ctx
  const v = view.verification
  if (!v.batchId) {
    const why =
      v.phase === 'cancelled'
        ? 'was cancelled before its runs were made'
        : v.phase === 'failed'
          ? `stopped before its runs were made: ${v.error ?? 'failed'}`
          : `has no runs (${v.phase})`
    print(
      { verificationId: v.id, phase: v.phase, error: v.error ?? null, status: view.status, next: `trace2skill resume ${v.id}` },
      () => ''
    )
    io.err(`trace2skill: verification ${v.id} ${why.split('\n')[0]}; \`trace2skill resume ${v.id}\` tries again`)
    return 1
  }
  const runs = await runsOf(client, v.batchId)
  const notDone = runs.filter((r) => r.state !== 'done')
  const ungraded = runs.filter((r) => !r.feedback?.label).length
  const byGrader = graderGrades(v) && !ungraded
  // 'assist': the deck numbers the grader was unsure of, for the person to grade
  const left = view.leftForYou
  const next = `${notDone.length ? `trace2skill resume ${v.id} (runs again the ${plural(notDone.length, 'run')} that did not finish), then ` : ''}${byGrader ? `trace2skill report ${v.id}` : gradeNext(v.id)}`
  print(
    {
      verificationId: v.id,
      batchId: v.batchId,
      batchName: view.batchName ?? null,
      ...whatItIs(v),
      ...(estimate ? { estimate } : {}),
      status: view.status,
      ...(left ? { leftForYou: left } : {}),
      dataDir: ctx.dataDir,
      // blind: no arm, nothing that tells them apart but what they made (no folder, session or numbers
      // until every run is graded: `trace2skill batch` gives what each made)
      runs: runs.map((r) => ({
        number: r.number,
        state: r.state,
        reason: r.reason ?? null,
        difficulty: r.difficulty ?? null,
        files: r.files.length,
        screenshots: r.screenshots.flatMap((s) => s.shots.map((x) => x.file)),
        result: r.result ?? null,
        ...(r.blind ? { blind: true } : { workspace: r.workspace ?? null, ...runNumbers(r) })
      })),
      next
    },
    () =>
      [
        ...runs.map((r) =>
          `Run ${r.number}: ${r.state}${r.reason ? ` (${oneLineOf(r.reason, 300)})` : ''}  ${oneLineOf(r.workspace ?? '', 4096)}`.trimEnd()
        ),
        `results: ${ctx.dataDir}`,
        `verification ${v.id}: ${versusText(v)}: ${runs.length - notDone.length} of ${plural(runs.length, 'run')} done`,
        `batch ${v.batchId} ${JSON.stringify(view.batchName ?? '')} (blind: the run numbers are the deck's and say nothing of which run had the skill)`,
        ...(left?.length
          ? [`${leftForYouText(left)}: grade ${left.length === 1 ? 'it' : 'them'} (the review deck shows the grader's grade of each)`]
          : []),
        byGrader
          ? `next: ${next} (every run graded by the grader)`
          : `next: ${next} (one line per run, e.g. ${FEEDBACK_EXAMPLE}; \`trace2skill batch ${v.id}\` shows what each run made, not which had the skill), or grade them in the app's review deck`
      ].join('\n')
  )
  if (notDone.length) {
    io.err(
      `trace2skill: ${plural(notDone.length, 'run')} did not finish (${notDone.map((r) => `Run ${r.number} ${r.state}`).join(', ')}): \`trace2skill resume ${v.id}\` runs ${notDone.length === 1 ? 'it' : 'them'} again`
    )
    return 1
  }
  return 0
}

async function verifyCommand(ctx: Ctx, a: VerifyArgs): Promise<number> {
  const { client, io } = ctx
  const { skill, name, view, version } = await skillVersionOf(client, a.skill, a.version, 'verify it')
  const against = a.against === undefined || a.against === 'none' ? null : versionByNumber(skill, view, a.against, '--against')
  if (against?.id === version.id)
    throw new UsageError(
      `--against ${against.number} is the version verified${a.version === undefined ? ' (the newest, when --version is not given)' : ''}: compare it with another version (--version N), or with no skill (--against none)`
    )
  const input = {
    skillId: skill.id,
    versionId: version.id,
    against: against ? against.id : 'none',
    variations: a.variations.source === 'pasted' ? { source: 'pasted', items: a.variations.items } : { source: a.variations.source },
    ...(a.repeats !== undefined ? { repeats: a.repeats } : {}),
    settings: a.settings,
    ...(a.acceptFlagged ? { acceptFlagged: true } : {}),
    ...(a.grade === 'auto' || a.grade === 'assist' ? { grade: a.grade } : {})
  }
  // what it would be (nothing is written): the settings both arms get, the cost and the warnings
  const est = await call<VerifyEstimate>(client, 'estimateVerification', input)
  // where the runs cannot work, say so before anything is written (never a silent fall-back)
  const settings = est.settings
  await preflightRuns(client, settings, !!a.settings.permission)

  io.err(
    `verify ${versusText({ skillName: name, version, against })}: ${sourceText(est, a.variations.source === 'pasted' ? a.variations.file : undefined)}; ${plural(est.variations, 'variation')} x ${plural(est.repeats, 'repeat')} x 2 arms = ${plural(est.runs, 'run')}`
  )
  io.err(`estimate: ${est.usd === null ? 'no cost to go by' : `about $${est.usd.toFixed(2)}`} (${est.basis})`)
  io.err(
    `cap: ${est.capUsd === null ? 'none (--budget USD stops each run at that cost)' : `at most $${est.capUsd.toFixed(2)} (--budget $${settings.maxBudgetUsd} a run x ${plural(est.runs, 'run')})`}`
  )
  io.err(`permissions: ${describePreset(settings)}`)
  for (const w of est.warnings) io.err(`warning: ${oneLineOf(w.text, 1000)}`)
  if (est.warnings.some((w) => w.kind === 'flagged') && !a.acceptFlagged)
    throw new Error(
      'the version holds flagged texts (the warning above): read them, then verify with --accept-flagged to install it anyway'
    )

  const got = await follow(
    ctx,
    () =>
      call<VerificationView>(client, 'startVerification', input).catch((err: Error & { code?: string }) => {
        throw err.code === 'preset-unavailable' ? new Error(`${err.message} Pass --preset accept-edits to run without it.`) : err
      }),
    est.source === 'fresh' ? { fresh: { count: est.variations } } : {}
  )
  return ended(ctx, got, est)
}

async function resumeCommand(ctx: Ctx, arg: string): Promise<number> {
  const { client, io } = ctx
  const v = await findVerification(client, arg)
  if (v.phase === 'created' && v.batchId) {
    const runs = await runsOf(client, v.batchId)
    const again = runs.filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted')
    // 'assist': the runs the grader was unsure of are the person's, not the grader's again
    const left = new Set(v.grade === 'assist' ? (v.autoGrade?.unsure ?? []) : [])
    const ungraded = runs.filter((r) => !r.feedback?.label && !left.has(r.number))
    // graded by the grader, stopped while grading: it grades the rest
    if (!again.length && graderGrades(v) && ungraded.length)
      io.err(`verification ${v.id}: the grader grades the ${plural(ungraded.length, 'run')} not graded yet`)
    else if (!again.length)
      throw new Error(
        `nothing to resume: every run of verification ${v.id} has finished; ${runs.some((r) => !r.feedback?.label) ? `grade them: ${gradeNext(v.id)}` : `the report: trace2skill report ${v.id}`}`
      )
    else
      io.err(
        `verification ${v.id}: batch ${v.batchId} ${JSON.stringify((await getBatch(client, v.batchId))?.batch.name ?? '')}: running again ${again.map((r) => `Run ${r.number} (${r.state})`).join(', ')}`
      )
  } else
    io.err(
      `verification ${v.id} stopped before its runs were made (${v.phase}${v.error ? `: ${oneLineOf(v.error, 200)}` : ''}): ${v.variations.length ? 'making its runs' : 'writing its variations again'}`
    )
  const got = await follow(
    ctx,
    () => call<VerificationView>(client, 'resumeVerification', { verificationId: v.id }),
    v.phase === 'created' ? { batchId: v.batchId } : v.source === 'fresh' && !v.variations.length ? { fresh: {} } : {}
  )
  return ended(ctx, got)
}

const verify = verb<VerifyArgs>({
  name: 'verify',
  args: { n: 1, what: 'a skill (its id or name)' },
  options: [
    'against',
    'variations',
    'repeats',
    'concurrency',
    'maxTurns',
    'model',
    'claude',
    'preset',
    'allowDomain',
    'budget',
    'acceptFlagged',
    'grade',
    'json'
  ],
  readOnly: false,
  screenshots: true,
  prepare: ([skill], o) => verifyArgs(skill, o),
  run: (ctx, _args, _o, a) => verifyCommand(ctx, a)
})

const resume = verb({
  name: 'resume',
  args: { n: 1, what: 'a verification (its id; `trace2skill verifications` lists them)' },
  options: ['json'],
  readOnly: false,
  screenshots: true,
  run: (ctx, [arg]) => resumeCommand(ctx, arg)
})

export const verifyVerbs = [verify, resume]
