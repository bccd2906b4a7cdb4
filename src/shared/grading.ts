/**
 * A rubric learned from the person's own sentences, and a grader that applies it: the assertions (each
 * with the runs whose sentences it came from), the rubric's versions (every edit is a new one; nothing
 * is lost), a grade of one run (verdict by verdict, with evidence), and the grader's agreement with the
 * person measured by cross-validation.
 */
import { z } from 'zod'
import type { Agreement, Trust } from './agreement'

export const ASSERTION_MAX = 500

export const AssertionSchema = z.object({
  /** stable across versions: an edited assertion keeps its id */
  id: z.string(),
  /** one checkable statement about the output ("at most one call-to-action button above the fold") */
  text: z.string().min(1).max(ASSERTION_MAX),
  /** the runs (numbers in the source batch) whose sentences it came from; empty for one the person added */
  runs: z.array(z.number().int().min(1)),
  /** the sentences were about bad runs (a failure to avoid), good ones (a quality to keep), or both */
  from: z.enum(['bad', 'good', 'both']).optional(),
  /** who wrote it as it is now */
  by: z.enum(['model', 'person'])
})
export type Assertion = z.infer<typeof AssertionSchema>

export const RubricVersionSchema = z.object({
  id: z.string(),
  /** 1, 2, ... */
  number: z.number().int().min(1),
  createdAt: z.string(),
  assertions: z.array(AssertionSchema),
  /** what made this version: built by a model from a batch, or an edit by the person */
  made: z.enum(['built', 'edited']),
  /** one line: what changed ("assertion 3 edited", "built from 20 runs") */
  note: z.string(),
  /** built: the model, its cost, and the runs whose sentences it read */
  model: z.string().optional(),
  costUsd: z.number().optional(),
  fromRuns: z.array(z.number().int()).optional()
})
export type RubricVersion = z.infer<typeof RubricVersionSchema>

export const RubricSchema = z.object({
  id: z.string(),
  /** the task it belongs to (a batch without a task: none) */
  taskId: z.string().optional(),
  /** the graded batch it was built from */
  batchId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** the version in use (the newest) */
  currentVersionId: z.string()
})
export type Rubric = z.infer<typeof RubricSchema>

/** A rubric with its version in use, as the screens and the CLI get it. */
export const RubricViewSchema = z.object({
  rubric: RubricSchema,
  current: RubricVersionSchema,
  /** every version, oldest first (only their numbers, dates and notes) */
  history: z.array(RubricVersionSchema.pick({ id: true, number: true, createdAt: true, made: true, note: true }))
})
export type RubricView = z.infer<typeof RubricViewSchema>

export const VerdictSchema = z.object({
  assertionId: z.string(),
  verdict: z.enum(['pass', 'fail', 'n/a']),
  /** what in the output it rests on (a file and line, what the screenshot shows, the answer's words) */
  evidence: z.string()
})
export type Verdict = z.infer<typeof VerdictSchema>

/** The grader's grade of one run. */
export const RunGradeSchema = z.object({
  runId: z.string(),
  number: z.number().int(),
  label: z.enum(['good', 'bad']),
  /** one or two sentences: why good or bad */
  reason: z.string(),
  verdicts: z.array(VerdictSchema),
  /**
   * the grader was unsure (it said so, or its verdicts contradict its label): the person should grade
   * it; absent (a grade kept from before too): sure
   */
  unsure: z.object({ why: z.string() }).optional()
})
export type RunGrade = z.infer<typeof RunGradeSchema>

const LabelSchema = z.enum(['good', 'bad'])

export const AgreementSchema = z.object({
  n: z.number().int(),
  agreed: z.number().int(),
  accuracy: z.number().nullable(),
  kappa: z.number().nullable(),
  kappaNote: z.string().optional(),
  confusion: z.object({ goodGood: z.number(), goodBad: z.number(), badGood: z.number(), badBad: z.number() })
}) satisfies z.ZodType<Agreement>

export const TrustSchema = z.object({ trusted: z.boolean(), reasons: z.array(z.string()) }) satisfies z.ZodType<Trust>

/** A run on which the grader and the person disagree, with the grader's reasons. */
export const DisagreementSchema = z.object({
  runId: z.string(),
  number: z.number().int(),
  person: LabelSchema,
  personText: z.string(),
  grader: LabelSchema,
  reason: z.string(),
  /** every verdict of the grader on it, with the assertion's text and the evidence */
  verdicts: z.array(VerdictSchema.extend({ text: z.string() })),
  /** the fold it was judged in (1-based) */
  fold: z.number().int()
})
export type Disagreement = z.infer<typeof DisagreementSchema>

/** The grader's agreement with the person on a batch, by cross-validation. */
export const GraderReportSchema = z.object({
  /** per fold: its runs (numbers), and how many assertions the rubric rebuilt without them had */
  folds: z.array(z.object({ runs: z.array(z.number().int()), assertions: z.number().int() })),
  agreement: AgreementSchema,
  trust: TrustSchema,
  disagreements: z.array(DisagreementSchema),
  /** every run's grade (for the list one click from each run) */
  grades: z.array(RunGradeSchema),
  /** runs that could not be graded (the model's answer did not fit twice): left out of the figures */
  failed: z.array(z.object({ number: z.number().int(), error: z.string() }))
})
export type GraderReport = z.infer<typeof GraderReportSchema>

export const GRADER_STATES = ['running', 'done', 'failed', 'cancelled', 'interrupted'] as const

/** One measurement of the grader on a batch: an operation's record, its progress, and its report when done. */
export const GraderCheckSchema = z.object({
  id: z.string(),
  batchId: z.string(),
  taskId: z.string().optional(),
  via: z.enum(['api', 'claude-cli']),
  model: z.string(),
  /** folds asked for (fewer when there are fewer graded runs) */
  folds: z.number().int(),
  state: z.enum(GRADER_STATES),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  /** model calls made of those planned (rubrics rebuilt, then runs graded) */
  progress: z.object({ done: z.number().int(), total: z.number().int(), step: z.string() }),
  costUsd: z.number(),
  report: GraderReportSchema.optional(),
  /** one line: why it failed, was cancelled or interrupted */
  error: z.string().optional()
})
export type GraderCheck = z.infer<typeof GraderCheckSchema>

/** What measuring the grader on a batch would cost, before it runs (no model is called). */
export const GraderEstimateSchema = z.object({
  batchId: z.string(),
  model: z.string(),
  /** graded runs, and folds they split into */
  runs: z.number().int(),
  folds: z.number().int(),
  /** model calls planned: one rubric per fold, one grade per run (a retry adds one) */
  calls: z.number().int(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** null: no price known for this model */
  usd: z.number().nullable(),
  /** one line: how the figure was made */
  basis: z.string()
})
export type GraderEstimate = z.infer<typeof GraderEstimateSchema>

/** A grade the grader gave a run before the person: marked as the grader's until the person confirms (or flips) it. */
export const PregradeEntrySchema = RunGradeSchema.extend({ at: z.string() })
export type PregradeEntry = z.infer<typeof PregradeEntrySchema>

/** A batch pre-graded by the grader: its grades of the runs the person had not graded, kept apart from the person's. */
export const PregradeSchema = z.object({
  batchId: z.string(),
  rubricId: z.string(),
  rubricVersionId: z.string(),
  via: z.enum(['api', 'claude-cli']),
  model: z.string(),
  state: z.enum(GRADER_STATES),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  costUsd: z.number(),
  /** by run id: the grader's grade, until the person confirms or flips it (then it is theirs, and it leaves here) */
  grades: z.record(z.string(), PregradeEntrySchema),
  /** runs the grader could not grade */
  failed: z.array(z.object({ number: z.number().int(), error: z.string() })),
  /** how far the grader was measured to agree with the person on this batch when it ran (none: never measured) */
  measured: z
    .object({ graderId: z.string(), trusted: z.boolean(), accuracy: z.number().nullable(), kappa: z.number().nullable() })
    .nullable(),
  error: z.string().optional()
})
export type Pregrade = z.infer<typeof PregradeSchema>
