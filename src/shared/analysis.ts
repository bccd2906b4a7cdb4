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
  chunks: z.number().optional(),
  /** drill-down rounds used so far (each a model turn that looked closer), and the most allowed */
  rounds: z.number().optional(),
  maxRounds: z.number().optional(),
  /** what it is looking at now, one line ("Run 7's trace, lines 120-180"); cleared when it answers */
  looking: z.string().optional(),
  /** everything it looked at, in order (at most 100) */
  looks: z.array(z.string()).optional()
})
export type AnalystStatusInfo = z.infer<typeof AnalystStatusSchema>

/**
 * One step of fitting the evidence to the model's window, in the documented order
 * (src/main/analysts/condense.ts, CUT_STEPS): what it cut, how much, and in which runs.
 */
export const CutSchema = z.object({
  /** the step's id, e.g. "results" */
  step: z.string(),
  /** for people: "tool results cut to 2,000 characters (head and tail)" */
  label: z.string(),
  /** characters left out by this step (images: their tokens; steps: the steps left out) */
  amount: z.number(),
  unit: z.enum(['chars', 'steps', 'images', 'image-tokens']),
  runs: z.array(z.number())
})
export type Cut = z.infer<typeof CutSchema>

/** What the analysts read: the evidence fitted to the model's window, and what was cut to fit (shared by the estimate and the analysis). */
export const ContextReportSchema = z.object({
  /** the model's window and the part of it given to the evidence */
  window: z.number(),
  budget: z.number(),
  /** the evidence: the runs' text and their screenshots */
  textTokens: z.number(),
  imageTokens: z.number(),
  /** the rest of what every analyst reads: system prompt, tools, task, grades, notes, the SKILL.md deepened */
  promptTokens: z.number().optional(),
  images: z.number(),
  /** output files included (whole or head and tail) and binaries listed */
  outputFiles: z.number(),
  /** the cuts made, in order; empty when everything fit at full fidelity */
  cuts: z.array(CutSchema),
  /** credentials taken out of what the analysts read (src/shared/redact.ts): how many, in which runs */
  redacted: z.object({ count: z.number(), runs: z.array(z.number()) }).optional()
})
export type ContextReport = z.infer<typeof ContextReportSchema>

/**
 * The analysts' context, in tokens: all they read before their own instructions (the prompt and the
 * evidence, over every group). The one figure every screen and the CLI give for it.
 */
export const contextTokensOf = (r: Pick<ContextReport, 'promptTokens' | 'textTokens' | 'imageTokens'>) =>
  (r.promptTokens ?? 0) + r.textTokens + r.imageTokens

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
  /** the mobile screenshots are shown too (the desktop ones always) */
  mobile: z.boolean().optional(),
  /** the runs (and the analysts' rules, to the merge) were given in this seed's order (src/shared/shuffle.ts); absent: in run order */
  seed: z.number().int().optional(),
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
    chunks: z.number(),
    /** the evidence in detail (analyses from before full evidence have none) */
    report: ContextReportSchema.optional()
  }),
  merge: z.object({ state: z.enum(['waiting', 'running', 'done', 'failed']), error: z.string().optional(), costUsd: z.number() }),
  /** the support check after the merge: each cited run checked against the rules citing it (analyses from before it have none) */
  support: z
    .object({
      state: z.enum(['running', 'done', 'failed', 'cancelled']),
      model: z.string(),
      /** runs to check, and checked so far */
      runs: z.number(),
      checked: z.number(),
      /** citations confirmed and not */
      confirmed: z.number(),
      unconfirmed: z.number(),
      costUsd: z.number(),
      error: z.string().optional()
    })
    .optional(),
  warnings: z.array(z.string()),
  /** while the evidence is being made ready, before the analysts start: one line saying how far it is */
  preparing: z.string().optional(),
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
  /** tokens of the prompt every analyst reads (system, tool, task, feedback, traces), summed over groups: contextTokensOf(report) */
  contextTokens: z.number(),
  /** tokens of one analyst's own instructions */
  instructionTokens: z.number(),
  /** the evidence the analysts would read, and what would be cut to fit the window */
  report: ContextReportSchema,
  /** drill-down: the rounds each analyst is expected to use, the most it may, and the tokens a round is expected to add */
  rounds: z.object({ expected: z.number(), max: z.number(), tokensPerRound: z.number() }),
  /** tokens each analyst's answer is expected to take */
  outputAllowance: z.number(),
  analysts: EstimatePartSchema,
  merge: EstimatePartSchema,
  /** the support check: one call per graded run with the check model (at most; only cited runs are checked) */
  support: EstimatePartSchema.extend({ model: z.string(), calls: z.number() }).optional(),
  /** null when a model has no known price */
  usd: z.number().nullable(),
  /** how it was computed, in one line */
  basis: z.string(),
  warnings: z.array(z.string())
})
export type AnalysisEstimate = z.infer<typeof AnalysisEstimateSchema>

/** What N candidates would cost: each candidate's analysis estimate (its seed, its models), and their sum (null when a model has no known price). */
export const CandidatesEstimateSchema = z.object({
  n: z.number(),
  candidates: z.array(AnalysisEstimateSchema.extend({ seed: z.number() })),
  usd: z.number().nullable()
})
export type CandidatesEstimate = z.infer<typeof CandidatesEstimateSchema>

/** The label of a candidate's version: "candidate 2 of 3 (seed 2, claude-sonnet-5-5)". */
export const candidateLabel = (i: number, n: number, seed: number, model: string) => `candidate ${i} of ${n} (seed ${seed}, ${model})`
/** Whether a version's label says it is a candidate (its own, or after a retry of its analysis). */
export const isCandidateLabel = (label: string | undefined) => !!label && /^candidate \d+ of \d+\b/.test(label)
