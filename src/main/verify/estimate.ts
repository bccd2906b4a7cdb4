/**
 * What a verification would be, before anything is written: its variations (unless fresh), its runs,
 * a cost estimate from the runs the skill was learned from, and the warnings (not held out, the default
 * mix, flagged texts). Starting a verification plans it first. Electron-free.
 */
import { fail } from '../../shared/contract'
import { flaggedRefusal, skillFlags } from '../../shared/rule-flags'
import { DIFFICULTIES } from '../../shared/runs'
import type { SkillVersion } from '../../shared/skills'
import { graderGrades, type VerifyEstimate, type VerifyVariation, type VerifyWarning } from '../../shared/verify'
import { CALL_OVERHEAD, GRADE_OUTPUT, GRADE_SHOT_TOKENS, GRADE_SHOTS } from '../grading/grade'
import { rubricView } from '../grading/rubrics'
import { costUsd, isPriced } from '../traces/pricing'
import { AUTO_GRADE_MODEL, refuseAutoWithoutRubric } from './auto-grade'
import { nameOf, plural, stateOf, type VerifyContext, type VerifyInput } from './context'
import { learnedFrom, learnedPrompts, mixOf, resolveVersions, settingsFor, variationsOfBatch } from './sources'

export type VerificationPlan = Awaited<ReturnType<typeof planVerification>>

/** The texts of a version a run would be given that need a confirmation (a command, a URL, text copied from a run). */
export const flagsOf = (x: SkillVersion) =>
  skillFlags({ provenance: undefined, ...stateOf(x), rules: stateOf(x).rules ?? [] }).map((t) => ({
    ...t,
    label: `version ${x.number}'s ${t.label}`
  }))

/**
 * What a verification would be: its variations (unless fresh), runs, cost estimate and warnings.
 * `arms`: runs per variation and repeat (2; a candidates verification's: its candidates and no skill).
 */
export async function planVerification(ctx: Pick<VerifyContext, 'store' | 'skills'>, input: VerifyInput, arms = 2) {
  const { skill, version, against } = await resolveVersions(ctx, input)
  const source = input.variations?.source ?? 'fresh'
  const repeats = input.repeats ?? 2
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) throw fail('repeats: a whole number from 1 to 10', 'invalid')
  const batches = learnedFrom(ctx, skill, version)
  const analysed = batches[batches.length - 1]
  const analysedVariations = analysed ? await variationsOfBatch(ctx, analysed) : []
  const taskId = skill.taskId ?? (analysed ? ctx.store.batches.head(analysed)?.taskId : undefined)
  const task = taskId ? ctx.store.index.task(taskId) : undefined
  // graded by the grader (alone, or asking the person): refused, before anything runs, when the task has no rubric
  const grade = input.grade ?? 'person'
  const rubric = graderGrades({ grade }) ? await rubricView(ctx.store, refuseAutoWithoutRubric(ctx, task?.id, grade)) : undefined
  const warnings: VerifyWarning[] = []
  let variations: VerifyVariation[] = []
  let count: number
  if (source === 'pasted') {
    const items = (input.variations as { items: VerifyVariation[] }).items
    if (!items?.length) throw fail('paste at least one variation', 'invalid')
    variations = items.map((x) => ({ difficulty: x.difficulty, prompt: x.prompt.trim() })).filter((x) => x.prompt)
    if (!variations.length) throw fail('paste at least one variation', 'invalid')
    count = variations.length
  } else if (source === 'batch') {
    if (!analysedVariations.length)
      throw fail('the skill was not learned from a batch with runs: generate fresh variations or paste some', 'invalid')
    variations = analysedVariations
    count = variations.length
  } else {
    if (!task)
      throw fail(
        'fresh variations are written from the task, and this skill was learned from runs with no task (imported sessions): paste variations instead',
        'invalid'
      )
    const mix = mixOf(analysedVariations)
    count = DIFFICULTIES.reduce((n, k) => n + mix[k], 0)
    if (!analysedVariations.length)
      warnings.push({
        kind: 'default-mix',
        text: 'No analysed variations to take the mix from: the default mix (5 easy, 8 normal, 4 hard, 3 adversarial) is used.'
      })
  }
  const learned = new Set((await learnedPrompts(ctx, batches)).map((p) => p.replace(/\s+/g, ' ').trim().toLowerCase()))
  const heldOut =
    source === 'fresh' || (source === 'pasted' && !variations.some((x) => learned.has(x.prompt.replace(/\s+/g, ' ').trim().toLowerCase())))
  if (!heldOut)
    warnings.push({
      kind: 'not-held-out',
      text:
        source === 'batch'
          ? 'Not held out: these are the variations the skill was learned from, so the gain is likely overstated.'
          : 'Not held out: some pasted variations are ones the skill was learned from, so the gain is likely overstated.'
    })
  // what the runs will be given as a project skill: a flagged text (a command, a URL, text copied from a run) needs a confirmation
  const flagged = [version, ...(against ? [against] : [])].flatMap(flagsOf)
  if (flagged.length) warnings.push({ kind: 'flagged', text: flaggedRefusal(flagged, 'confirm to install it in the with-skill runs') })
  const name = nameOf(version)
  const settings = await settingsFor(ctx, batches, input.settings)
  const runs = count * repeats * arms
  // the cost of a run, from the real runs the skill was learned from
  const { costs, costPerRunUsd } = await meanRunCost(ctx, batches)
  const grading = rubric ? gradingCost(runs, rubric.current.assertions.length) : undefined
  const runsUsd = costPerRunUsd === null ? null : costPerRunUsd * runs
  const estimate: VerifyEstimate = {
    variations: count,
    runs,
    repeats,
    version: { id: version.id, number: version.number },
    against: against ? { id: against.id, number: against.number } : null,
    source,
    heldOut,
    costPerRunUsd,
    usd: runsUsd === null ? null : runsUsd + (grading?.usd ?? 0),
    capUsd: settings.maxBudgetUsd ? settings.maxBudgetUsd * runs : null,
    basis:
      (costPerRunUsd === null
        ? 'no finished run of the batches it was learned from has a cost to go by'
        : `${plural(runs, 'run')} (${plural(count, 'variation')} x ${repeats} x ${arms} arms) at $${costPerRunUsd.toFixed(3)}, the mean of ${plural(costs.length, 'finished run')} it was learned from${source === 'fresh' ? '; writing the variations costs a little more' : ''}`) +
      (grading ? `; ${grading.basis}` : ''),
    settings,
    warnings
  }
  return { skill, version, against, source, repeats, variations, task, settings, batches, heldOut, estimate, name, flagged, grade }
}

/** The mean cost of a finished run of these batches (null: none finished with a cost), and the costs it is the mean of. */
export async function meanRunCost(ctx: Pick<VerifyContext, 'store'>, batches: string[]) {
  const costs: number[] = []
  for (const id of batches) {
    const doc = await ctx.store.batches.get(id)
    for (const r of doc ? ctx.store.batches.runsOf(doc) : [])
      if (r.state === 'done' && r.progress.costUsd > 0) costs.push(r.progress.costUsd)
  }
  return { costs, costPerRunUsd: costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : null }
}

/** Tokens a grade is expected to read besides the rubric: the answer and files, and up to four screenshots; and to answer. */
const GRADE_READ = 4000 + GRADE_SHOTS * GRADE_SHOT_TOKENS + CALL_OVERHEAD
const GRADE_ANSWER = GRADE_OUTPUT

/** What the grader grading every run would cost (model, tokens, dollars when the model is priced). */
export function gradingCost(runs: number, assertions: number): { usd: number; basis: string } {
  const input = runs * (GRADE_READ + 25 * assertions)
  const output = runs * GRADE_ANSWER
  const usd = isPriced(AUTO_GRADE_MODEL) ? costUsd(AUTO_GRADE_MODEL, { input, output, cacheRead: 0, cacheCreation: 0 }) : 0
  return {
    usd,
    basis: `the grader grading the ${plural(runs, 'run')} with the task's rubric (${plural(assertions, 'assertion')}, ${AUTO_GRADE_MODEL}): about $${usd.toFixed(3)} (about ${GRADE_READ} tokens read and ${GRADE_ANSWER} answered per run)`
  }
}
