/**
 * Step 5 of the workflow, verification: the same variations run with a skill version installed and
 * without it (or with another version), in one interleaved queue, graded blind, then compared with
 * numbers. Pure data + zod schemas shared by main, the CLI and the renderer.
 */
import { z } from 'zod'
import { CandidateSchema, CandidatesBuildSchema, CandidatesTableSchema } from './candidates'
import { ConfirmResultsSchema, ConfirmSetupSchema } from './confirm'
import { DifficultySchema, RunSettingsSchema } from './runs'

// the sentences every screen says the same way (kept apart for size)
export { graderHeadline, leftForYouText, runsStage } from './verify-text'

/** The two arms: `with` the version under test, `without` it (no skill, or the version it is compared against). */
export const ARMS = ['with', 'without'] as const
export const ArmSchema = z.enum(ARMS)
export type Arm = z.infer<typeof ArmSchema>

/**
 * Where the variations come from: `fresh` ones generated with the same mix (never the ones the skill
 * was learned from), the analysed batch's own (`batch`: not held out, so the gain is overstated), or
 * pasted ones.
 */
export const VARIATION_SOURCES = ['fresh', 'batch', 'pasted'] as const
export const VariationSourceSchema = z.enum(VARIATION_SOURCES)
export type VariationSource = z.infer<typeof VariationSourceSchema>

export const VerifyVariationSchema = z.object({ difficulty: DifficultySchema, prompt: z.string().min(1).max(50_000) })
export type VerifyVariation = z.infer<typeof VerifyVariationSchema>

/** A skill version as a verification names it. */
export const VersionRefSchema = z.object({ id: z.string(), number: z.number().int().min(1) })
export type VersionRef = z.infer<typeof VersionRefSchema>

/**
 * The run settings a verification may set (both arms get the same ones); what it leaves out is the
 * learned batch's. No defaults here: zod 4 fills a default in even under .partial(), and a filled-in
 * default would override the learned batch's setting (sandboxed, 40 turns, concurrency 3...).
 */
const RUN = RunSettingsSchema.shape
export const VerifySettingsSchema = z
  .object({
    model: RUN.model,
    permission: RUN.permission.unwrap(),
    allowedTools: RUN.allowedTools.unwrap(),
    allowedDomains: RUN.allowedDomains,
    maxTurns: RUN.maxTurns.unwrap(),
    maxBudgetUsd: RUN.maxBudgetUsd,
    concurrency: RUN.concurrency.unwrap(),
    claudePath: RUN.claudePath,
    timeoutMs: RUN.timeoutMs.unwrap()
  })
  .partial()
export type VerifySettings = z.infer<typeof VerifySettingsSchema>

/** What a rule did in a with-skill run, as the model read its trace. */
export const RuleVerdictSchema = z.object({
  ruleId: z.string(),
  /** the rule's text in the version verified */
  text: z.string(),
  verdict: z.enum(['followed', 'ignored']),
  /** one or two sentences: what in the trace shows it */
  why: z.string(),
  /** where it shows: the run's number and a line of its session file */
  pointers: z.array(z.object({ run: z.number().int(), line: z.number().int().optional() }))
})
export type RuleVerdict = z.infer<typeof RuleVerdictSchema>

/** For one fixed or broken pair: the rules the with-skill trace shows followed or ignored. */
export const ExplanationSchema = z.object({
  state: z.enum(['running', 'done', 'failed']),
  error: z.string().optional(),
  costUsd: z.number(),
  rules: z.array(RuleVerdictSchema),
  /** verdicts the app did not accept (a rule or a line that does not exist), with why */
  setAside: z.array(z.string()).default([])
})
export type Explanation = z.infer<typeof ExplanationSchema>

/**
 * Who grades a verification's runs: the person, blind; the grader alone ('auto', for CI); or the grader,
 * its grades saved where it is sure and the runs it is unsure of left for the person ('assist').
 */
export const GRADE_MODES = ['person', 'auto', 'assist'] as const
export type GradeMode = (typeof GRADE_MODES)[number]
/** Does the grader grade this verification's runs (after they have finished)? */
export const graderGrades = (v: { grade?: GradeMode }): boolean => v.grade === 'auto' || v.grade === 'assist'

/** building: a candidates verification's versions are being built (its `build` says how far) */
export const VERIFICATION_PHASES = ['building', 'generating', 'created', 'failed', 'cancelled', 'interrupted'] as const

/** What a verification compares: one version against no skill or another ('compare', also when absent), several candidates. */
export const VERIFICATION_KINDS = ['compare', 'candidates', 'confirm'] as const

export const VerificationSchema = z.object({
  id: z.string(),
  /** absent: 'compare' (one version against no skill or another); 'confirm': each rule drawn from bad runs re-run alone (src/shared/confirm.ts) */
  kind: z.enum(VERIFICATION_KINDS).optional(),
  /** kind 'candidates': the versions compared (a run's `candidate` is an index into them) */
  candidates: z.array(CandidateSchema).optional(),
  /** kind 'candidates' made from a batch: its candidates being built first */
  build: CandidatesBuildSchema.optional(),
  /** kind 'confirm': the rules under test and where their variations come from */
  confirm: ConfirmSetupSchema.optional(),
  skillId: z.string(),
  /** the skill's name at the version verified: the folder it is installed as */
  skillName: z.string(),
  version: VersionRefSchema,
  /** what it is compared against: null for no skill */
  against: VersionRefSchema.nullable(),
  /** the name that version has (when it was renamed since): the other arm's skill is looked for under it */
  againstName: z.string().optional(),
  source: VariationSourceSchema,
  /** false when the variations are the ones the skill was learned from */
  heldOut: z.boolean(),
  /** the batches the skill was learned from (their prompts are never reused as fresh ones) */
  learnedFrom: z.array(z.string()),
  taskId: z.string().optional(),
  repeats: z.number().int().min(1).max(10),
  settings: RunSettingsSchema,
  /** the model that wrote fresh variations */
  generationModel: z.string().optional(),
  variations: z.array(VerifyVariationSchema),
  /** the batch of runs (both arms), once made */
  batchId: z.string().optional(),
  /** per run of the batch: its arm, its variation (0-based) and repeat (1-based) */
  arms: z.record(
    z.string(),
    z.object({
      arm: ArmSchema,
      variation: z.number().int().min(0),
      repeat: z.number().int().min(1),
      /** kind 'candidates': which candidate an arm 'with' run has installed (an index into `candidates`) */
      candidate: z.number().int().min(0).optional(),
      /** kind 'confirm': the rule under test this run installs alone, and whether the run should now pass (fix) or still pass (keep) */
      rule: z.string().optional(),
      expect: z.enum(['fix', 'keep']).optional()
    })
  ),
  /**
   * generating: fresh variations are being written; created: its batch exists (its runs say the rest);
   * failed, cancelled, interrupted: before the batch was made (a resume starts again from there)
   */
  phase: z.enum(VERIFICATION_PHASES),
  error: z.string().optional(),
  /** per fixed or broken pair (its key): the rules followed or ignored */
  explanations: z.record(z.string(), ExplanationSchema).default({}),
  /** the analysis started from this verification (deepen mode) */
  deepenAnalysisId: z.string().optional(),
  /**
   * What each arm had installed in its runs' folders (taken out again when each run ended): the version,
   * the skill's folder name, and each file with its size and SHA-256.
   */
  /**
   * who grades its runs: the person, blind (absent too), the grader alone with the task's rubric
   * ('auto'), or the grader with the person grading what it is unsure of ('assist')
   */
  grade: z.enum(GRADE_MODES).optional(),
  /** 'auto' and 'assist': the grader grading every run once they have finished (an operation of its own) */
  autoGrade: z
    .object({
      state: z.enum(['waiting', 'running', 'done', 'failed', 'cancelled', 'interrupted']),
      done: z.number().int(),
      total: z.number().int(),
      costUsd: z.number(),
      model: z.string(),
      rubricVersionId: z.string().optional(),
      /** runs the grader could not grade (its answer did not fit twice): the person grades them */
      failed: z.array(z.object({ number: z.number().int(), error: z.string() })),
      /** runs (deck numbers) the grader was unsure of: 'assist' left them for the person, with its grade as a pre-grade */
      unsure: z.array(z.number().int()).optional(),
      error: z.string().optional()
    })
    .optional(),
  installed: z
    .array(
      z.object({
        arm: ArmSchema,
        /** kind 'candidates': the candidate (an index into `candidates`) */
        candidate: z.number().int().min(0).optional(),
        versionId: z.string(),
        name: z.string(),
        /** kind 'confirm': the rule under test this skill holds alone */
        rule: z.string().optional(),
        files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() }))
      })
    )
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type Verification = z.infer<typeof VerificationSchema>

/** Something to look at before trusting the figures, with its kind (the screens put a low trigger rate first). */
export const WARNING_KINDS = [
  'not-held-out',
  'shadow',
  'low-trigger',
  'elsewhere',
  'stray',
  'partial',
  'few-pairs',
  'default-mix',
  /** the version (or the one it is against) holds flagged texts: installing it needs a confirmation */
  'flagged'
] as const
export const VerifyWarningSchema = z.object({ kind: z.enum(WARNING_KINDS), text: z.string() })
export type VerifyWarning = z.infer<typeof VerifyWarningSchema>

export const IntervalSchema = z.object({ low: z.number(), high: z.number() })
export const PassRateSchema = z.object({ passed: z.number(), n: z.number(), rate: z.number().nullable(), ci: IntervalSchema.nullable() })
export type PassRateInfo = z.infer<typeof PassRateSchema>

/** Did Claude Code load the skill in a run? */
export const SkillUseSchema = z.object({
  /** the skill under this name was invoked (a Skill tool call) or its SKILL.md read */
  invoked: z.boolean(),
  how: z.enum(['skill-tool', 'read']).optional(),
  /** where the loaded skill came from: the run's own folder (the one under test), or elsewhere (a same-name skill of the user's) */
  from: z.enum(['project', 'elsewhere']).optional(),
  /** the line of the session file where it was invoked */
  line: z.number().optional()
})
export type SkillUse = z.infer<typeof SkillUseSchema>

export const PairRunSchema = z.object({
  runId: z.string(),
  /** the blind deck's number */
  number: z.number(),
  state: z.string(),
  label: z.enum(['good', 'bad']).nullable(),
  text: z.string(),
  use: SkillUseSchema.nullable()
})
export const PairSchema = z.object({
  /** "v4" or "v4.r2" (variation 4, repeat 2) */
  key: z.string(),
  variation: z.number(),
  repeat: z.number(),
  difficulty: DifficultySchema,
  prompt: z.string(),
  with: PairRunSchema.nullable(),
  without: PairRunSchema.nullable()
})
export type VerifyPair = z.infer<typeof PairSchema>

export const ArmStatsSchema = z.object({
  arm: ArmSchema,
  /** "version 2" or "no skill" */
  label: z.string(),
  runs: z.number(),
  finished: z.number(),
  graded: z.number(),
  /** over the pairs graded in both arms */
  passRate: PassRateSchema,
  /** over every graded run of this arm (pairs or not) */
  allGraded: PassRateSchema,
  costUsd: z.number(),
  meanCostUsd: z.number().nullable(),
  meanTurns: z.number().nullable(),
  meanToolErrors: z.number().nullable(),
  meanDurationMs: z.number().nullable(),
  /** runs that invoked the skill of this arm (null: this arm has no skill) */
  trigger: z.object({ invoked: z.number(), runs: z.number(), rate: z.number().nullable(), elsewhere: z.number() }).nullable()
})
export type ArmStats = z.infer<typeof ArmStatsSchema>

export const ComparisonSchema = z.object({
  pairs: z.number(),
  with: PassRateSchema,
  without: PassRateSchema,
  difference: z.number().nullable(),
  fixed: z.array(z.string()),
  broken: z.array(z.string()),
  ties: z.number(),
  p: z.number()
})
export type ComparisonInfo = z.infer<typeof ComparisonSchema>

export const ReportSchema = z.object({
  /** every run finished and graded */
  complete: z.boolean(),
  runs: z.number(),
  finished: z.number(),
  graded: z.number(),
  arms: z.object({ with: ArmStatsSchema, without: ArmStatsSchema }),
  comparison: ComparisonSchema,
  byDifficulty: z.array(ComparisonSchema.extend({ difficulty: z.string() })),
  pairs: z.array(PairSchema),
  /** what to look at: a low trigger rate, a shadowing skill, runs not held out... */
  warnings: z.array(VerifyWarningSchema)
})
export type VerifyReport = z.infer<typeof ReportSchema>

/** Where the verification is, for people: one word and counts. */
export const VerifyStatusSchema = z.object({
  stage: z.enum(['building', 'generating', 'running', 'grading', 'complete', 'failed', 'cancelled', 'interrupted']),
  runs: z.number(),
  queued: z.number(),
  /** runs whose claude is alive */
  running: z.number(),
  /** runs whose claude has exited, their outputs being collected */
  collecting: z.number(),
  finished: z.number(),
  /** runs that did not finish well (failed, cancelled, interrupted): a resume runs them again */
  unfinished: z.number(),
  graded: z.number(),
  costUsd: z.number()
})
export type VerifyStatus = z.infer<typeof VerifyStatusSchema>

export const VerificationViewSchema = z.object({
  verification: VerificationSchema,
  status: VerifyStatusSchema,
  /** null while blind (see `blind`), and before there are runs */
  report: ReportSchema.nullable(),
  /**
   * While not every run is graded, the verification is blind: no report, no arm of any run (its `arms`
   * are empty), only what ties no run to its arm: the counts, and warnings about the whole (the
   * skill's trigger rate once every run has finished).
   */
  blind: z.object({ graded: z.number(), runs: z.number(), warnings: z.array(VerifyWarningSchema) }).optional(),
  /** the batch's name, for links */
  batchName: z.string().optional(),
  /** kind 'candidates', once every run is graded: the table and the suggestion (./candidates.ts) */
  candidates: CandidatesTableSchema.optional(),
  /**
   * When any grade is the grader's (not confirmed by the person): how many runs it graded of how many,
   * and its last measured agreement with the person on the task (null: never measured)
   */
  grader: z
    .object({
      runs: z.number().int(),
      of: z.number().int(),
      measured: z
        .object({ graderId: z.string(), trusted: z.boolean(), accuracy: z.number().nullable(), kappa: z.number().nullable() })
        .nullable()
    })
    .optional(),
  /** 'assist', once the grader has graded: the runs (deck numbers) left for the person, not graded yet */
  leftForYou: z.array(z.number().int()).optional(),
  /** kind 'confirm', once every run is graded: each rule's status and the runs behind it */
  confirm: ConfirmResultsSchema.optional()
})
export type VerificationView = z.infer<typeof VerificationViewSchema>

/** What a verification would be, before it starts. */
export const VerifyEstimateSchema = z.object({
  variations: z.number(),
  /** unknown until fresh variations are written: the mix's size */
  runs: z.number(),
  repeats: z.number(),
  version: VersionRefSchema,
  against: VersionRefSchema.nullable(),
  source: VariationSourceSchema,
  heldOut: z.boolean(),
  /** the mean cost of a finished run of the batches the skill was learned from (null: none finished) */
  costPerRunUsd: z.number().nullable(),
  usd: z.number().nullable(),
  /** each run stops at the budget cap (settings.maxBudgetUsd) x runs; null when there is no cap */
  capUsd: z.number().nullable(),
  basis: z.string(),
  /** the settings both arms will run with: those given, the rest the learned batch's */
  settings: RunSettingsSchema,
  /** the shadowing skill, a run source not held out... */
  warnings: z.array(VerifyWarningSchema)
})
export type VerifyEstimate = z.infer<typeof VerifyEstimateSchema>

/** A pair's key: "v4", or "v4.r2" when there are repeats. */
export const pairKey = (variation: number, repeat: number, repeats: number) =>
  repeats > 1 ? `v${variation + 1}.r${repeat}` : `v${variation + 1}`
/** A pair's name for people: "variation 4" or "variation 4, repeat 2". */
export const pairName = (variation: number, repeat: number, repeats: number) =>
  repeats > 1 ? `variation ${variation + 1}, repeat ${repeat}` : `variation ${variation + 1}`

/** A pair's key as people read it: "v4" is "variation 4", "v4.r2" "variation 4, repeat 2". */
export function describePairKey(key: string): string {
  const m = /^v(\d+)(?:\.r(\d+))?$/.exec(key)
  if (!m) return key
  return m[2] ? `variation ${m[1]}, repeat ${m[2]}` : `variation ${m[1]}`
}

/** "version 2" or "no skill". */
export const armLabel = (v: Verification, arm: Arm) =>
  arm === 'with' ? `version ${v.version.number}` : v.against ? `version ${v.against.number}` : 'no skill'

/** A trigger rate below this is flagged: the skill's description rarely made Claude Code load it. */
export const LOW_TRIGGER_RATE = 0.8
/** A trigger rate is judged once this many of an arm's runs have finished (all of them, in a smaller arm): one run is no verdict. */
export const TRIGGER_JUDGED_AFTER = 5

/** Enough of the arm's runs have finished (and were read) to say whether Claude Code loads its skill. */
export const triggerJudged = (a: { runs: number; trigger: { runs: number; rate: number | null } | null }) =>
  !!a.trigger && a.trigger.rate !== null && a.trigger.runs > 0 && a.trigger.runs >= Math.min(TRIGGER_JUDGED_AFTER, a.runs)

/** The arm's skill is rarely loaded: judged, and below LOW_TRIGGER_RATE. */
export const triggerLow = (a: { runs: number; trigger: { runs: number; rate: number | null } | null }) =>
  triggerJudged(a) && a.trigger!.rate! < LOW_TRIGGER_RATE
