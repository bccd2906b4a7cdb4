/**
 * What a confirmation would be, before anything is written: the rules under test (the version's rules,
 * not discarded, whose evidence cites a run graded bad in the batch it was learned from), for each a
 * few of the bad variations it cites and a good variation as the harm check, the runs that fit under
 * the cap, and the cost at the batch's real mean cost per run. Electron-free.
 */
import { fail } from '../../../shared/contract'
import { CONFIRM_CAP, CONFIRM_GOOD_PER_RULE, CONFIRM_PER_RULE, type ConfirmEstimate, type ConfirmRule } from '../../../shared/confirm'
import { flaggedRefusal, skillFlags } from '../../../shared/rule-flags'
import type { Run } from '../../../shared/runs'
import { graderGrades, type GradeMode, type VerifySettings, type VerifyVariation } from '../../../shared/verify'
import { refuseAutoWithoutRubric } from '../auto-grade'
import { nameOf, plural, stateOf, type VerifyContext } from '../context'
import { gradingCost, meanRunCost } from '../estimate'
import { rubricView } from '../../grading/rubrics'
import { learnedFrom, resolveVersions, settingsFor } from '../sources'

export interface ConfirmInput {
  skillId: string
  /** the version whose rules are confirmed (default: the newest) */
  versionId?: string
  /** bad variations re-run per rule (default 2) */
  perRule?: number
  /** good variations re-run per rule as the harm check (default 1) */
  goodPerRule?: number
  /** the most runs (default 40): over it, refused unless raised */
  cap?: number
  grade?: GradeMode
  settings?: VerifySettings
  acceptFlagged?: boolean
}

const whole = (x: number | undefined, dflt: number, min: number, max: number, what: string) => {
  const n = x ?? dflt
  if (!Number.isInteger(n) || n < min || n > max) throw fail(`${what}: a whole number from ${min} to ${max}`, 'invalid')
  return n
}

/** A variation's key: the same prompt is one variation, however many runs had it. */
const keyOf = (prompt: string) => prompt.replace(/\s+/g, ' ').trim()

/**
 * For each rule under test, its bad variations (those of the bad runs it cites, `perRule` of them) and
 * its good ones (`goodPerRule`: one it cites if any, else a good run of the batch, spread across rules).
 * Pure.
 */
export function pickVariations(
  rules: { id: string; text: string; evidence: number[] }[],
  runs: Pick<Run, 'number' | 'prompt' | 'difficulty' | 'feedback'>[],
  perRule: number,
  goodPerRule: number
): { rules: ConfirmRule[]; variations: VerifyVariation[] } {
  const byNumber = new Map(runs.map((r) => [r.number, r]))
  const label = (n: number) => byNumber.get(n)?.feedback?.label
  const variations: VerifyVariation[] = []
  const index = new Map<string, number>()
  const variationOf = (r: Pick<Run, 'prompt' | 'difficulty'>) => {
    const key = keyOf(r.prompt)
    if (!index.has(key)) {
      index.set(key, variations.length)
      variations.push({ difficulty: r.difficulty ?? 'normal', prompt: r.prompt })
    }
    return index.get(key)!
  }
  const distinct = (xs: Pick<Run, 'prompt' | 'difficulty'>[]) => {
    const seen = new Set<string>()
    return xs.filter((r) => !seen.has(keyOf(r.prompt)) && !!seen.add(keyOf(r.prompt)))
  }
  // every good variation of the batch, in run order: a rule citing none takes the next (spread across rules)
  const goodOfBatch = distinct([...runs].sort((a, b) => a.number - b.number).filter((r) => r.feedback?.label === 'good'))
  let next = 0
  const out: ConfirmRule[] = []
  for (const rule of rules) {
    const badRuns = rule.evidence.filter((n) => label(n) === 'bad')
    if (!badRuns.length) continue
    const bad = distinct(badRuns.map((n) => byNumber.get(n)!)).slice(0, perRule)
    const badKeys = new Set(bad.map((r) => keyOf(r.prompt)))
    const cited = distinct(rule.evidence.filter((n) => label(n) === 'good').map((n) => byNumber.get(n)!)).filter(
      (r) => !badKeys.has(keyOf(r.prompt))
    )
    const good = cited.slice(0, goodPerRule)
    const others = goodOfBatch.filter((r) => !badKeys.has(keyOf(r.prompt)))
    for (let tried = 0; good.length < goodPerRule && tried < others.length; tried++) {
      const r = others[next++ % others.length]
      if (!good.some((g) => keyOf(g.prompt) === keyOf(r.prompt))) good.push(r)
    }
    out.push({ id: rule.id, text: rule.text, badRuns, fix: bad.map(variationOf), keep: good.map(variationOf) })
  }
  return { rules: out, variations }
}

/** What a confirmation would be: its rules and runs, those the cap leaves, the cost and what to know. */
export async function planConfirmation(ctx: Pick<VerifyContext, 'store' | 'skills'>, input: ConfirmInput) {
  const perRule = whole(input.perRule, CONFIRM_PER_RULE, 1, 10, 'per rule')
  const goodPerRule = whole(input.goodPerRule, CONFIRM_GOOD_PER_RULE, 0, 10, 'good variations per rule')
  const cap = whole(input.cap, CONFIRM_CAP, 1, 1000, 'cap')
  const { skill, version } = await resolveVersions(ctx, { skillId: input.skillId, versionId: input.versionId })
  const state = stateOf(version)
  const batches = learnedFrom(ctx, skill, version)
  // the batch the version was learned from: the newest its state names (a later deepening does not move it)
  const own = (state.batchIds ?? []).filter((id) => ctx.store.batches.has(id))
  const batchId = own[own.length - 1] ?? batches[batches.length - 1]
  if (!batchId)
    throw fail(`version ${version.number} was learned from no batch of runs still here: there are no failures to re-run`, 'invalid')
  if (state.markdown !== undefined)
    throw fail(
      `version ${version.number}'s SKILL.md was edited by hand: its rules cannot be installed one at a time (go back to the text rendered from the rules first)`,
      'invalid'
    )
  const doc = await ctx.store.batches.get(batchId)
  const runs = doc ? ctx.store.batches.runsOf(doc) : []
  const live = (state.rules ?? []).filter((r) => r.tier !== 'discarded')
  const picked = pickVariations(live, runs, perRule, goodPerRule)
  if (!picked.rules.length)
    throw fail(
      `no rule of version ${version.number} cites a run graded bad in the batch it was learned from (${ctx.store.batches.head(batchId)?.name ?? batchId}): nothing to confirm`,
      'invalid'
    )
  // rule by rule, in the version's order, while they fit under the cap
  const size = (r: ConfirmRule) => r.fix.length + r.keep.length
  const fitted: ConfirmRule[] = []
  const left: ConfirmRule[] = []
  let used = 0
  for (const r of picked.rules) {
    if (!left.length && used + size(r) <= cap) {
      fitted.push(r)
      used += size(r)
    } else left.push(r)
  }
  const wanted = picked.rules.reduce((n, r) => n + size(r), 0)
  const taskId = skill.taskId ?? ctx.store.batches.head(batchId)?.taskId
  const grade = input.grade ?? 'person'
  const rubric = graderGrades({ grade }) ? await rubricView(ctx.store, refuseAutoWithoutRubric(ctx, taskId)) : undefined
  const { costs, costPerRunUsd } = await meanRunCost(ctx, [batchId])
  const grading = rubric ? gradingCost(used, rubric.current.assertions.length) : undefined
  const flagged = skillFlags({ provenance: undefined, ...state, rules: state.rules ?? [] }).map((t) => ({
    ...t,
    label: `version ${version.number}'s ${t.label}`
  }))
  const warnings = [
    ...(left.length
      ? [
          `${plural(left.length, 'rule')} would be left (${plural(wanted, 'run')} wanted, the cap is ${cap}): raise the cap to test ${left.length === 1 ? 'it' : 'them'} too`
        ]
      : []),
    ...(picked.rules.some((r) => !r.keep.length)
      ? ['no good run in the batch to check for harm: a rule is judged on its failures alone']
      : []),
    ...(flagged.length ? [flaggedRefusal(flagged, 'confirm to install it in the runs')] : [])
  ]
  const settings = await settingsFor(ctx, [batchId], input.settings)
  const estimate: ConfirmEstimate = {
    version: { id: version.id, number: version.number },
    batchId,
    rules: fitted.map((r) => ({ id: r.id, text: r.text, fix: r.fix.length, keep: r.keep.length })),
    left: left.map((r) => ({ id: r.id, text: r.text, runs: size(r) })),
    kept: live.length - picked.rules.length,
    runs: used,
    wanted,
    cap,
    costPerRunUsd,
    usd: costPerRunUsd === null ? null : costPerRunUsd * used + (grading?.usd ?? 0),
    basis:
      (costPerRunUsd === null
        ? 'no finished run of the batch it was learned from has a cost to go by'
        : `${plural(used, 'run')} (${plural(fitted.length, 'rule')}: its failures re-run and a good variation as the harm check) at $${costPerRunUsd.toFixed(3)}, the mean of ${plural(costs.length, 'finished run')} of the batch it was learned from`) +
      (grading ? `; ${grading.basis}` : ''),
    settings,
    flagged: flagged.length,
    warnings
  }
  return {
    skill,
    version,
    batches,
    batchId,
    name: nameOf(version),
    perRule,
    goodPerRule,
    cap,
    picked,
    fitted,
    left,
    grade,
    taskId,
    settings,
    flagged,
    estimate
  }
}
