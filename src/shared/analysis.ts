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
