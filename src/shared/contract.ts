/**
 * The one IPC contract: every request the renderer may make and every event main may push, with zod
 * schemas. Main (Electron IPC and the web bridge) validates every request payload against it; the
 * renderer's `window.api` (over the preload's bridge or HTTP) has exactly these methods, nothing else.
 * Failures carry one of ERROR_CODES.
 */
import { z } from 'zod'
import {
  BatchSchema,
  DifficultySchema,
  FilePairDiffSchema,
  MixSchema,
  PermissionPreflightSchema,
  RunSchema,
  RunSettingsSchema,
  TaskSchema,
  TemplateInspectionSchema,
  VariationSchema
} from './runs'
import { BatchSignalsSchema, RunSignalsSchema } from './signals'
import { AnalysisEstimateSchema, AnalysisSchema } from './analysis'
import {
  AnalystKindSchema,
  ConflictSchema,
  FrontMatterSchema,
  SkillFileSchema,
  SkillRuleSchema,
  SkillSchema,
  SkillTopicSchema,
  SkillVersionSchema
} from './skills'
import { FlaggedTextSchema } from './rule-flags'
import { ImageRefSchema, ProjectSchema, SessionIdSchema, SessionSummarySchema, TraceSchema } from './trace'
import { GRADE_MODES, VerificationSchema, VerificationViewSchema, VerifyEstimateSchema, VerifySettingsSchema } from './verify'
import { CandidatesEstimateSchema } from './candidates-estimate'
import { MAX_CANDIDATES, MIN_CANDIDATES } from './candidates'
import { ConfirmEstimateSchema } from './confirm'
import { ASSERTION_MAX, GraderCheckSchema, GraderEstimateSchema, PregradeSchema, RubricViewSchema } from './grading'
import { channelOf, EVENT_NAMES, isEventName, isRequestName, REQUEST_NAMES, type EventName, type RequestName } from './channels'
import {
  MAX_QUERIES,
  OptimisationSchema,
  TriggerMeasureSchema,
  TriggerQuerySchema,
  TriggersEstimateSchema,
  TriggersViewSchema
} from './triggers'

const NoInput = z.object({}).strict()
/** Ids index the store's records: never a name Object.prototype has (`__proto__`, `constructor`...), never control characters. */
const Id = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !(s in Object.prototype) && !/[\u0000-\u001f]/.test(s), { message: 'not a valid id' })

export const SkillViewSchema = z.object({
  skill: SkillSchema,
  skillMd: z.string(),
  edgeCasesMd: z.string(),
  /** every reference file, references/<name>.md (by topic; or the one edge-cases.md of a skill without topics) */
  references: z.array(SkillFileSchema).optional(),
  versions: z.array(z.object({ id: z.string(), number: z.number(), createdAt: z.string(), label: z.string().optional() })),
  /** what the Agent Skills rules say is wrong with the front matter ([] when valid) */
  problems: z.array(z.string()),
  /** a save (or restore) that changed nothing made no version: the number of the version it equals */
  unchangedSince: z.number().optional()
})
export type SkillView = z.infer<typeof SkillViewSchema>

export const ExportPlanSchema = z.object({
  folder: z.string(),
  files: z.array(
    z.object({ path: z.string(), bytes: z.number(), status: z.enum(['new', 'same', 'changed']), diff: z.string().optional() })
  ),
  /** texts of the skill flagged (a command, a URL, text copied from a run...): the export needs acceptFlagged */
  flagged: z.array(FlaggedTextSchema).optional()
})
export const ExportResultSchema = z.object({
  folder: z.string(),
  written: z.array(z.string()),
  unchanged: z.array(z.string()),
  backups: z.array(z.object({ path: z.string(), backup: z.string() }))
})

export const NoticeSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  /** e.g. where a corrupt store was moved, so the user can restore it */
  detail: z.string().optional()
})
export type Notice = z.infer<typeof NoticeSchema>

export const AppInfoSchema = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'web']),
  configDir: z.string(),
  dataDir: z.string(),
  notices: z.array(NoticeSchema)
})
export type AppInfo = z.infer<typeof AppInfoSchema>

export const SearchHitSchema = z.object({
  sessionId: z.string(),
  firstPrompt: z.string(),
  matches: z.number(),
  snippets: z.array(z.object({ line: z.number(), text: z.string() }))
})
export type SearchHit = z.infer<typeof SearchHitSchema>

/** A hit of a search across a batch: its run, and where its session is. */
export const BatchSearchHitSchema = SearchHitSchema.extend({ runId: z.string(), number: z.number(), projectId: z.string().optional() })
export type BatchSearchHit = z.infer<typeof BatchSearchHitSchema>

export const IndexTotalsSchema = z.object({
  projects: z.number(),
  sessions: z.number(),
  bytes: z.number(),
  bytesRead: z.number(),
  toolCalls: z.number(),
  toolErrors: z.number(),
  tokens: z.number(),
  costUsd: z.number(),
  seconds: z.number(),
  cancelled: z.boolean(),
  warnings: z.number()
})
export type IndexTotals = z.infer<typeof IndexTotalsSchema>

export const JobSchema = z.object({ jobId: z.string() })

export const BatchStatusSchema = z.object({
  batchId: z.string(),
  total: z.number(),
  queued: z.number(),
  /** runs whose claude is alive */
  running: z.number(),
  /** runs whose claude has exited, their outputs being collected (screenshots, files, the session) */
  collecting: z.number(),
  done: z.number(),
  failed: z.number(),
  cancelled: z.number(),
  interrupted: z.number(),
  /** claude processes running now (at most the batch's concurrency) */
  processes: z.number(),
  costUsd: z.number()
})
export type BatchStatus = z.infer<typeof BatchStatusSchema>

export const ModelAccessSchema = z.object({
  hasKey: z.boolean(),
  /** where the key comes from */
  source: z.enum(['env', 'keychain', 'session']).nullable(),
  baseUrl: z.string().nullable(),
  /** Electron can keep a pasted key in the OS keychain; web mode keeps it for this session only */
  canStoreKey: z.boolean()
})
export type ModelAccessInfo = z.infer<typeof ModelAccessSchema>

export const ClaudeCheckSchema = z.object({
  ok: z.boolean(),
  path: z.string(),
  version: z.string().optional(),
  error: z.string().optional(),
  install: z.string()
})

/** What an analysis is over and with which models (startAnalysis, and its estimate). */
const AnalysisOptions = z.object({
  batchId: Id,
  via: z.enum(['api', 'claude-cli']).optional(),
  model: z.string().min(1).max(200).optional(),
  mergeModel: z.string().min(1).max(200).optional(),
  /** deepen this skill (its rules are kept unless evidence contradicts them) */
  deepenSkillId: Id.optional(),
  /** or deepen a SKILL.md pasted in */
  existingSkillMd: z.string().max(500_000).optional(),
  /** show the analysts the mobile screenshots too (the desktop ones always) */
  mobile: z.boolean().optional()
})

const VariationInput = z
  .object({
    id: z.string().optional(),
    difficulty: DifficultySchema,
    prompt: z.string().min(1).max(50_000),
    nearMiss: z.boolean().optional()
  })
  .strict()

/** What a verification is (startVerification, and its estimate). */
const VerifyOptions = z.object({
  skillId: Id,
  /** the version to verify (default: the newest) */
  versionId: Id.optional(),
  /** 'none' (default: no skill), or the id of another version of the same skill */
  against: z.union([z.literal('none'), Id]).optional(),
  /** default: fresh variations with the same mix */
  variations: z
    .discriminatedUnion('source', [
      z.object({ source: z.literal('fresh') }).strict(),
      z.object({ source: z.literal('batch') }).strict(),
      z
        .object({
          source: z.literal('pasted'),
          items: z
            .array(z.object({ difficulty: DifficultySchema, prompt: z.string().trim().min(1).max(50_000) }).strict())
            .min(1)
            .max(200)
        })
        .strict()
    ])
    .optional(),
  /** runs per variation per arm (default 2) */
  repeats: z.number().int().min(1).max(10).optional(),
  settings: VerifySettingsSchema.strict().optional(),
  generationModel: z.string().min(1).max(200).optional(),
  /** install a version with flagged texts anyway (without it, it is refused: 'flagged') */
  acceptFlagged: z.boolean().optional(),
  /**
   * who grades the runs: the person, blind (default), the grader alone with the task's rubric, or the
   * grader with the person grading what it is unsure of ('assist'); the grader is refused when the task has no rubric
   */
  grade: z.enum(GRADE_MODES).optional()
})
/** What measuring a skill's triggers is given (measureTriggers, optimizeDescription, and their estimate). */
const TriggersOptions = z.object({
  skillId: Id,
  /** the version whose description is measured or optimised (default: the newest) */
  versionId: Id.optional(),
  /** runs per query (default 3) */
  repeats: z.number().int().min(1).max(10).optional(),
  /** optimise: rounds at most (default 5) */
  rounds: z.number().int().min(1).max(10).optional(),
  /** the claude runs (permission, concurrency, model, claude path...); the skill's batch's by default */
  settings: VerifySettingsSchema.strict().optional(),
  /** optimise: the model proposing descriptions */
  model: z.string().min(1).max(200).optional(),
  /** refused when the estimate is over it (default $10) */
  capUsd: z.number().min(0).max(10_000).optional()
})

/** What a confirmation of a version's rules is (startConfirmation, and its estimate). */
const ConfirmOptions = z.object({
  skillId: Id,
  /** the version whose rules are confirmed (default: the newest) */
  versionId: Id.optional(),
  /** bad variations re-run per rule (default 2) */
  perRule: z.number().int().min(1).max(10).optional(),
  /** good variations re-run per rule as the harm check (default 1) */
  goodPerRule: z.number().int().min(0).max(10).optional(),
  /** the most runs (default 40): over it, refused unless raised */
  cap: z.number().int().min(1).max(1000).optional(),
  grade: z.enum(GRADE_MODES).optional(),
  settings: VerifySettingsSchema.strict().optional(),
  acceptFlagged: z.boolean().optional()
})
const ModelChoice = {
  via: z.enum(['api', 'claude-cli']).optional(),
  model: z.string().min(1).max(200).optional(),
  claudePath: z.string().max(4096).optional()
}

/** What a candidates verification is given beside its candidates (makeCandidates, and its estimate). */
const CandidatesCommon = {
  variations: VerifyOptions.shape.variations,
  repeats: VerifyOptions.shape.repeats,
  settings: VerifyOptions.shape.settings,
  generationModel: VerifyOptions.shape.generationModel,
  acceptFlagged: VerifyOptions.shape.acceptFlagged,
  grade: VerifyOptions.shape.grade,
  /** refused when the estimate is over it (default $25) */
  capUsd: z.number().positive().max(100_000).optional()
}
/** Existing versions of one skill as candidates, or N built first from a graded batch. */
const CandidatesOptions = z.union([
  z.object({ ...CandidatesCommon, skillId: Id, versionIds: z.array(Id).min(MIN_CANDIDATES).max(MAX_CANDIDATES) }).strict(),
  z
    .object({
      ...CandidatesCommon,
      batchId: Id,
      n: z.number().int().min(MIN_CANDIDATES).max(MAX_CANDIDATES),
      /** one model per candidate (in turn when fewer) */
      models: z.array(z.string().min(1).max(200)).max(MAX_CANDIDATES).optional(),
      mergeModel: z.string().min(1).max(200).optional(),
      via: ModelChoice.via,
      claudePath: ModelChoice.claudePath,
      /** the skill the candidates are versions of (default: the batch's) */
      skillId: Id.optional()
    })
    .strict()
])

/** Requests: name -> input and output schemas. */
export const requests = {
  getAppInfo: { input: NoInput, output: AppInfoSchema },
  listProjects: { input: NoInput, output: z.array(ProjectSchema) },
  /** Electron: native folder dialog. Web mode: returns null and the UI asks for a typed path. */
  pickFolder: { input: NoInput, output: z.object({ path: z.string().nullable() }) },
  /**
   * Completion for a typed folder path (the web mode's stand-in for the dialog): the sub-folders of the
   * folder typed so far that start with its last part. Read-only, names only, folders only.
   */
  listFolders: {
    input: z.object({ path: z.string().min(1).max(4096) }).strict(),
    output: z.object({ parent: z.string(), names: z.array(z.string()), more: z.boolean(), missing: z.literal(true).optional() })
  },
  /** "Open any folder": a folder of session files, or a working directory Claude Code has sessions for. */
  openFolder: { input: z.object({ path: Id }).strict(), output: ProjectSchema },
  listSessions: { input: z.object({ projectId: Id }).strict(), output: z.array(SessionSummarySchema) },
  searchSessions: {
    input: z.object({ projectId: Id, query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    output: z.array(SearchHitSchema)
  },
  /** The sessions of every run of a batch searched at once (not a verification's: they would tell its arms apart). */
  searchBatch: {
    input: z.object({ batchId: Id, query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    output: z.array(BatchSearchHitSchema)
  },
  getTrace: { input: z.object({ sessionId: SessionIdSchema, projectId: Id.optional() }).strict(), output: TraceSchema },
  /** An image left in its session file, as a data: URL. */
  getImage: { input: z.object({ ref: ImageRefSchema }).strict(), output: z.object({ dataUrl: z.string() }) },
  /** Pin (and archive) a session so it stays readable after Claude Code deletes it. */
  pinSession: { input: z.object({ sessionId: SessionIdSchema, pinned: z.boolean() }).strict(), output: SessionSummarySchema },
  /** Index every session of every project; progress comes as `indexProgress` events. */
  startIndex: { input: NoInput, output: JobSchema },
  cancelJob: { input: JobSchema.strict(), output: z.object({ cancelled: z.boolean() }) },

  // Step 1: tasks, variations, batches of runs.
  listTasks: { input: NoInput, output: z.array(TaskSchema) },
  saveTask: {
    input: z
      .object({
        id: Id.optional(),
        name: z.string().trim().min(1).max(200),
        text: z.string().trim().min(1).max(100_000),
        templateDir: z.string().max(4096).optional(),
        skillMd: z.string().max(200_000).optional()
      })
      .strict(),
    output: TaskSchema
  },
  deleteTask: { input: z.object({ id: Id }).strict(), output: z.object({ deleted: z.boolean() }) },
  /** What the task's template holds for Claude Code (.claude/, .mcp.json, CLAUDE.md) and what of it runs load; null: no template. */
  inspectTemplate: { input: z.object({ taskId: Id }).strict(), output: TemplateInspectionSchema.nullable() },
  getVariations: { input: z.object({ taskId: Id }).strict(), output: z.array(VariationSchema) },
  /** Replace a task's variations (edit, add, delete, reorder, paste) in one step. */
  saveVariations: {
    input: z.object({ taskId: Id, variations: z.array(VariationInput).max(200) }).strict(),
    output: z.array(VariationSchema)
  },
  generateVariations: {
    input: z.object({ taskId: Id, mix: MixSchema, model: z.string().max(100).optional() }).strict(),
    output: z.array(VariationSchema)
  },
  /**
   * Variations a model proposes for a task given by its name and text, saved nowhere (what
   * `trace2skill variations` writes to a file); generateVariations is the same for a saved task, kept with it.
   */
  proposeVariations: {
    input: z
      .object({
        task: z.object({ name: z.string().trim().min(1).max(200), text: z.string().trim().min(1).max(100_000) }).strict(),
        mix: MixSchema.refine((m) => Object.values(m).some((n) => n > 0), { message: 'ask for at least one variation' }),
        model: z.string().max(100).optional()
      })
      .strict(),
    output: z.array(z.object({ difficulty: DifficultySchema, prompt: z.string() }))
  },
  regenerateVariation: {
    input: z.object({ taskId: Id, variationId: Id, model: z.string().max(100).optional() }).strict(),
    output: z.array(VariationSchema)
  },
  getModelAccess: { input: NoInput, output: ModelAccessSchema },
  setApiKey: { input: z.object({ key: z.string().trim().min(10).max(500) }).strict(), output: ModelAccessSchema },
  setBaseUrl: { input: z.object({ baseUrl: z.string().url().max(500).nullable() }).strict(), output: ModelAccessSchema },
  checkClaude: { input: z.object({ path: z.string().max(4096).optional() }).strict(), output: ClaudeCheckSchema },
  /** Which permission presets can work here (Claude Code's sandbox needs bubblewrap and socat on Linux), and the default for a new batch. */
  checkSandbox: { input: NoInput, output: PermissionPreflightSchema },
  /** Near-miss variations are left out unless includeNearMiss. */
  createBatch: {
    input: z
      .object({ taskId: Id, settings: RunSettingsSchema, name: z.string().max(200).optional(), includeNearMiss: z.boolean().optional() })
      .strict(),
    output: BatchSchema
  },
  startBatch: { input: z.object({ batchId: Id }).strict(), output: BatchStatusSchema },
  cancelRun: { input: z.object({ runId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  cancelBatch: { input: z.object({ batchId: Id }).strict(), output: z.object({ cancelled: z.number() }) },
  /** Run again the given runs, or every failed, cancelled and interrupted one of the batch. */
  retryRuns: { input: z.object({ batchId: Id, runIds: z.array(Id).max(500).optional() }).strict(), output: BatchStatusSchema },
  listBatches: {
    input: z.object({ taskId: Id.optional() }).strict(),
    output: z.array(z.object({ batch: BatchSchema, status: BatchStatusSchema }))
  },
  getBatch: {
    input: z.object({ batchId: Id }).strict(),
    output: z.object({
      batch: BatchSchema,
      runs: z.array(RunSchema),
      status: BatchStatusSchema,
      /** the batch holds a verification's runs: its deck is blind */
      verificationId: z.string().optional()
    })
  },
  /** Add past sessions to a batch (a new one unless batchId is given) as runs to grade. */
  importSessions: {
    input: z
      .object({
        batchId: Id.optional(),
        name: z.string().max(200).optional(),
        sessions: z
          .array(z.object({ sessionId: SessionIdSchema, projectId: Id.optional() }).strict())
          .min(1)
          .max(500)
      })
      .strict(),
    output: BatchSchema
  },
  // Step 2: feedback.
  /** Save a run's grade and sentence (called as the person types: nothing is lost on close). */
  saveFeedback: {
    input: z.object({ runId: Id, label: z.enum(['good', 'bad']).nullable(), text: z.string().max(5000) }).strict(),
    output: RunSchema
  },
  /** The batch's feedback as plain text, one `Run N: good - sentence` line per graded run. */
  exportFeedback: {
    input: z.object({ batchId: Id }).strict(),
    output: z.object({ text: z.string(), graded: z.number(), total: z.number() })
  },
  /** Apply pasted plain-text feedback: all lines or none; every problem reported by line. */
  importFeedback: {
    input: z.object({ batchId: Id, text: z.string().max(1_000_000) }).strict(),
    output: z.object({ applied: z.number(), errors: z.array(z.string()) })
  },
  /** Per-run numbers and tool sequences from the traces, and what sets bad runs apart from good ones. */
  getSignals: {
    input: z.object({ batchId: Id }).strict(),
    output: z.object({ runs: z.array(RunSignalsSchema), batch: BatchSignalsSchema })
  },
  /** The files two runs produced, each path run A's version diffed against run B's. */
  compareFiles: { input: z.object({ runA: Id, runB: Id }).strict(), output: z.array(FilePairDiffSchema) },
  // Steps 3 and 4: analysts, merge, the skill, export.
  /** Four analysts over a batch's graded runs, then the merge into a skill (progress: analysisProgress). */
  startAnalysis: { input: AnalysisOptions.extend({ claudePath: z.string().max(4096).optional() }).strict(), output: AnalysisSchema },
  /** What startAnalysis would cost with these models: the context is built as for the real run, no model is called. */
  estimateAnalysis: {
    input: AnalysisOptions.strict(),
    output: AnalysisEstimateSchema
  },
  getAnalysis: { input: z.object({ analysisId: Id }).strict(), output: AnalysisSchema },
  listAnalyses: { input: z.object({ batchId: Id.optional() }).strict(), output: z.array(AnalysisSchema) },
  cancelAnalyst: { input: z.object({ analysisId: Id, kind: AnalystKindSchema }).strict(), output: z.object({ cancelled: z.boolean() }) },
  cancelAnalysis: { input: z.object({ analysisId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  retryAnalyst: { input: z.object({ analysisId: Id, kind: AnalystKindSchema }).strict(), output: AnalysisSchema },
  listSkills: { input: NoInput, output: z.array(SkillSchema) },
  getSkill: { input: z.object({ skillId: Id }).strict(), output: SkillViewSchema },
  /** Save edits as a new version. `markdown: null` goes back to the text rendered from the rules. */
  saveSkill: {
    input: z
      .object({
        skillId: Id,
        patch: z
          .object({
            frontMatter: FrontMatterSchema.optional(),
            title: z.string().max(300).optional(),
            whenToUse: z.string().max(5000).optional(),
            rules: z.array(SkillRuleSchema).max(2000).optional(),
            conflicts: z.array(ConflictSchema).max(2000).optional(),
            topics: z.array(SkillTopicSchema).max(50).optional(),
            markdown: z.string().max(1_000_000).nullable().optional()
          })
          .strict(),
        label: z.string().max(200).optional()
      })
      .strict(),
    output: SkillViewSchema
  },
  reverseConflict: { input: z.object({ skillId: Id, conflictId: Id }).strict(), output: SkillViewSchema },
  getSkillVersion: { input: z.object({ versionId: Id }).strict(), output: SkillVersionSchema },
  /** A unified diff per file (a file with no change says so): SKILL.md, edge-cases.md, and each reference file of either version; `identical` when all are the same. */
  diffSkillVersions: {
    input: z.object({ a: Id, b: Id }).strict(),
    output: z.object({
      skillMd: z.string(),
      edgeCasesMd: z.string(),
      references: z.array(z.object({ name: z.string(), diff: z.string() })).optional(),
      identical: z.boolean(),
      /** the exported scripts/ of both, one diff (absent when neither exports a script) */
      scripts: z.string().optional()
    })
  },
  restoreSkillVersion: { input: z.object({ versionId: Id }).strict(), output: SkillViewSchema },
  /** What an export would write: the file tree, each file new, the same or changed (with a diff). */
  planSkillExport: { input: z.object({ skillId: Id, folder: z.string().min(1).max(4096) }).strict(), output: ExportPlanSchema },
  /** Write the skill, its edge cases and the four analyst agents into a project folder (backups of what it replaces). */
  exportSkill: {
    input: z
      .object({
        skillId: Id,
        folder: z.string().min(1).max(4096),
        /** the person read the flagged texts and exports them anyway (without it a flagged skill is refused: 'flagged') */
        acceptFlagged: z.boolean().optional()
      })
      .strict(),
    output: ExportResultSchema
  },
  /** Render a finished run's HTML outputs again (when a screenshot failed or timed out). */
  retakeScreenshots: { input: z.object({ runId: Id }).strict(), output: RunSchema },
  // Step 5: verify that a skill version makes runs better.
  /** What a verification would be: its runs, the cost from the runs the skill was learned from, the cap, warnings. */
  estimateVerification: { input: VerifyOptions.strict(), output: VerifyEstimateSchema },
  /** Start a verification: fresh variations (unless given), then both arms' runs in one interleaved queue (progress: verificationProgress, runProgress). */
  startVerification: { input: VerifyOptions.strict(), output: VerificationViewSchema },
  /** A verification with where it is and its report (pass rates, the paired test, fixed and broken pairs, trigger rates). */
  getVerification: { input: z.object({ verificationId: Id }).strict(), output: VerificationViewSchema },
  /** The verifications of a skill (every one without a skill), newest first. */
  listVerifications: {
    input: z.object({ skillId: Id.optional(), kind: z.enum(['compare', 'candidates', 'confirm']).optional() }).strict(),
    output: z.array(VerificationViewSchema)
  },
  /** What confirming a version's rules would be: the rules drawn from bad runs, their runs, those the cap leaves, the cost. */
  estimateConfirmation: { input: ConfirmOptions.strict(), output: ConfirmEstimateSchema },
  /** Confirm a version's rules: each rule drawn from bad runs re-run alone on its failures and a good variation, one blind batch (a verification of kind 'confirm'). */
  startConfirmation: { input: ConfirmOptions.strict(), output: VerificationViewSchema },
  cancelVerification: { input: z.object({ verificationId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** Go on after a cancel, a failure or a stopped app. */
  resumeVerification: { input: z.object({ verificationId: Id }).strict(), output: VerificationViewSchema },
  /** For each pair the skill fixed or broke: the rules the with-skill trace shows followed or ignored (a model reads it). */
  explainVerification: {
    input: z.object({ verificationId: Id, ...ModelChoice }).strict(),
    output: VerificationViewSchema
  },
  // The best of several candidates (issue 22): a verification of kind 'candidates'.
  /** What making candidates would be: its runs (variations x repeats x (candidates + no skill)), the cost at the learned batch's costs, the cap. */
  estimateCandidates: { input: CandidatesOptions, output: CandidatesEstimateSchema },
  /**
   * Make candidates: verify existing versions (skillId, versionIds), or build N from a batch first
   * (batchId, n: the verification is 'building' meanwhile); refused over the cap. Its table is the
   * verification's `candidates` once every run is graded (progress: verificationProgress, runProgress).
   */
  makeCandidates: { input: CandidatesOptions, output: VerificationViewSchema },
  /** The next version: analyse the verification's graded runs (both arms) in deepen mode. */
  deepenFromVerification: {
    input: z.object({ verificationId: Id, ...ModelChoice, mergeModel: z.string().min(1).max(200).optional() }).strict(),
    output: AnalysisSchema
  },
  // Candidates: several versions of one skill from the same runs; the person promotes one.
  /** A version (a candidate) becomes the current skill, as a new version "promoted version N"; already current: nothing saved, `unchangedSince` says as which. */
  promoteSkillVersion: { input: z.object({ versionId: Id }).strict(), output: SkillViewSchema },
  // Triggering (issue 23): does Claude Code load the skill when it should, and not otherwise.
  /** A skill's trigger queries, rivals (same-name and competing skills), measurements and optimisations. */
  getTriggers: { input: z.object({ skillId: Id }).strict(), output: TriggersViewSchema },
  /** The person's reviewed query set (added, removed, should / should-not changed): replaces the set. */
  saveTriggerQueries: {
    input: z.object({ skillId: Id, queries: z.array(TriggerQuerySchema).max(MAX_QUERIES) }).strict(),
    output: TriggersViewSchema
  },
  /** Ask the variation writer for near misses (should-not-trigger prompts) and add them to the set. */
  writeNearMisses: {
    input: z.object({ skillId: Id, count: z.number().int().min(1).max(30), model: z.string().min(1).max(200).optional() }).strict(),
    output: TriggersViewSchema
  },
  /** What measuring (or, with rounds, optimising) would cost: decisions, $ at earlier measurements' cost, rivals. */
  estimateTriggers: { input: TriggersOptions.strict(), output: TriggersEstimateSchema },
  /** Measure the description: each query x repeats through `claude -p`, stopped at the decision (progress: triggersProgress). */
  measureTriggers: { input: TriggersOptions.strict(), output: TriggerMeasureSchema },
  /** Optimise the description: rounds proposed from the training split, picked by the held-out one (progress: triggersProgress). */
  optimizeDescription: { input: TriggersOptions.strict(), output: OptimisationSchema },
  /** Stop a skill's measurement or optimisation (every claude run and model call). */
  cancelTriggers: { input: z.object({ skillId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** Save an optimisation's round (default: its pick) as a new version of the skill. */
  saveOptimisedDescription: {
    input: z.object({ optimisationId: Id, round: z.number().int().min(1).max(10).optional() }).strict(),
    output: SkillViewSchema
  },
  /** A screenshot PNG of a run, as a data: URL. */
  getScreenshot: { input: z.object({ runId: Id, file: z.string().max(4096) }).strict(), output: z.object({ dataUrl: z.string() }) },
  /**
   * The text files a run made or changed (each up to 256 KB; binaries, deleted and larger ones left out), by
   * path: what a grader reads instead of its folder, which a blind verification's run does not give.
   */
  getRunTexts: { input: z.object({ runId: Id }).strict(), output: z.array(z.object({ path: z.string(), text: z.string() })) },
  // A rubric from the person's sentences, and a grader measured against the person.
  /** Build (or rebuild, as a new version) the task's rubric from a batch's good and bad sentences; answers when it is saved. */
  buildRubric: { input: z.object({ batchId: Id, ...ModelChoice }).strict(), output: RubricViewSchema },
  /** The rubric of a batch's task (of the batch when it has no task); null when none was built. */
  getRubric: { input: z.object({ batchId: Id }).strict(), output: RubricViewSchema.nullable() },
  /** One edit by the person, saved as a new version (`baseVersionId`: refused when the rubric has changed since). */
  editRubric: {
    input: z
      .object({
        rubricId: Id,
        baseVersionId: Id.optional(),
        edit: z.discriminatedUnion('op', [
          z.object({ op: z.literal('edit'), assertionId: Id, text: z.string().max(ASSERTION_MAX) }).strict(),
          z.object({ op: z.literal('add'), text: z.string().max(ASSERTION_MAX) }).strict(),
          z.object({ op: z.literal('delete'), assertionId: Id }).strict(),
          z.object({ op: z.literal('restore'), versionId: Id }).strict()
        ])
      })
      .strict(),
    output: RubricViewSchema
  },
  cancelRubric: { input: z.object({ batchId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** What measuring the grader on a batch would cost: no model is called. */
  estimateGrader: {
    input: z
      .object({ batchId: Id, via: ModelChoice.via, model: ModelChoice.model, folds: z.number().int().min(2).max(20).optional() })
      .strict(),
    output: GraderEstimateSchema
  },
  /** Measure the grader's agreement with the person on a batch by cross-validation (progress: graderProgress). */
  startGrader: {
    input: z.object({ batchId: Id, ...ModelChoice, folds: z.number().int().min(2).max(20).optional() }).strict(),
    output: GraderCheckSchema
  },
  getGrader: { input: z.object({ graderId: Id }).strict(), output: GraderCheckSchema },
  /** The newest measurement of the grader on a batch; null when there is none. */
  latestGrader: { input: z.object({ batchId: Id }).strict(), output: GraderCheckSchema.nullable() },
  cancelGrader: { input: z.object({ graderId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** The grader grades the batch's runs the person has not graded, with the task's rubric (progress: pregradeProgress); its grades stay the grader's until confirmed. */
  startPregrade: { input: z.object({ batchId: Id, ...ModelChoice }).strict(), output: PregradeSchema },
  /** The batch's pre-grades still to confirm (a run the person graded since is left out); null when never pre-graded. */
  getPregrade: { input: z.object({ batchId: Id }).strict(), output: PregradeSchema.nullable() },
  cancelPregrade: { input: z.object({ batchId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** The person confirms the grader's grade of a run (or flips it with `label`): saved as the person's grade. */
  confirmPregrade: {
    input: z.object({ runId: Id, label: z.enum(['good', 'bad']).optional(), text: z.string().max(5000).optional() }).strict(),
    output: RunSchema
  },
  /** Every pre-grade of the batch the grader was sure of saved as the grader's grade, in one action (the person grades the unsure ones); the runs saved. */
  acceptSurePregrades: { input: z.object({ batchId: Id }).strict(), output: z.object({ runs: z.array(RunSchema) }) },
  /** Undo of acceptSurePregrades, as one group: those runs ungraded again, their pre-grades back (a grade the person gave since is kept). */
  undoAcceptPregrades: {
    input: z.object({ batchId: Id, runIds: z.array(Id).max(100_000) }).strict(),
    output: z.object({ runs: z.array(RunSchema) })
  }
} as const

/** Events main pushes to the renderer: name -> payload schema. */
export const events = {
  indexProgress: z.object({
    jobId: z.string(),
    phase: z.enum(['scanning', 'indexing', 'done', 'cancelled', 'failed']),
    done: z.number(),
    total: z.number(),
    bytes: z.number(),
    totals: IndexTotalsSchema.optional(),
    error: z.string().optional()
  }),
  projectsChanged: z.object({}),
  sessionsChanged: z.object({ projectId: z.string(), sessionIds: z.array(z.string()) }),
  notice: NoticeSchema,
  runProgress: z.object({ run: RunSchema }),
  batchProgress: BatchStatusSchema,
  analysisProgress: z.object({ analysis: AnalysisSchema }),
  verificationProgress: z.object({ verification: VerificationSchema }),
  rubricChanged: z.object({ rubric: RubricViewSchema }),
  graderProgress: z.object({ grader: GraderCheckSchema }),
  pregradeProgress: z.object({ pregrade: PregradeSchema }),
  triggersProgress: z.object({ skillId: z.string(), measure: TriggerMeasureSchema.optional(), optimisation: OptimisationSchema.optional() })
} as const

export type Requests = typeof requests
export type { RequestName, EventName }
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>
export type RequestOutput<N extends RequestName> = z.infer<Requests[N]['output']>
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>

export const requestNames: readonly RequestName[] = REQUEST_NAMES
export const eventNames: readonly EventName[] = EVENT_NAMES
export { channelOf, isEventName, isRequestName }

/** channels.ts lists exactly the requests and events above (a name missing or extra there fails here). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const _requestsListed: Same<RequestName, keyof Requests> = true
const _eventsListed: Same<EventName, keyof typeof events> = true
void _requestsListed
void _eventsListed

/** What `window.api` is, in Electron and in web mode alike. */
export type Api = {
  [N in RequestName]: (input: RequestInput<N>) => Promise<RequestOutput<N>>
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/**
 * The one closed set of error codes a request can fail with. Main throws them (`fail` in
 * src/main/app/dispatch.ts), the IPC and HTTP replies carry them, web mode maps them to HTTP statuses,
 * and the preload and the web client keep them on the errors the renderer catches (`err.code`).
 */
export const ERROR_CODES = [
  /** the request or its payload is wrong: fix the input (HTTP 400) */
  'invalid',
  /** no such request, project, session, task, batch, run, skill... (404) */
  'not-found',
  /** refused: outside the folders it may read, or from an untrusted frame (403) */
  'forbidden',
  /** the thing is still running: retry when it has finished (409) */
  'busy',
  /** another trace2skill took over the data folder (409) */
  'data-dir-busy',
  /** this process opened the store read-only (409) */
  'read-only',
  /** the permission preset cannot work on this machine (409) */
  'preset-unavailable',
  /** no Anthropic API key for a model call (424) */
  'no-api-key',
  /** Claude Code is not installed where it was looked for, or cannot be run (424) */
  'claude-missing',
  /** Claude Code is not signed in, or refused the request (424) */
  'claude-login',
  /** the skill holds flagged texts (a command, a URL, text copied from a run) and the person has not confirmed them (409) */
  'flagged',
  /** the model's answer does not fit what was asked (502) */
  'bad-answer',
  /** the store could not be written (disk full, read-only disk...); nothing was changed (507) */
  'store-write-failed',
  /** stopped by the user (409) */
  'cancelled',
  /** anything else: a bug or an unexpected failure (500) */
  'internal'
] as const
export const ErrorCodeSchema = z.enum(ERROR_CODES)
export type ErrorCode = z.infer<typeof ErrorCodeSchema>
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)

/**
 * The one error of ours: its message is shown as is and its code (required: a forgotten one is no
 * longer a silent "not found") travels with it to the renderer, the web client and the CLI; `cause`
 * keeps what it came from (for the log).
 */
export class AppError extends Error {
  readonly code: ErrorCode
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
  }
}

/** An error thrown for the user, in main (an AppError). */
export const fail = (message: string, code: ErrorCode, cause?: unknown): AppError =>
  new AppError(message, code, cause === undefined ? undefined : { cause })

/** Errors cross IPC/HTTP as this shape so the UI can show one clear line. */
export const ApiErrorSchema = z.object({ error: z.string(), code: ErrorCodeSchema.optional() })
export type ApiError = z.infer<typeof ApiErrorSchema>

/** What a request answers over IPC (and, as `{ value }` or an ApiError, over HTTP). */
export type Reply = { ok: true; value: unknown } | ({ ok: false } & ApiError)

/** The error the renderer catches: the message to show, and the code to act on. */
export type ApiFailure = Error & { code?: ErrorCode }

/** The error a failed reply becomes on the renderer's side (the preload and the web client both throw this). */
export function apiFailure(reply: { error?: unknown; code?: unknown }, fallback = 'the request failed'): ApiFailure {
  const message = typeof reply.error === 'string' && reply.error ? reply.error : fallback
  return Object.assign(new Error(message), isErrorCode(reply.code) ? { code: reply.code } : {})
}

/**
 * How `window.api` reaches main: IPC through the preload's bridge in Electron, fetch in web mode. A
 * transport answers every request with a Reply and never throws it: an Error's own properties (its
 * `code`) do not survive Electron's contextBridge, plain data does.
 */
export interface Transport {
  request(name: RequestName, input: unknown): Promise<Reply>
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void
}

/** Builds `window.api` from a transport, in the renderer's own world: a failed reply is thrown as an ApiFailure, code kept. */
export function createApi(transport: Transport): Api {
  const api: Record<string, unknown> = {}
  for (const name of requestNames)
    api[name] = async (input: unknown) => {
      const reply = await transport.request(name, input ?? {})
      if (!reply.ok) throw apiFailure(reply)
      return reply.value
    }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(event)) throw new Error(`unknown event: ${String(event)}`)
    return transport.subscribe(event, listener)
  }
  return Object.freeze(api) as Api
}

/** Where pushed events go (the hub, and every domain service that emits). */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void

/** What main answers each request with (the app's handlers: one per request of the contract). */
export type Handlers = {
  [N in RequestName]: (input: z.infer<Requests[N]['input']>) => Promise<RequestOutput<N>>
}
