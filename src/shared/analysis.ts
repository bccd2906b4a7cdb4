/**
 * An analysis of graded runs (steps 3 and 4) as the app stores and reports it.
 */
import { z } from 'zod'
import { AnalystKindSchema, AnalystRuleSchema, SetAsideSchema } from './skills'
import { UsageSchema } from './trace'

export const AnalystStatusSchema = z.object({
  kind: AnalystKindSchema,
  state: z.enum(['queued', 'waiting', 'streaming', 'done', 'failed', 'cancelled']),
  attempt: z.number(),
  usage: UsageSchema,
  costUsd: z.number(),
  rules: z.array(AnalystRuleSchema),
  setAside: z.array(SetAsideSchema),
  /** rules written so far while the answer streams: unchecked drafts, empty once it has ended */
  drafts: z.array(z.object({ rule: z.string(), evidence: z.array(z.number()) })).optional(),
  error: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** in chunked mode: how many groups of runs this analyst has finished, of how many */
  chunksDone: z.number().optional(),
  chunks: z.number().optional()
})
export type AnalystStatusInfo = z.infer<typeof AnalystStatusSchema>

export const AnalysisSchema = z.object({
  id: z.string(),
  batchId: z.string(),
  taskId: z.string().optional(),
  state: z.enum(['analysing', 'merging', 'done', 'failed', 'cancelled', 'interrupted']),
  via: z.enum(['api', 'claude-cli']),
  model: z.string(),
  mergeModel: z.string(),
  /** deepen this skill instead of creating one */
  deepenSkillId: z.string().optional(),
  runNumbers: z.array(z.number()),
  analysts: z.array(AnalystStatusSchema),
  context: z.object({
    runs: z.number(),
    /** tokens of the condensed traces, against the raw session files */
    tokens: z.number(),
    rawTokens: z.number(),
    level: z.number(),
    charsCut: z.number(),
    stepsOmitted: z.number(),
    /** groups of runs analysed separately (1: all in one context) */
    chunks: z.number()
  }),
  merge: z.object({ state: z.enum(['waiting', 'running', 'done', 'failed']), error: z.string().optional(), costUsd: z.number() }),
  warnings: z.array(z.string()),
  skillId: z.string().optional(),
  createdAt: z.string(),
  endedAt: z.string().optional()
})
export type Analysis = z.infer<typeof AnalysisSchema>

/** Tokens and price of one part of an estimate (null: no price known for the model). */
const EstimatePartSchema = UsageSchema.extend({ usd: z.number().nullable() })

/** What an analysis would cost, computed before it starts (no model is called). */
export const AnalysisEstimateSchema = z.object({
  runs: z.number(),
  /** groups of runs analysed separately (1: all in one context) */
  groups: z.number(),
  model: z.string(),
  mergeModel: z.string(),
  via: z.enum(['api', 'claude-cli']),
  /** tokens of the condensed traces (the analysis page's "condensed to N tokens") */
  condensedTokens: z.number(),
  /** tokens of the prompt every analyst reads (system, tool, task, feedback, traces), summed over groups */
  contextTokens: z.number(),
  /** tokens of one analyst's own instructions */
  instructionTokens: z.number(),
  /** tokens each analyst's answer is expected to take */
  outputAllowance: z.number(),
  analysts: EstimatePartSchema,
  merge: EstimatePartSchema,
  /** null when a model has no known price */
  usd: z.number().nullable(),
  /** how it was computed, in one line */
  basis: z.string(),
  warnings: z.array(z.string())
})
export type AnalysisEstimate = z.infer<typeof AnalysisEstimateSchema>
