/**
 * `confirm <skill>`: the rules of a version drawn from bad runs, each re-run alone on a few of its
 * failures and a good variation (one blind batch), graded by the person or the grader; waits as
 * `verify` does and prints per rule: its status, its runs and its text.
 */
import type { ConfirmEstimate } from '../../../shared/confirm'
import { describePreset } from '../../../shared/runs'
import type { GradeMode, VerificationView, VerifySettings } from '../../../shared/verify'
import { claudePath, int, preset, type Opts } from '../args'
import { call, oneLineOf, plural, UsageError } from '../common'
import { confirmEnded } from '../confirmation'
import { verb, type Ctx } from '../context'
import { gradeMode, preflightRuns, skillVersionOf } from '../verification'
import { follow } from './verify'

interface ConfirmArgs {
  skill: string
  version?: number
  grade?: GradeMode
  perRule?: number
  cap?: number
  settings: VerifySettings
  acceptFlagged?: boolean
}

function confirmArgs(skill: string, o: Opts): ConfirmArgs {
  if (o.skillVersion !== undefined && !/^[1-9]\d{0,5}$/.test(o.skillVersion))
    throw new UsageError(`--version takes a version number of the skill (1, 2, ...), not ${o.skillVersion}`)
  const grade = gradeMode(o.grade)
  const given: VerifySettings = {
    concurrency: int('concurrency', o.concurrency, 1, 16),
    maxTurns: int('max-turns', o.maxTurns, 1, 1000),
    model: o.model,
    claudePath: claudePath(o),
    permission: preset(o)
  }
  return {
    skill,
    ...(o.skillVersion !== undefined ? { version: Number(o.skillVersion) } : {}),
    ...(grade !== 'person' ? { grade } : {}),
    perRule: int('per-rule', o.perRule, 1, 10),
    cap: int('max-runs', o.maxRuns, 1, 1000),
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings,
    ...(o.acceptFlagged ? { acceptFlagged: true } : {})
  }
}

async function confirmCommand(ctx: Ctx, a: ConfirmArgs): Promise<number> {
  const { client, io } = ctx
  const { skill, name, version } = await skillVersionOf(client, a.skill, a.version, 'confirm its rules')
  const input = {
    skillId: skill.id,
    versionId: version.id,
    ...(a.perRule !== undefined ? { perRule: a.perRule } : {}),
    ...(a.cap !== undefined ? { cap: a.cap } : {}),
    ...(a.grade ? { grade: a.grade } : {}),
    settings: a.settings,
    ...(a.acceptFlagged ? { acceptFlagged: true } : {})
  }
  const est = await call<ConfirmEstimate>(client, 'estimateConfirmation', input)
  io.err(
    `confirm the rules of ${oneLineOf(name, 200)} version ${version.number} drawn from bad runs: ${plural(est.rules.length + est.left.length, 'rule')} (${plural(est.kept, 'other rule')} installed as they are in every run); ${plural(est.runs, 'run')}, cap ${est.cap}`
  )
  for (const r of est.rules) io.err(`  ${r.fix} failure${r.fix === 1 ? '' : 's'} re-run + ${r.keep} good: ${oneLineOf(r.text, 200)}`)
  io.err(`estimate: ${est.usd === null ? 'no cost to go by' : `about $${est.usd.toFixed(2)}`} (${est.basis})`)
  for (const w of est.warnings) io.err(`warning: ${oneLineOf(w, 1000)}`)
  if (est.left.length)
    throw new UsageError(
      `${plural(est.wanted, 'run')} would be over the cap of ${est.cap}: raise it (--max-runs ${est.wanted}) or re-run fewer failures per rule (--per-rule N); left: ${est.left.map((r) => oneLineOf(r.text, 80)).join('; ')}`
    )
  // the run settings: the batch's it was learned from, with those given; refused where they cannot work
  const settings = est.settings
  await preflightRuns(client, settings, !!a.settings.permission)
  io.err(`permissions: ${describePreset(settings)}`)
  if (est.flagged && !a.acceptFlagged)
    throw new Error(
      'the version holds flagged texts (the warning above): read them, then confirm with --accept-flagged to install it anyway'
    )

  const got = await follow(ctx, () =>
    call<VerificationView>(client, 'startConfirmation', input).catch((err: Error & { code?: string }) => {
      throw err.code === 'preset-unavailable' ? new Error(`${err.message} Pass --preset accept-edits to run without it.`) : err
    })
  )
  return confirmEnded(ctx, got, est)
}

const confirm = verb<ConfirmArgs>({
  name: 'confirm',
  args: { n: 1, what: 'a skill (its id or name)' },
  options: ['grade', 'perRule', 'maxRuns', 'concurrency', 'maxTurns', 'model', 'claude', 'preset', 'acceptFlagged', 'json'],
  readOnly: false,
  screenshots: true,
  prepare: ([skill], o) => confirmArgs(skill, o),
  run: (ctx, _args, _o, a) => confirmCommand(ctx, a)
})

export const confirmVerbs = [confirm]
