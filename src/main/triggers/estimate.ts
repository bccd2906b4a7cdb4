/**
 * What measuring a description (or optimising it) would cost, before anything runs: its decisions
 * (queries x repeats, x the rounds measured for an optimisation), at the mean cost of a decision in this
 * skill's earlier measurements, else at a typical first turn of Claude Code at the model's list price
 * (the runs of one description share their first request's prefix: the first few at once write it to
 * the prompt cache, the others read it); and the rivals named before measuring. Electron-free.
 */
import type { RequestInput } from '../../shared/contract'
import { messageCostUsd } from '../../shared/models'
import type { RunSettings } from '../../shared/runs'
import { DEFAULT_REPEATS, type TriggerQuery, type TriggersEstimate } from '../../shared/triggers'
import type { TriggersContext } from './context'
import { currentQueries } from './queries'
import { findRivals } from './rivals'
import { frontMatterOf, settingsOf } from './skill'

/** Refused over this when no cap is given (US dollars). */
export const DEFAULT_CAP_USD = 10
/** Rounds of an optimisation by default. */
export const DEFAULT_ROUNDS = 5
/** The model a run uses when its settings name none (Claude Code's default), for the default price. */
export const RUN_DEFAULT_MODEL = 'claude-opus-5-5'
/**
 * A typical decision: Claude Code's first request (its system prompt, tools and the skills list,
 * about 15k tokens, written to the prompt cache) and a short answer with a tool call.
 */
export const TYPICAL_DECISION = { input: 0, output: 200, cacheRead: 0, cacheCreation: 15_000 }
/** The same decision once its prefix is in the prompt cache (the prompt itself is new). */
export const CACHED_DECISION = { input: 500, output: 200, cacheRead: 15_000, cacheCreation: 0 }

/**
 * The default cost of `decisions` decisions of one description measured `concurrency` at a time: the
 * first of each run slot writes the shared prefix to the cache, the rest read it.
 */
export function defaultCost(model: string, decisions: number, concurrency: number): number {
  const writes = Math.min(decisions, Math.max(1, concurrency))
  return writes * messageCostUsd(model, TYPICAL_DECISION) + (decisions - writes) * messageCostUsd(model, CACHED_DECISION)
}

export type TriggersInput = RequestInput<'estimateTriggers'>

/** The mean cost of a decision in this skill's earlier measurements (null: none has a cost). */
export async function measuredCost(ctx: Pick<TriggersContext, 'store'>, skillId: string): Promise<number | null> {
  const doc = await ctx.store.triggers.get(skillId)
  let usd = 0
  let n = 0
  for (const m of Object.values(doc?.measures ?? {}))
    for (const r of m.results)
      for (const d of r.decisions)
        if (d.usd > 0) {
          usd += d.usd
          n++
        }
  return n ? usd / n : null
}

/** The measured rounds of an optimisation of `rounds` proposals: round 0 (the version's own) and each proposal. */
export const roundsMeasured = (rounds: number) => rounds + 1

/** The figures of an estimate, from the set and the settings. */
export async function estimateOf(
  ctx: Pick<TriggersContext, 'store'>,
  o: { skillId: string; queries: TriggerQuery[]; repeats: number; rounds?: number; settings: RunSettings }
): Promise<Omit<TriggersEstimate, 'rivals'>> {
  const perDescription = o.queries.length * o.repeats
  const descriptions = o.rounds ? roundsMeasured(o.rounds) : 1
  const decisions = perDescription * descriptions
  const measured = await measuredCost(ctx, o.skillId)
  // each description measured writes its own prefix to the cache (the skills list holds the description)
  const usd =
    measured !== null
      ? measured * decisions
      : descriptions * defaultCost(o.settings.model || RUN_DEFAULT_MODEL, perDescription, o.settings.concurrency)
  return {
    queries: o.queries.length,
    repeats: o.repeats,
    decisions,
    usd: Math.round(usd * 10_000) / 10_000,
    basis: measured === null ? 'default' : 'measured'
  }
}

/** What measuring (or, with `rounds`, optimising) the chosen version's description would cost. */
export async function estimateTriggers(ctx: TriggersContext, input: TriggersInput): Promise<TriggersEstimate> {
  const { skill, version } = await ctx.skills.skillVersion(input.skillId, input.versionId)
  const { queries } = await currentQueries(ctx, skill.id)
  const settings = await settingsOf(ctx, skill, input.settings)
  const repeats = input.repeats ?? DEFAULT_REPEATS
  const est = await estimateOf(ctx, { skillId: skill.id, queries, repeats, rounds: input.rounds, settings })
  const { name, description } = frontMatterOf(version)
  return { ...est, rivals: await findRivals(ctx, { skillId: skill.id, name, description, queries }) }
}
