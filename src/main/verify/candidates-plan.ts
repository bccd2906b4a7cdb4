/**
 * What a candidates verification would be, before anything is written: from existing versions of one
 * skill (./estimate.ts's plan, with one run per candidate and one with no skill per variation and
 * repeat), or from a batch whose candidates are built first; the cost at the learned batch's real
 * costs, and the cap it is refused over unless raised. Electron-free.
 */
import { fail } from '../../shared/contract'
import { DEFAULT_CANDIDATES_CAP_USD, type CandidatesEstimate } from '../../shared/candidates-estimate'
import { MAX_CANDIDATES, MIN_CANDIDATES } from '../../shared/candidates'
import { flaggedRefusal } from '../../shared/rule-flags'
import { DIFFICULTIES } from '../../shared/runs'
import { graderGrades, type VerifySettings, type VerifyVariation, type VerifyWarning } from '../../shared/verify'
import { rubricView } from '../grading/rubrics'
import { refuseAutoWithoutRubric } from './auto-grade'
import { nameOf, plural, type BuildCandidatesInput, type VerifyContext, type VerifyInput } from './context'
import { flagsOf, gradingCost, planVerification } from './estimate'
import { learnedPrompts, mixOf, settingsFor, variationsOfBatch } from './sources'

/** What every candidates verification is given beside its candidates. */
export interface CandidatesOptions {
  variations?: VerifyInput['variations']
  /** runs per variation per arm (default 2) */
  repeats?: number
  settings?: VerifySettings
  generationModel?: string
  acceptFlagged?: boolean
  grade?: VerifyInput['grade']
  /** refused when the estimate is over it (default DEFAULT_CANDIDATES_CAP_USD) */
  capUsd?: number
}
export type ExistingCandidates = CandidatesOptions & { skillId: string; versionIds: string[] }
export type BuildOptions = BuildCandidatesInput
export type CandidatesInput = ExistingCandidates | (CandidatesOptions & BuildOptions)

type Ctx = Pick<VerifyContext, 'store' | 'skills' | 'buildCandidates' | 'estimateBuild'>

const countOk = (n: number, what: string) => {
  if (!Number.isInteger(n) || n < MIN_CANDIDATES || n > MAX_CANDIDATES)
    throw fail(`${what}: from ${MIN_CANDIDATES} to ${MAX_CANDIDATES} candidates, not ${n}`, 'invalid')
}

/** The estimate's figures: runs, cost, the budget and the cap, and the sentence saying how. */
function figures(o: {
  count: number
  repeats: number
  arms: number
  costs: number[]
  budget: number | undefined
  capUsd: number | undefined
  grading?: { usd: number; basis: string }
  /** building the candidates first: its estimated cost (null: not known), said after the runs' */
  build?: { usd: number | null; basis: string }
  fresh: boolean
  from: string
}) {
  const runs = o.count * o.repeats * o.arms
  const costPerRunUsd = o.costs.length ? o.costs.reduce((a, b) => a + b, 0) / o.costs.length : null
  const usd = costPerRunUsd === null ? null : costPerRunUsd * runs + (o.grading?.usd ?? 0) + (o.build?.usd ?? 0)
  const capUsd = o.capUsd ?? DEFAULT_CANDIDATES_CAP_USD
  if (!(capUsd > 0)) throw fail('the cap: more than 0 US dollars', 'invalid')
  return {
    runs,
    costPerRunUsd,
    usd,
    budgetUsd: o.budget ? o.budget * runs : null,
    capUsd,
    over: usd !== null && usd > capUsd,
    basis:
      (costPerRunUsd === null
        ? `${plural(runs, 'run')}; no finished run of ${o.from} has a cost to go by`
        : `${plural(runs, 'run')} (${plural(o.count, 'variation')} x ${o.repeats} x ${o.arms} arms: ${o.arms - 1} candidates and no skill) at $${costPerRunUsd.toFixed(3)}, the mean of ${plural(o.costs.length, 'finished run')} of ${o.from}${o.fresh ? '; writing the variations costs a little more' : ''}`) +
      (o.grading ? `; ${o.grading.basis}` : '') +
      (o.build ? `; ${o.build.basis}` : '')
  }
}

/** The finished runs' costs of these batches. */
async function costsOf(ctx: Pick<Ctx, 'store'>, batchIds: string[]) {
  const costs: number[] = []
  for (const id of batchIds) {
    const doc = await ctx.store.batches.get(id)
    for (const r of doc ? ctx.store.batches.runsOf(doc) : [])
      if (r.state === 'done' && r.progress.costUsd > 0) costs.push(r.progress.costUsd)
  }
  return costs
}

/** Candidates that are existing versions of one skill: each checked, named, and its flagged texts said. */
export async function planExisting(ctx: Ctx, input: ExistingCandidates) {
  const ids = input.versionIds
  countOk(ids.length, 'versionIds')
  if (new Set(ids).size !== ids.length) throw fail('versionIds: each version once', 'invalid')
  const skill = await ctx.skills.skillOf(input.skillId)
  const all = await ctx.store.skills.versions(skill.id)
  const versions = ids.map((id) => all.find((x) => x.id === id))
  const missing = ids.find((_, i) => !versions[i])
  if (missing) throw fail(`version ${missing} is not a version of this skill`, 'invalid')
  const unnamed = versions.find((x) => !nameOf(x!))
  if (unnamed) throw fail(`version ${unnamed!.number} has no name in its front matter: name the skill in the composer first`, 'invalid')
  const arms = versions.length + 1
  const p = await planVerification(ctx, { ...input, versionId: ids[0], against: 'none' }, arms)
  const flagged = versions.flatMap((x) => flagsOf(x!))
  const warnings: VerifyWarning[] = p.estimate.warnings.filter((w) => w.kind !== 'flagged')
  if (flagged.length) warnings.push({ kind: 'flagged', text: flaggedRefusal(flagged, 'confirm to install them in the runs') })
  const costs = await costsOf(ctx, p.batches)
  const grading = graderGrades(p) ? await gradingOf(ctx, p.task?.id, p.estimate.runs) : undefined
  const f = figures({
    count: p.estimate.variations,
    repeats: p.repeats,
    arms,
    costs,
    budget: p.settings.maxBudgetUsd,
    capUsd: input.capUsd,
    grading,
    fresh: p.source === 'fresh',
    from: 'the batches it was learned from'
  })
  const candidates = versions.map((x) => ({ id: x!.id, number: x!.number, name: nameOf(x!) }))
  const estimate: CandidatesEstimate = {
    candidates: versions.length,
    versions: candidates,
    build: null,
    variations: p.estimate.variations,
    repeats: p.repeats,
    source: p.source,
    heldOut: p.heldOut,
    settings: p.settings,
    warnings,
    ...f
  }
  return { plan: p, candidates, flagged, estimate }
}

/** What the grader grading every run would cost. */
async function gradingOf(ctx: Pick<Ctx, 'store'>, taskId: string | undefined, runs: number) {
  const rubric = await rubricView(ctx.store, refuseAutoWithoutRubric(ctx, taskId))
  return gradingCost(runs, rubric.current.assertions.length)
}

/** Candidates to be built from a batch first: the runs and cost from the batch (its variations, mix, settings and costs). */
export async function planBuild(ctx: Ctx, input: CandidatesOptions & BuildOptions) {
  if (!ctx.buildCandidates)
    throw fail('building candidates is not available in this app: verify existing versions as candidates (versionIds)', 'invalid')
  countOk(input.n, 'n')
  const doc = await ctx.store.batches.get(input.batchId)
  if (!doc) throw fail(`no such batch: ${input.batchId}`, 'not-found')
  const source = input.variations?.source ?? 'fresh'
  const repeats = input.repeats ?? 2
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) throw fail('repeats: a whole number from 1 to 10', 'invalid')
  const analysed = await variationsOfBatch(ctx, input.batchId)
  const task = doc.batch.taskId ? ctx.store.index.task(doc.batch.taskId) : undefined
  const warnings: VerifyWarning[] = []
  let variations: VerifyVariation[] = []
  let count: number
  if (source === 'pasted') {
    const items = (input.variations as { items: VerifyVariation[] }).items ?? []
    variations = items.map((x) => ({ difficulty: x.difficulty, prompt: x.prompt.trim() })).filter((x) => x.prompt)
    if (!variations.length) throw fail('paste at least one variation', 'invalid')
    count = variations.length
  } else if (source === 'batch') {
    if (!analysed.length) throw fail('the batch has no runs: generate fresh variations or paste some', 'invalid')
    variations = analysed
    count = variations.length
  } else {
    if (!task) throw fail('fresh variations are written from the task, and this batch has no task: paste variations instead', 'invalid')
    const mix = mixOf(analysed)
    count = DIFFICULTIES.reduce((n, k) => n + mix[k], 0)
  }
  const learned = new Set((await learnedPrompts(ctx, [input.batchId])).map((p) => p.replace(/\s+/g, ' ').trim().toLowerCase()))
  const heldOut =
    source === 'fresh' || (source === 'pasted' && !variations.some((x) => learned.has(x.prompt.replace(/\s+/g, ' ').trim().toLowerCase())))
  if (!heldOut)
    warnings.push({
      kind: 'not-held-out',
      text: 'Not held out: these are the variations the candidates are learned from, so their gain is likely overstated.'
    })
  const settings = await settingsFor(ctx, [input.batchId], input.settings)
  const arms = input.n + 1
  const grading = graderGrades(input) ? await gradingOf(ctx, task?.id, count * repeats * arms) : undefined
  const build = await buildCost(ctx, input)
  const f = figures({
    count,
    repeats,
    arms,
    costs: await costsOf(ctx, [input.batchId]),
    budget: settings.maxBudgetUsd,
    capUsd: input.capUsd,
    grading,
    build: { usd: build.usd, basis: build.basis },
    fresh: source === 'fresh',
    from: 'the batch'
  })
  const estimate: CandidatesEstimate = {
    candidates: input.n,
    versions: [],
    build: { batchId: input.batchId, n: input.n, usd: build.usd },
    variations: count,
    repeats,
    source,
    heldOut,
    settings,
    warnings,
    ...f
  }
  return { estimate, variations, task, settings, heldOut, source, repeats }
}

/** What a candidates verification would be; refused over the cap (unless raised) by the callers that start it. */
export async function estimateCandidates(ctx: Ctx, input: CandidatesInput): Promise<CandidatesEstimate> {
  return 'versionIds' in input ? (await planExisting(ctx, input)).estimate : (await planBuild(ctx, input)).estimate
}

/** The refusal of an estimate over the cap. */
export function refuseOverCap(e: CandidatesEstimate): void {
  if (e.over)
    throw fail(
      `the estimate, about $${e.usd!.toFixed(2)} (${e.basis}), is over the cap of $${e.capUsd.toFixed(2)}: raise the cap to run it, or run fewer variations, repeats or candidates`,
      'invalid'
    )
}

/** What building the candidates first would cost: N analyses of the batch, as the analysis service estimates them. */
async function buildCost(ctx: Ctx, input: BuildOptions): Promise<{ usd: number | null; basis: string }> {
  const what = `building the ${input.n} candidates first: ${input.n} analyses of the batch`
  if (!ctx.estimateBuild) return { usd: null, basis: `${what}, not estimated here` }
  try {
    const { usd } = await ctx.estimateBuild(input)
    return usd === null ? { usd, basis: `${what}, no price known for the model` } : { usd, basis: `${what}, about $${usd.toFixed(2)}` }
  } catch (err) {
    // an estimate: what cannot be estimated is said, not refused (the build itself says what is wrong)
    return { usd: null, basis: `${what}, not estimated: ${(err as Error).message}` }
  }
}
