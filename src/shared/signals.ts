/**
 * Signals beside the grade (computed from traces, no model): shared by main, renderer and the CLI.
 */
import { z } from 'zod'
import { CostSourceSchema } from './numbers'

/** turns, toolCalls, toolErrors, tokens, costUsd: the definitions of src/shared/numbers.ts */
export const RunMetricsSchema = z.object({
  turns: z.number(),
  toolCalls: z.number(),
  toolErrors: z.number(),
  /** session time: the span of the session's records (a run's duration is its progress.elapsedMs: numbers.ts) */
  durationMs: z.number(),
  tokens: z.number(),
  costUsd: z.number(),
  /** whose figure the cost is (src/shared/numbers.ts); absent: estimated */
  costSource: CostSourceSchema.optional(),
  /** tool names in call order, sub-agents' calls in place */
  tools: z.array(z.string()),
  /** the failed calls: `index` into `tools`, `line` in the session file */
  errors: z.array(z.object({ index: z.number(), tool: z.string(), kind: z.string(), text: z.string(), line: z.number() }))
})
export type RunMetrics = z.infer<typeof RunMetricsSchema>

export const SignalKindSchema = z.enum(['tool', 'sequence', 'error'])
export type SignalKind = z.infer<typeof SignalKindSchema>

export const SignalSchema = z.object({
  kind: SignalKindSchema,
  /** `Bash`, `Write → Bash`, `file-not-found`, `Read: file-not-found` */
  feature: z.string(),
  badRuns: z.array(z.number()),
  goodRuns: z.array(z.number()),
  badRate: z.number(),
  goodRate: z.number(),
  /** bad rate over good rate, add-one smoothed */
  lift: z.number(),
  /** one-sided Fisher exact p-value */
  p: z.number()
})
export type Signal = z.infer<typeof SignalSchema>

export const BatchSignalsSchema = z.object({
  good: z.number(),
  bad: z.number(),
  ungraded: z.number(),
  signals: z.array(SignalSchema)
})
export type BatchSignals = z.infer<typeof BatchSignalsSchema>

export const RunSignalsSchema = z.object({
  runId: z.string(),
  number: z.number(),
  /** null when the run has no readable session (it failed before Claude Code wrote one) */
  metrics: RunMetricsSchema.nullable(),
  warning: z.string().optional()
})
export type RunSignals = z.infer<typeof RunSignalsSchema>
