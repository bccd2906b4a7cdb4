/**
 * Issue 22, `candidates`: build N candidate versions from a graded batch (or take existing versions of
 * a skill, --versions 2,3,4 --skill <skill>), verify them all and no skill on the same variations in
 * one blind batch, wait as `verify` does, and print the table and the one suggested (graded by the
 * grader with --grade auto; by the person otherwise: grade, then `trace2skill report <id>`).
 */
import type { CandidatesEstimate } from '../../../shared/candidates-estimate'
import { MAX_CANDIDATES, MIN_CANDIDATES } from '../../../shared/candidates'
import type { SkillView } from '../../../shared/contract'
import type { GradeMode, VerificationView, VerifySettings } from '../../../shared/verify'
import { claudePath, int, preset, readVariationsFile, via, type Opts } from '../args'
import { candidatesText } from '../candidates'
import { call, findBatch, findSkill, oneLineOf, plural, UsageError } from '../common'
import { verb, type Ctx } from '../context'
import { gradeMode, preflightRuns, versionByNumber } from '../verification'
import { ended, follow } from './verify'

interface CandidatesArgs {
  batch?: string
  n?: number
  versions?: number[]
  skill?: string
  grade: GradeMode
  variations: { source: 'fresh' } | { source: 'batch' } | { source: 'pasted'; items: { difficulty: string; prompt: string }[] }
  repeats?: number
  settings: VerifySettings
  capUsd?: number
  acceptFlagged?: boolean
  via?: 'api' | 'claude-cli'
  mergeModel?: string
}

async function candidatesArgs(args: string[], o: Opts): Promise<CandidatesArgs> {
  const grade = gradeMode(o.grade)
  let versions: number[] | undefined
  if (o.versions !== undefined) {
    versions = o.versions
      .split(',')
      .map((x) => x.trim())
      .map((x) => {
        if (!/^[1-9]\d{0,5}$/.test(x))
          throw new UsageError(`--versions takes version numbers separated by commas (such as 2,3,4), not ${o.versions}`)
        return Number(x)
      })
    if (versions.length < MIN_CANDIDATES || versions.length > MAX_CANDIDATES || new Set(versions).size !== versions.length)
      throw new UsageError(`--versions takes ${MIN_CANDIDATES} to ${MAX_CANDIDATES} different version numbers, not ${o.versions}`)
    if (!o.skill) throw new UsageError('--versions needs --skill <skill>: the skill they are versions of')
    if (o.n !== undefined) throw new UsageError('--n builds new candidates, --versions verifies existing ones: give one of them')
  } else {
    if (!args[0]) throw new UsageError('candidates takes a batch to build them from (or --versions 2,3,4 --skill <skill>)')
    if (o.n === undefined) throw new UsageError(`--n: how many candidates to build from the batch (${MIN_CANDIDATES} to ${MAX_CANDIDATES})`)
  }
  const from = o.variations ?? 'fresh'
  const variations: CandidatesArgs['variations'] =
    from === 'fresh' || from === 'batch' ? { source: from } : { source: 'pasted', items: await readVariationsFile(from) }
  let capUsd: number | undefined
  if (o.cap !== undefined) {
    capUsd = Number(o.cap)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(o.cap) || !(capUsd > 0))
      throw new UsageError(`--cap takes US dollars, more than 0 (such as 40), not ${o.cap}`)
  }
  let maxBudgetUsd: number | undefined
  if (o.budget !== undefined) {
    maxBudgetUsd = Number(o.budget)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(o.budget) || !(maxBudgetUsd > 0))
      throw new UsageError(`--budget takes US dollars a run, such as 0.50, not ${o.budget}`)
  }
  const given: VerifySettings = {
    concurrency: int('concurrency', o.concurrency, 1, 16),
    maxTurns: int('max-turns', o.maxTurns, 1, 1000),
    model: o.model,
    claudePath: claudePath(o),
    permission: preset(o),
    maxBudgetUsd
  }
  return {
    ...(versions ? { versions, skill: o.skill } : { batch: args[0], n: int('n', o.n, MIN_CANDIDATES, MAX_CANDIDATES) }),
    grade,
    variations,
    repeats: int('repeats', o.repeats, 1, 10),
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings,
    ...(capUsd !== undefined ? { capUsd } : {}),
    ...(o.acceptFlagged ? { acceptFlagged: true } : {}),
    ...(via(o) ? { via: via(o) } : {}),
    ...(o.mergeModel ? { mergeModel: o.mergeModel } : {})
  }
}

async function candidatesCommand(ctx: Ctx, a: CandidatesArgs): Promise<number> {
  const { client, io, print } = ctx
  const common = {
    variations: a.variations,
    ...(a.repeats !== undefined ? { repeats: a.repeats } : {}),
    settings: a.settings,
    ...(a.grade !== 'person' ? { grade: a.grade } : {}),
    ...(a.capUsd !== undefined ? { capUsd: a.capUsd } : {}),
    ...(a.acceptFlagged ? { acceptFlagged: true } : {})
  }
  let input: Record<string, unknown>
  if (a.versions) {
    const skill = await findSkill(client, a.skill!)
    const view = await call<SkillView>(client, 'getSkill', { skillId: skill.id })
    input = { ...common, skillId: skill.id, versionIds: a.versions.map((n) => versionByNumber(skill, view, n, '--versions').id) }
  } else {
    const batchId = await findBatch(client, a.batch!)
    input = { ...common, batchId, n: a.n, ...(a.via ? { via: a.via } : {}), ...(a.mergeModel ? { mergeModel: a.mergeModel } : {}) }
  }
  const est = await call<CandidatesEstimate>(client, 'estimateCandidates', input)
  io.err(
    `candidates: ${a.versions ? `versions ${a.versions.join(', ')}` : `${est.candidates} built from the batch first`} and no skill; ${plural(est.variations, 'variation')} x ${plural(est.repeats, 'repeat')} x ${est.candidates + 1} arms = ${plural(est.runs, 'run')}${est.heldOut ? '' : ' (NOT held out)'}`
  )
  io.err(`estimate: ${est.usd === null ? 'no cost to go by' : `about $${est.usd.toFixed(2)}`} (${est.basis})`)
  io.err(`cap: $${est.capUsd.toFixed(2)}${est.over ? ' (the estimate is over it: --cap USD raises it)' : ''}`)
  for (const w of est.warnings) io.err(`warning: ${oneLineOf(w.text, 1000)}`)
  if (est.over) throw new Error(`the estimate is over the cap of $${est.capUsd.toFixed(2)}: raise it with --cap ${Math.ceil(est.usd!)}`)
  await preflightRuns(client, est.settings, !!a.settings.permission)
  const got = await follow(
    ctx,
    () => call<VerificationView>(client, 'makeCandidates', input),
    est.source === 'fresh' ? { fresh: { count: est.variations } } : {}
  )
  if (!got.candidates) {
    // graded by the person: the runs (blind) and what next; the table once graded (`trace2skill report <id>`)
    const code = await ended(ctx, got)
    io.err(`once every run is graded: trace2skill report ${got.verification.id} prints the candidates table`)
    return code
  }
  print({ verificationId: got.verification.id, candidates: got.verification.candidates, table: got.candidates, status: got.status }, () =>
    candidatesText(got)
  )
  return got.status.unfinished ? 1 : 0
}

const candidates = verb<CandidatesArgs>({
  name: 'candidates',
  args: { max: 1 },
  options: [
    'n',
    'versions',
    'skill',
    'grade',
    'variations',
    'repeats',
    'cap',
    'concurrency',
    'maxTurns',
    'model',
    'mergeModel',
    'via',
    'claude',
    'preset',
    'budget',
    'acceptFlagged',
    'json'
  ],
  readOnly: false,
  screenshots: true,
  prepare: (args, o) => candidatesArgs(args, o),
  run: (ctx, _args, _o, a) => candidatesCommand(ctx, a)
})

export const candidatesVerbs = [candidates]
