/**
 * Step 5 from the command line: does the skill make runs better? `verify` runs a skill version and no
 * skill (or another version) on the same variations, in one interleaved batch numbered at random, and
 * waits for it; `resume` runs again what a stopped one left; `report` compares the arms once the runs
 * are graded (blind, with `grade`); `verifications` lists them; `explain` asks which rules the fixed
 * and broken pairs followed. Whatever is printed before the report says nothing of which run had the
 * skill: the run numbers are the blind deck's.
 */
import { readFile, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describePreset, type Run } from '../../shared/runs'
import type { SkillView } from '../../shared/contract'
import type { Skill } from '../../shared/skills'
import type { Analysis } from '../../shared/analysis'
import {
  armLabel,
  triggerJudged,
  type ArmStats,
  type PassRateInfo,
  type Verification,
  type VerificationView,
  type VerifyEstimate,
  type VerifyPair,
  type VerifySettings,
  type VerifyStatus,
  type VerifyVariation
} from '../../shared/verify'
import type { PermissionPreflight } from '../../shared/runs'
import { isAlive } from '../claude/process'
import { installHint, type ClaudeCheck } from '../runs/claude'
import { LOCK_DIR, OWNER_FILE } from '../store/lock'
import { verificationStatus } from '../verify/report'
import { clock, RunBoard } from './progress'
import type { Client } from './client'
import { verificationEnded } from './wait'
import {
  call,
  FEEDBACK_EXAMPLE,
  findSkill,
  getBatch,
  MAKE_VERIFICATION,
  oneLineOf,
  plural,
  runNumbers,
  runsOf,
  UsageError,
  type CliIo
} from './common'

/** What a command needs: the core (here or in the running app), the data folder, and how to print (JSON with --json, else words). */
export interface Ctx {
  client: Client
  dataDir: string
  io: CliIo
  print: (value: unknown, human: () => string) => void
}

/** `verify`'s arguments, checked before the data folder is opened. */
export interface VerifyArgs {
  skill: string
  /** the version NUMBER verified (default: the newest) */
  version?: number
  /** 'none' (default), or the number of the version it is compared against */
  against?: 'none' | number
  variations: { source: 'fresh' } | { source: 'batch' } | { source: 'pasted'; items: VerifyVariation[]; file: string }
  repeats?: number
  /** only the settings given on the command line; the rest as the batch it was learned from ran */
  settings: VerifySettings
  /** install a version with flagged texts anyway (--accept-flagged) */
  acceptFlagged?: boolean
}

const gradeNext = (id: string) => `trace2skill grade ${id} --file feedback.txt`
const pct = (x: number) => `${Math.round(x * 100)}%`
const money = (x: number) => `$${x.toFixed(x >= 1 ? 2 : 4)}`
const pText = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3))
const points = (d: number | null) => {
  if (d === null) return '-'
  const n = Math.round(d * 100)
  return `${n > 0 ? '+' : n < 0 ? '-' : '±'}${Math.abs(n)} points`
}
const rateText = (r: PassRateInfo) =>
  r.n && r.rate !== null && r.ci ? `${r.passed} of ${r.n} (${pct(r.rate)}, 95% CI ${pct(r.ci.low)} to ${pct(r.ci.high)})` : 'none graded'
const versusText = (v: Pick<Verification, 'skillName' | 'version' | 'against'>) =>
  `${oneLineOf(v.skillName, 200)} version ${v.version.number} against ${v.against ? `version ${v.against.number}` : 'no skill'}`
const sourceText = (v: Pick<Verification, 'source' | 'heldOut'>, file?: string) =>
  `${v.source === 'fresh' ? 'fresh variations' : v.source === 'batch' ? 'the variations it was learned from' : file ? `the variations of ${file}` : 'pasted variations'}, ${v.heldOut ? 'held out' : 'NOT held out'}`

/** "grading: 6 runs, 5 done, 1 did not finish; 3 graded; $0.0123" */
const statusText = (s: VerifyStatus) =>
  [
    `${s.stage}: ${plural(s.runs, 'run')}`,
    s.finished - s.unfinished ? `${s.finished - s.unfinished} done` : '',
    s.unfinished ? `${s.unfinished} did not finish` : '',
    s.running ? `${s.running} running` : '',
    s.collecting ? `${s.collecting} collecting outputs` : '',
    s.queued ? `${s.queued} queued` : ''
  ]
    .filter(Boolean)
    .join(', ') + `; ${s.graded} of ${s.runs} graded; ${money(s.costUsd)}`

// ---------------------------------------------------------------------------------------------------
// Finding one

/** A verification by its id, or by its batch's id or exact name. */
export async function findVerification(client: Client, arg: string): Promise<Verification> {
  const byId = await call<VerificationView>(client, 'getVerification', { verificationId: arg }).catch((err: Error & { code?: string }) => {
    if (err.code === 'not-found' || err.code === 'invalid') return undefined
    throw err
  })
  if (byId) return byId.verification
  let id: string | undefined
  {
    const batchIds = (await getBatch(client, arg))
      ? [arg]
      : (await call<{ batch: { id: string; name: string } }[]>(client, 'listBatches', {}))
          .filter((b) => b.batch.name === arg)
          .map((b) => b.batch.id)
    const found = (await Promise.all(batchIds.map(async (b) => (await getBatch(client, b))?.verificationId))).filter(
      (x): x is string => !!x
    )
    if (found.length > 1)
      throw new UsageError(`several verifications have a batch named ${JSON.stringify(arg)}: give one of their ids (${found.join(', ')})`)
    id = found[0]
    if (!id && batchIds.length)
      throw new Error(`${arg} is a batch of runs, not a verification: verify a skill learned from it with \`trace2skill verify <skill>\``)
  }
  const v = id ? (await call<VerificationView>(client, 'getVerification', { verificationId: id })).verification : undefined
  if (!v)
    throw new Error(
      `no such verification: ${arg} (${(await call<unknown[]>(client, 'listVerifications', {})).length ? '`trace2skill verifications` lists them' : `there are no verifications yet: ${MAKE_VERIFICATION}`})`
    )
  return v
}

/** The skill's versions by number, as `--version N` and `--against N` name them. */
function versionByNumber(skill: Skill, view: SkillView, n: number, flag: string) {
  const v = view.versions.find((x) => x.number === n)
  if (!v)
    throw new Error(
      `${skill.frontMatter.name || skill.id} has no version ${n} (${flag} ${n}; its versions: ${view.versions
        .map((x) => x.number)
        .sort((a, b) => a - b)
        .join(', ')})`
    )
  return v
}

/** What a verification is, for --json: the skill, the versions compared, its variations. */
const whatItIs = (v: Verification) => ({
  skillId: v.skillId,
  skillName: v.skillName,
  version: v.version.number,
  against: v.against?.number ?? null,
  source: v.source,
  heldOut: v.heldOut,
  repeats: v.repeats,
  variations: v.variations.length
})

// ---------------------------------------------------------------------------------------------------
// Is anyone running it?

/**
 * No live trace2skill holds the data folder (its lock is gone, or its holder on this machine is): runs
 * the store says are running or queued are nobody's. A holder elsewhere, or one that cannot be read, is
 * taken to be alive.
 */
async function noWriter(dataDir: string): Promise<{ gone: boolean; pid?: number }> {
  if (!(await stat(join(dataDir, LOCK_DIR)).catch(() => null))) return { gone: true }
  const owner = await readFile(join(dataDir, OWNER_FILE), 'utf8')
    .then((t) => JSON.parse(t) as { pid?: unknown; host?: unknown })
    .catch(() => null)
  if (typeof owner?.pid !== 'number' || owner.host !== hostname()) return { gone: false }
  return isAlive(owner.pid) ? { gone: false } : { gone: true, pid: owner.pid }
}

/**
 * A verification as it really is, for the commands that only read: runs left running or queued by a
 * trace2skill that has stopped count as interrupted (as the store will say once a writer opens it),
 * and one still writing its variations in another process is said to be generating.
 */
async function asItIs(ctx: Ctx, view: VerificationView, io: CliIo): Promise<VerificationView> {
  const v = view.verification
  const runs = v.batchId ? await runsOf(ctx.client, v.batchId) : []
  const busy = runs.filter((r) => r.state === 'running' || r.state === 'queued')
  if (!busy.length && v.phase !== 'generating') return view
  const writer = await noWriter(ctx.dataDir)
  if (v.phase === 'generating') return writer.gone ? view : { ...view, status: { ...view.status, stage: 'generating' } }
  if (!writer.gone) return view
  io.err(
    `warning: ${plural(busy.length, 'run')} of verification ${v.id} ${busy.length === 1 ? 'is' : 'are'} marked ${busy.length === 1 ? busy[0].state : 'running or queued'}, but the trace2skill that ran them has stopped${writer.pid ? ` (pid ${writer.pid})` : ''}: they count as interrupted; \`trace2skill resume ${v.id}\` runs them again`
  )
  const status = verificationStatus(
    v,
    runs.map((r) => (busy.includes(r) ? { ...r, state: 'interrupted' as const } : r))
  )
  return { ...view, status }
}

// ---------------------------------------------------------------------------------------------------
// verify and resume: start it, say how it goes, wait

/** Says what happens to the verification and its runs on stderr, cancels it on Ctrl+C, waits for it to end. */
async function follow(
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
      .catch(() => {})
  if (batchId) seed(batchId)
  /** the batch's line, said once its name is known */
  let announced: Promise<void> = Promise.resolve()
  const say = (v: Verification) => {
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
    if (v.batchId && !told.has('batch')) {
      told.add('batch')
      batchId = v.batchId
      seed(v.batchId)
      // (the verification comes without its arms while it is blind: the batch says how many runs)
      const line = (name: string, runs: number) =>
        io.err(
          `verification ${v.id}: batch ${v.batchId} ${JSON.stringify(name)}: ${plural(runs, 'run')}, both arms in one queue, numbered at random`
        )
      announced = getBatch(client, v.batchId).then(
        (b) => line(b?.batch.name ?? '', b?.runs.length ?? 0),
        () => line('', 0)
      )
    }
  }
  const off = client.on((event, payload) => {
    if (event === 'runProgress') {
      const r = (payload as { run: Run }).run
      if (batchId && r.batchId !== batchId) return
      if (board.update(r)) io.err(board.finished(r))
      live?.changed()
    } else if (event === 'verificationProgress') {
      const v = (payload as { verification: Verification }).verification
      if (!id || v.id === id) say(v)
    }
  })
  // Ctrl+C cancels it (its variations' model call, its runs); a second one stops at once (the entry)
  let stopRequested = false
  let finished = false
  const cancel = () => {
    if (id && !finished) {
      io.err(`cancelling verification ${id} (Ctrl+C again stops at once)`)
      void call(client, 'cancelVerification', { verificationId: id }).catch(() => {})
    }
  }
  void io.untilStopped?.then(() => {
    stopRequested = true
    cancel()
  })
  try {
    const started = await begin()
    id = started.verification.id
    say(started.verification)
    if (stopRequested) cancel()
    await verificationEnded(client, id)
    // what an event had not said yet when it was seen ended: its batch, its runs' lines
    say((await call<VerificationView>(client, 'getVerification', { verificationId: id })).verification)
    await announced
    // a run whose last event had not come when it was seen ended: its line all the same
    if (batchId) for (const r of await runsOf(client, batchId)) if (board.update(r)) io.err(board.finished(r))
  } finally {
    finished = true
    off()
    live?.stop()
  }
  return call<VerificationView>(client, 'getVerification', { verificationId: id })
}

/** What `verify` and `resume` print at the end: each run (blind), the verification, its batch, what next. Its exit code. */
async function ended(ctx: Ctx, view: VerificationView, estimate?: VerifyEstimate): Promise<number> {
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
  const next = `${notDone.length ? `trace2skill resume ${v.id} (runs again the ${plural(notDone.length, 'run')} that did not finish), then ` : ''}${gradeNext(v.id)}`
  print(
    {
      verificationId: v.id,
      batchId: v.batchId,
      batchName: view.batchName ?? null,
      ...whatItIs(v),
      ...(estimate ? { estimate } : {}),
      status: view.status,
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
        `next: ${next} (one line per run, e.g. ${FEEDBACK_EXAMPLE}; \`trace2skill batch ${v.id}\` shows what each run made, not which had the skill), or grade them in the app's review deck`
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

export async function verifyCommand(ctx: Ctx, a: VerifyArgs): Promise<number> {
  const { client, io } = ctx
  const skill = await findSkill(client, a.skill)
  const name = skill.frontMatter.name || skill.id
  const view = await call<SkillView>(client, 'getSkill', { skillId: skill.id })
  if (!view.versions.length) throw new Error(`${name} has no saved version yet: save it in the app's composer (Skills), then verify it`)
  const newest = view.versions.reduce((x, y) => (y.number > x.number ? y : x))
  const version = a.version !== undefined ? versionByNumber(skill, view, a.version, '--version') : newest
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
    ...(a.acceptFlagged ? { acceptFlagged: true } : {})
  }
  // what it would be (nothing is written): the settings both arms get, the cost and the warnings
  const est = await call<VerifyEstimate>(client, 'estimateVerification', input)
  // where the runs cannot work, say so before anything is written (never a silent fall-back)
  const settings = est.settings
  const can = (await call<PermissionPreflight>(client, 'checkSandbox', {})).presets[settings.permission]
  if (!can.available)
    throw new Error(
      `runs are ${settings.permission === 'sandboxed' ? 'sandboxed' : 'given full access'}${a.settings.permission ? '' : ' (as the batch it was learned from ran)'}, and that is not available here: ${can.reason}. To run without it, pass --preset accept-edits`
    )
  const check = await call<ClaudeCheck>(client, 'checkClaude', { path: settings.claudePath || 'claude' })
  if (!check.ok) throw new Error(`${check.error}. ${installHint('cli')}`)

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

export async function resumeCommand(ctx: Ctx, arg: string): Promise<number> {
  const { client, io } = ctx
  const v = await findVerification(client, arg)
  if (v.phase === 'created' && v.batchId) {
    const runs = await runsOf(client, v.batchId)
    const again = runs.filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted')
    if (!again.length)
      throw new Error(
        `nothing to resume: every run of verification ${v.id} has finished; ${runs.some((r) => !r.feedback?.label) ? `grade them: ${gradeNext(v.id)}` : `the report: trace2skill report ${v.id}`}`
      )
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

// ---------------------------------------------------------------------------------------------------
// report and verifications

const pairLine = (v: Verification, p: VerifyPair) => {
  const side = (x: VerifyPair['with'], arm: 'with' | 'without') =>
    x
      ? `Run ${x.number} with ${armLabel(v, arm)}: ${x.label ?? x.state}${x.text.trim() ? ` - ${oneLineOf(x.text, 80)}` : ''}`
      : `no run with ${armLabel(v, arm)}`
  return [`  ${p.key} (${p.difficulty}): ${side(p.with, 'with')}; ${side(p.without, 'without')}`, `    prompt: ${oneLineOf(p.prompt, 140)}`]
}

const armLine = (a: ArmStats) => {
  const mean = (x: number | null, unit: string, digits = 1) => (x === null ? `- ${unit}` : `${x.toFixed(digits)} ${unit}`)
  // interim figures are said so; a trigger rate is a verdict only once enough runs have finished
  const soFar = a.finished < a.runs ? ' so far' : ''
  const judged = triggerJudged(a)
  return [
    `  ${a.label}: ${plural(a.runs, 'run')}, ${a.finished} finished, ${a.graded} graded (good: ${a.allGraded.passed} of ${a.allGraded.n})`,
    `cost ${money(a.costUsd)}${soFar} (${a.meanCostUsd === null ? '-' : money(a.meanCostUsd)} a run)`,
    `${mean(a.meanTurns, 'turns')}, ${mean(a.meanToolErrors, 'tool errors')}, ${mean(a.meanDurationMs === null ? null : a.meanDurationMs / 1000, 's')} a run`,
    a.trigger
      ? `skill loaded in ${a.trigger.invoked} of ${plural(a.trigger.runs, 'run')}${soFar}${a.trigger.rate === null || !a.trigger.runs ? '' : judged ? ` (${pct(a.trigger.rate)})` : ' (too few to judge)'}${a.trigger.elsewhere ? `; another of that name in ${a.trigger.elsewhere}` : ''}`
      : 'no skill to load'
  ].join('; ')
}

/** What to do next with a verification, from where it is (deepenedInto: the version deepening it made). */
function nextOf(view: VerificationView, deepenedInto?: number): string {
  const v = view.verification
  const s = view.status
  const r = view.report
  if (deepenedInto)
    return `trace2skill verify ${v.skillName || v.skillId} --version ${deepenedInto} (against no skill; --against ${v.version.number} compares it with the version verified)`
  if (!v.batchId)
    return `trace2skill resume ${v.id} (${v.phase === 'generating' ? 'if it was stopped: ' : ''}writes its variations and runs them)`
  if (s.running || s.queued) return `wait for its runs to finish (\`trace2skill report ${v.id}\` again)`
  const ungraded = s.finished - s.graded
  if (s.unfinished) return `trace2skill resume ${v.id} (runs again the ${plural(s.unfinished, 'run')} that did not finish)`
  if (ungraded) return `${gradeNext(v.id)} (${plural(ungraded, 'run')} not graded yet)`
  if (r && r.comparison.fixed.length + r.comparison.broken.length)
    return `trace2skill explain ${v.id} (which rules the fixed and broken pairs followed), or trace2skill deepen ${v.id} (the next version, from these runs)`
  return `trace2skill deepen ${v.id} (the next version, from these runs)`
}

export function reportText(view: VerificationView, o: { deepenedInto?: number } = {}): string {
  const v = view.verification
  const r = view.report
  const lines = [
    `verification ${v.id}: ${versusText(v)}; ${plural(v.variations.length, 'variation')} x ${plural(v.repeats, 'repeat')} (${sourceText(v)})`,
    `${v.batchId ? `batch ${v.batchId} ${JSON.stringify(view.batchName ?? '')}: ` : ''}${statusText(view.status)}${v.error ? ` (${oneLineOf(v.error, 200)})` : ''}`
  ]
  if (view.blind)
    lines.push(
      `blind: ${view.blind.graded} of ${plural(view.blind.runs, 'run')} graded; until every run is graded nothing says which run had the skill, and then this report compares the arms`,
      ...(view.blind.warnings.length ? ['warnings:', ...view.blind.warnings.map((w) => `  - ${w.text}`)] : [])
    )
  // the result first, then what it rests on
  else if (r)
    lines.push(
      r.comparison.pairs
        ? `result${r.complete ? '' : ' so far'}: ${armLabel(v, 'with')} against ${armLabel(v, 'without')}: ${points(r.comparison.difference)} over ${plural(r.comparison.pairs, 'pair')} graded in both arms, p = ${pText(r.comparison.p)}`
        : 'result: none yet: no pair is graded in both arms'
    )
  if (r && !r.comparison.pairs) lines.push('no pair is graded in both arms yet: nothing to compare')
  else if (r) {
    const c = r.comparison
    const withL = armLabel(v, 'with')
    const withoutL = armLabel(v, 'without')
    const byKey = new Map(r.pairs.map((p) => [p.key, p]))
    lines.push(
      `pass rate over the ${plural(c.pairs, 'pair')} graded in both arms:`,
      `  ${withL}: ${rateText(c.with)}`,
      `  ${withoutL}: ${rateText(c.without)}`,
      `  difference: ${points(c.difference)}; p = ${pText(c.p)} (exact sign test on the ${plural(c.fixed.length + c.broken.length, 'pair')} that disagree)`,
      `fixed: ${plural(c.fixed.length, 'pair')} (good with ${withL}, bad with ${withoutL})`,
      ...c.fixed.flatMap((k) => (byKey.get(k) ? pairLine(v, byKey.get(k)!) : [])),
      `broken: ${plural(c.broken.length, 'pair')} (bad with ${withL}, good with ${withoutL})`,
      ...c.broken.flatMap((k) => (byKey.get(k) ? pairLine(v, byKey.get(k)!) : [])),
      `ties: ${plural(c.ties, 'pair')} (the same grade in both arms)`
    )
    if (r.byDifficulty.length)
      lines.push(
        'by difficulty:',
        ...r.byDifficulty.map(
          (d) =>
            `  ${d.difficulty}: ${plural(d.pairs, 'pair')}, ${d.with.passed} of ${d.with.n} against ${d.without.passed} of ${d.without.n} (${points(d.difference)}), ${d.fixed.length} fixed, ${d.broken.length} broken, p = ${pText(d.p)}`
        )
      )
  }
  if (r) {
    lines.push('per arm:', armLine(r.arms.with), armLine(r.arms.without))
    if (r.warnings.length) lines.push('warnings:', ...r.warnings.map((w) => `  - ${oneLineOf(w.text, 1000)}`))
  } else if (!view.blind) lines.push('no runs yet')
  lines.push(`next: ${nextOf(view, o.deepenedInto)}`)
  return lines.join('\n')
}

export async function reportCommand(ctx: Ctx, arg: string): Promise<number> {
  const { client, io, print } = ctx
  const v = await findVerification(client, arg)
  // blind until every run is graded: the view has no report and no arms then (src/main/verify/blind.ts)
  const view = await asItIs(ctx, await call<VerificationView>(client, 'getVerification', { verificationId: v.id }), io)
  const into = await deepenedInto(client, view.verification)
  print(view, () => reportText(view, { deepenedInto: into }))
  return 0
}

/** The version deepening this verification made, once its analysis is done (else undefined). */
async function deepenedInto(client: Client, v: Verification): Promise<number | undefined> {
  if (!v.deepenAnalysisId) return undefined
  const a = await call<Analysis>(client, 'getAnalysis', { analysisId: v.deepenAnalysisId }).catch(() => undefined)
  if (a?.state !== 'done' || a.skillId !== v.skillId) return undefined
  const view = await call<SkillView>(client, 'getSkill', { skillId: v.skillId }).catch(() => undefined)
  const newest = (view?.versions ?? []).reduce((n, x) => Math.max(n, x.number), 0)
  return newest > v.version.number ? newest : undefined
}

/** One line per verification; --json: what names it, where it is, and the comparison (no run's arm). */
export async function listCommand(ctx: Ctx, skillArg?: string): Promise<number> {
  const { client, io, print } = ctx
  const skill = skillArg ? await findSkill(client, skillArg) : undefined
  const views = await Promise.all(
    (await call<VerificationView[]>(client, 'listVerifications', skill ? { skillId: skill.id } : {})).map((x) => asItIs(ctx, x, io))
  )
  if (!views.length)
    io.err(
      skill
        ? `no verifications of ${skill.frontMatter.name || skill.id} yet: \`trace2skill verify ${skill.frontMatter.name || skill.id}\` makes one`
        : `no verifications yet: ${MAKE_VERIFICATION}`
    )
  const list = views.map((x) => {
    const v = x.verification
    return {
      id: v.id,
      ...whatItIs(v),
      batchId: v.batchId ?? null,
      batchName: x.batchName ?? null,
      status: x.status,
      comparison: x.report?.comparison ?? null,
      blind: !!x.blind,
      createdAt: v.createdAt
    }
  })
  print(list, () =>
    list
      .map((x) =>
        [
          x.id,
          `${oneLineOf(x.skillName, 200)} v${x.version} against ${x.against === null ? 'no skill' : `v${x.against}`}`,
          statusText(x.status),
          x.comparison?.pairs
            ? `${x.comparison.with.passed}/${x.comparison.with.n} against ${x.comparison.without.passed}/${x.comparison.without.n} (${points(x.comparison.difference)}, p = ${pText(x.comparison.p)})`
            : x.blind
              ? 'blind until every run is graded'
              : 'no pairs graded',
          x.createdAt.slice(0, 16).replace('T', ' ')
        ].join('\t')
      )
      .join('\n')
  )
  return 0
}

// ---------------------------------------------------------------------------------------------------
// explain

export async function explainCommand(
  ctx: Ctx,
  arg: string,
  o: { via?: 'api' | 'claude-cli'; model?: string; claude?: string }
): Promise<number> {
  const { client, io, print } = ctx
  const v = await findVerification(client, arg)
  const before = await call<VerificationView>(client, 'getVerification', { verificationId: v.id })
  const c = before.report?.comparison
  if (!c?.pairs)
    throw new Error(`nothing to explain yet: no pair of verification ${v.id} is graded in both arms; grade its runs: ${gradeNext(v.id)}`)
  if (!c.fixed.length && !c.broken.length)
    throw new Error(
      `nothing to explain: each of the ${plural(c.pairs, 'pair')} graded in both arms has the same grade in both (none fixed or broken); the next version: trace2skill deepen ${v.id}`
    )
  const seen = new Map<string, string>()
  const off = client.on((event, payload) => {
    if (event !== 'verificationProgress') return
    const x = (payload as { verification: Verification }).verification
    if (x.id !== v.id) return
    for (const [key, e] of Object.entries(x.explanations)) {
      if (seen.get(key) === e.state) continue
      seen.set(key, e.state)
      if (e.state !== 'running')
        io.err(
          `${key}: ${e.state === 'done' ? `explained (${plural(e.rules.length, 'rule')})` : `failed: ${oneLineOf(e.error ?? '', 200)}`}`
        )
    }
  })
  let finished = false
  void io.untilStopped?.then(() => {
    if (finished) return
    io.err(`cancelling the explanations (Ctrl+C again stops at once)`)
    void call(client, 'cancelVerification', { verificationId: v.id }).catch(() => {})
  })
  try {
    await call(client, 'explainVerification', {
      verificationId: v.id,
      ...(o.via ? { via: o.via } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.claude ? { claudePath: o.claude } : {})
    })
    await verificationEnded(client, v.id)
  } finally {
    finished = true
    off()
  }
  const view = await call<VerificationView>(client, 'getVerification', { verificationId: v.id })
  const r = view.report!
  const keys = [...r.comparison.fixed, ...r.comparison.broken]
  const failed = keys.filter((k) => view.verification.explanations[k]?.state !== 'done')
  const cost = keys.reduce((n, k) => n + (view.verification.explanations[k]?.costUsd ?? 0), 0)
  print(view, () =>
    [
      ...keys.flatMap((k) => {
        const p = r.pairs.find((x) => x.key === k)!
        const e = view.verification.explanations[k]
        const side = (x: VerifyPair['with'], arm: 'with' | 'without') =>
          x ? `Run ${x.number} with ${armLabel(view.verification, arm)}: ${x.label}` : ''
        return [
          `${k}, ${r.comparison.fixed.includes(k) ? 'fixed' : 'broken'} (${side(p.with, 'with')}; ${side(p.without, 'without')}):`,
          ...(!e
            ? ['  not explained']
            : e.state !== 'done'
              ? [`  ${e.state}${e.error ? `: ${oneLineOf(e.error, 200)}` : ''}`]
              : e.rules.length
                ? e.rules.map(
                    (x) =>
                      `  ${x.verdict}: ${oneLineOf(x.text, 120)} - ${oneLineOf(x.why, 160)}${x.pointers.length ? ` (${x.pointers.map((q) => `Run ${q.run}${q.line ? ` line ${q.line}` : ''}`).join(', ')})` : ''}`
                  )
                : ['  no rule of the version shows in this run']),
          ...(e?.setAside.length ? [`  set aside: ${e.setAside.map((s) => oneLineOf(s, 120)).join('; ')}`] : [])
        ]
      }),
      `explained ${keys.length - failed.length} of ${plural(keys.length, 'pair')} (${money(cost)})`,
      `next: trace2skill deepen ${v.id} (the next version, from these runs and what they followed)`
    ].join('\n')
  )
  if (failed.length) {
    io.err(
      `trace2skill: ${plural(failed.length, 'pair')} not explained (${failed.join(', ')}): run explain again to retry ${failed.length === 1 ? 'it' : 'them'}`
    )
    return 1
  }
  return 0
}
