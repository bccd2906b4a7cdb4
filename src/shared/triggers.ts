/**
 * Does Claude Code load the skill when it should, and not otherwise (issue 23)? The description alone
 * decides. Trigger queries (prompts that should load the skill, and near misses that should not), each
 * run through the real `claude -p` with only the skill installed, stopped at the decision; the rates;
 * and the optimiser's rounds (descriptions proposed from a training split's failures, picked by the
 * held-out split). Schemas and pure figures, shared by main, the renderer and the CLI.
 */
import { z } from 'zod'

/** Where a trigger query came from. */
export const QUERY_SOURCES = ['batch', 'verification', 'near-miss', 'writer', 'person'] as const
export const QuerySourceSchema = z.enum(QUERY_SOURCES)
export type QuerySource = z.infer<typeof QuerySourceSchema>

export const TriggerQuerySchema = z.object({
  id: z.string().min(1).max(200),
  prompt: z.string().min(1).max(50_000),
  /** true: should load the skill; false: a near miss (similar words, another job) that should not */
  should: z.boolean(),
  source: QuerySourceSchema,
  /** the variation it was taken from (batch, verification, near-miss) */
  variationId: z.string().max(200).optional()
})
export type TriggerQuery = z.infer<typeof TriggerQuerySchema>

/** The most queries in a set. */
export const MAX_QUERIES = 200
/** Repeats per query by default (Claude Code's decision is not deterministic). */
export const DEFAULT_REPEATS = 3
/** A query "loads the skill" when at least this share of its repeats did. */
export const LOADS_AT = 0.5

/** How one run of a query ended: what the model decided at its first step. */
export const DECISIONS = ['loaded', 'other-skill', 'other-tool', 'answer', 'ended', 'error', 'cancelled'] as const
export const DecisionKindSchema = z.enum(DECISIONS)
export type DecisionKind = z.infer<typeof DecisionKindSchema>

export const DecisionSchema = z.object({
  kind: DecisionKindSchema,
  /** the tool it called instead (other-tool), or the skill it loaded instead (other-skill) */
  tool: z.string().max(200).optional(),
  /** the model turns it took (1 or 2: the decision), its tokens and cost (estimated from usage) */
  turns: z.number().int().min(0),
  tokens: z.number().min(0),
  usd: z.number().min(0),
  ms: z.number().min(0),
  /** why it failed (error) */
  error: z.string().max(2000).optional()
})
export type Decision = z.infer<typeof DecisionSchema>

/** Did a decision load the skill (errors and cancels are not counted either way). */
export const counts = (d: Decision) => d.kind !== 'error' && d.kind !== 'cancelled'

export const QueryResultSchema = z.object({
  queryId: z.string(),
  should: z.boolean(),
  decisions: z.array(DecisionSchema)
})
export type QueryResult = z.infer<typeof QueryResultSchema>

/** A query's rate: loaded / counted decisions (null: none counted). */
export function queryRate(r: Pick<QueryResult, 'decisions'>): number | null {
  const counted = r.decisions.filter(counts)
  return counted.length ? counted.filter((d) => d.kind === 'loaded').length / counted.length : null
}

/** Recall and false-trigger rate over some queries' results. */
export const ScoresSchema = z.object({
  /** should-trigger queries that load the skill (rate >= LOADS_AT) / should-trigger queries measured */
  recall: z.number().nullable(),
  /** near misses that load it / near misses measured */
  falseRate: z.number().nullable(),
  should: z.number().int(),
  loaded: z.number().int(),
  shouldNot: z.number().int(),
  falseLoaded: z.number().int()
})
export type Scores = z.infer<typeof ScoresSchema>

export function scoresOf(results: Pick<QueryResult, 'should' | 'decisions'>[]): Scores {
  let should = 0
  let loaded = 0
  let shouldNot = 0
  let falseLoaded = 0
  for (const r of results) {
    const rate = queryRate(r)
    if (rate === null) continue
    const loads = rate >= LOADS_AT
    if (r.should) {
      should++
      if (loads) loaded++
    } else {
      shouldNot++
      if (loads) falseLoaded++
    }
  }
  return {
    recall: should ? loaded / should : null,
    falseRate: shouldNot ? falseLoaded / shouldNot : null,
    should,
    loaded,
    shouldNot,
    falseLoaded
  }
}

/** One number to rank descriptions by: recall minus false-trigger rate (missing parts count 0). */
export const scoreOf = (s: Scores) => (s.recall ?? 0) - (s.falseRate ?? 0)

/** Another skill that may be loaded instead of this one, named before measuring. */
export const RivalSchema = z.object({
  /** same-name: a skill of the same name that would shadow it; competes: another skill whose description competes for its queries */
  kind: z.enum(['same-name', 'competes']),
  name: z.string().max(200),
  /** where it is: the user's skills folder, a project's */
  where: z.enum(['user', 'project']),
  path: z.string().max(4096),
  description: z.string().max(2000),
  /** competes: the should-trigger queries it matches at least as well as this skill's description */
  queries: z.number().int().optional(),
  /** one sentence for the screens */
  message: z.string().max(1000)
})
export type Rival = z.infer<typeof RivalSchema>

/** One measurement of a description over a query set. */
export const TriggerMeasureSchema = z.object({
  id: z.string(),
  skillId: z.string(),
  versionId: z.string().optional(),
  /** the version's number, for the screens */
  version: z.number().int().optional(),
  name: z.string(),
  description: z.string(),
  repeats: z.number().int().min(1).max(10),
  state: z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']),
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  results: z.array(QueryResultSchema),
  /** decisions made so far / to make */
  done: z.number().int(),
  total: z.number().int(),
  usd: z.number(),
  rivals: z.array(RivalSchema).default([])
})
export type TriggerMeasure = z.infer<typeof TriggerMeasureSchema>

/** The Agent Skills limits on a description: 1-1024 characters, no angle brackets. */
export const DESCRIPTION_MAX = 1024
export function descriptionProblem(d: string): string | null {
  const t = d.trim()
  if (!t) return 'the description is empty'
  if (t.length > DESCRIPTION_MAX) return `the description is ${t.length} characters (at most ${DESCRIPTION_MAX})`
  if (/[<>]/.test(t)) return 'the description has angle brackets (< or >), which skills may not use'
  return null
}

/** One round of the optimiser: a description and its scores on both splits. Round 0 is the version's own. */
export const RoundSchema = z.object({
  round: z.number().int().min(0),
  description: z.string(),
  /** the model's one-line reason for it (round 0: none) */
  why: z.string().max(2000).optional(),
  train: ScoresSchema,
  test: ScoresSchema,
  /** the measurement of this round (both splits) */
  measureId: z.string().optional(),
  usd: z.number()
})
export type Round = z.infer<typeof RoundSchema>

/** A description optimisation: a fixed split, up to N rounds, the pick by the held-out split. */
export const OptimisationSchema = z.object({
  id: z.string(),
  skillId: z.string(),
  versionId: z.string(),
  version: z.number().int().optional(),
  seed: z.number().int(),
  rounds: z.number().int().min(1).max(10),
  repeats: z.number().int().min(1).max(10),
  /** query ids of the training split (60%, stratified by should/should-not) and the held-out one */
  train: z.array(z.string()),
  test: z.array(z.string()),
  state: z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']),
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  done: z.array(RoundSchema),
  /** the round picked by the held-out split (never by training); 0: none beat the version's own */
  best: z.number().int().optional(),
  /** why that one, in a sentence */
  bestWhy: z.string().optional(),
  /** the version saved from the pick */
  savedVersionId: z.string().optional(),
  usd: z.number()
})
export type Optimisation = z.infer<typeof OptimisationSchema>

/** What the triggers page shows of a skill: its queries, the rivals, its measurements and optimisations, newest first. */
export const TriggersViewSchema = z.object({
  skillId: z.string(),
  name: z.string(),
  description: z.string(),
  queries: z.array(TriggerQuerySchema),
  /** the person reviewed the set (saved it) at */
  reviewedAt: z.string().optional(),
  rivals: z.array(RivalSchema),
  measures: z.array(TriggerMeasureSchema),
  optimisations: z.array(OptimisationSchema)
})
export type TriggersView = z.infer<typeof TriggersViewSchema>

/** What measuring would cost, before it starts. */
export const TriggersEstimateSchema = z.object({
  queries: z.number().int(),
  repeats: z.number().int(),
  /** model calls at most (decisions x rounds x splits for an optimisation) */
  decisions: z.number().int(),
  usd: z.number(),
  /** where the cost per decision comes from: an earlier measurement of this skill, or a default */
  basis: z.enum(['measured', 'default']),
  rivals: z.array(RivalSchema)
})
export type TriggersEstimate = z.infer<typeof TriggersEstimateSchema>
