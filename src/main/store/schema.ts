/**
 * What the store keeps, document by document (see ./store.ts for the layout on disk).
 */
import { z } from 'zod'
import { AnalysisSchema, type Analysis } from '../../shared/analysis'
import { OperationKindSchema, OperationSchema, OperationStateSchema, type Operation } from '../../shared/operations'
import { BatchSchema, RunSchema, RunStateSchema, TaskSchema, VariationSchema, type Batch, type Run } from '../../shared/runs'
import { SkillSchema, SkillVersionSchema, type Skill, type SkillVersion } from '../../shared/skills'
import { VerificationSchema, type Verification } from '../../shared/verify'
import {
  GraderCheckSchema,
  PregradeSchema,
  RubricSchema,
  RubricVersionSchema,
  type GraderCheck,
  type Pregrade,
  type Rubric,
  type RubricVersion
} from '../../shared/grading'
import {
  OptimisationSchema,
  TriggerMeasureSchema,
  TriggerQuerySchema,
  type Optimisation,
  type TriggerMeasure,
  type TriggerQuery
} from '../../shared/triggers'
import { DOC_SCHEMA, type DocSpec } from './document'

export const PinSchema = z.object({ sessionId: z.string(), projectId: z.string(), pinnedAt: z.string() })
export type Pin = z.infer<typeof PinSchema>
export const ArchiveSchema = z.object({
  sessionId: z.string(),
  projectId: z.string(),
  /** where the original lived */
  originalFile: z.string(),
  cwd: z.string().optional(),
  /** gzip files inside the data dir, relative to it */
  file: z.string(),
  subagents: z.array(z.object({ name: z.string(), file: z.string() })),
  bytes: z.number(),
  /** size and mtime of the original when archived: a grown original is archived again */
  sourceSize: z.number(),
  sourceMtimeMs: z.number(),
  archivedAt: z.string()
})
export type ArchiveEntry = z.infer<typeof ArchiveSchema>
export const SettingsSchema = z.object({ baseUrl: z.string().optional() })

/** What the index keeps of a batch: enough to list it, find it by name, and find a run's batch. */
export const BatchHeadSchema = z.object({
  name: z.string(),
  taskId: z.string().optional(),
  createdAt: z.string(),
  runs: z.array(z.object({ id: z.string(), number: z.number(), sessionId: z.string(), state: RunStateSchema }))
})
export type BatchHead = z.infer<typeof BatchHeadSchema>
export const AnalysisHeadSchema = z.object({
  batchId: z.string(),
  state: AnalysisSchema.shape.state,
  createdAt: z.string(),
  skillId: z.string().optional()
})
export type AnalysisHead = z.infer<typeof AnalysisHeadSchema>
export const SkillHeadSchema = z.object({ name: z.string(), batchIds: z.array(z.string()), updatedAt: z.string() })
export type SkillHead = z.infer<typeof SkillHeadSchema>
export const OperationHeadSchema = z.object({
  kind: OperationKindSchema,
  subject: z.string().optional(),
  state: OperationStateSchema,
  startedAt: z.string()
})
export type OperationHead = z.infer<typeof OperationHeadSchema>
/** What the index keeps of a verification: its skill and version (listed with the skill), its batch (found from a run). */
export const VerificationHeadSchema = z.object({
  skillId: z.string(),
  versionId: z.string(),
  batchId: z.string().optional(),
  phase: VerificationSchema.shape.phase,
  createdAt: z.string()
})
export type VerificationHead = z.infer<typeof VerificationHeadSchema>
/** What the index keeps of a rubric: its task and batch (to find a task's rubric), when it last changed. */
export const RubricHeadSchema = z.object({ taskId: z.string().optional(), batchId: z.string(), updatedAt: z.string() })
export type RubricHead = z.infer<typeof RubricHeadSchema>
/** What the index keeps of a grader's measurement: its batch, state and date (the newest of a batch, those left running). */
export const GraderHeadSchema = z.object({ batchId: z.string(), state: GraderCheckSchema.shape.state, createdAt: z.string() })
export type GraderHead = z.infer<typeof GraderHeadSchema>
/** What the index keeps of a batch's pre-grades: their state (those left running). */
export const PregradeHeadSchema = z.object({ state: PregradeSchema.shape.state, createdAt: z.string() })
export type PregradeHead = z.infer<typeof PregradeHeadSchema>
/** What the index keeps of a skill's triggers: when they changed, and whether a measurement or optimisation was left running. */
export const TriggersHeadSchema = z.object({ updatedAt: z.string(), running: z.boolean().optional() })
export type TriggersHead = z.infer<typeof TriggersHeadSchema>

/** index.json: the small things, and one head per batch, analysis, skill and operation. */
export interface IndexData {
  schema: typeof DOC_SCHEMA
  settings: z.infer<typeof SettingsSchema>
  /** folders the user opened with "open any folder" */
  openedFolders: string[]
  tasks: Record<string, z.infer<typeof TaskSchema>>
  /** per task, its variations in order */
  variations: Record<string, z.infer<typeof VariationSchema>[]>
  batches: Record<string, BatchHead>
  analyses: Record<string, AnalysisHead>
  skills: Record<string, SkillHead>
  operations: Record<string, OperationHead>
  verifications: Record<string, VerificationHead>
  rubrics: Record<string, RubricHead>
  graders: Record<string, GraderHead>
  pregrades: Record<string, PregradeHead>
  triggers: Record<string, TriggersHead>
}
export const emptyIndex = (): IndexData => ({
  schema: DOC_SCHEMA,
  settings: {},
  openedFolders: [],
  tasks: {},
  variations: {},
  batches: {},
  analyses: {},
  skills: {},
  operations: {},
  verifications: {},
  rubrics: {},
  graders: {},
  pregrades: {},
  triggers: {}
})
export const INDEX_SPEC: DocSpec = {
  many: {
    tasks: TaskSchema,
    variations: z.array(VariationSchema),
    batches: BatchHeadSchema,
    analyses: AnalysisHeadSchema,
    skills: SkillHeadSchema,
    operations: OperationHeadSchema,
    verifications: VerificationHeadSchema,
    rubrics: RubricHeadSchema,
    graders: GraderHeadSchema,
    pregrades: PregradeHeadSchema,
    triggers: TriggersHeadSchema
  },
  list: { openedFolders: z.string() },
  opt: { settings: SettingsSchema }
}

/** sessions.json: pinned sessions and the archive of sessions kept by the app. */
export interface SessionsData {
  schema: typeof DOC_SCHEMA
  pins: Record<string, Pin>
  archives: Record<string, ArchiveEntry>
}
export const emptySessions = (): SessionsData => ({ schema: DOC_SCHEMA, pins: {}, archives: {} })
export const SESSIONS_SPEC: DocSpec = { many: { pins: PinSchema, archives: ArchiveSchema } }

/** batches/<id>.json: a batch and its runs (with their feedback). */
export interface BatchDoc {
  schema: typeof DOC_SCHEMA
  batch: Batch
  runs: Record<string, Run>
}
export const BATCH_SPEC: DocSpec = { one: { batch: BatchSchema }, many: { runs: RunSchema } }

/** analyses/<id>.json */
export interface AnalysisDoc {
  schema: typeof DOC_SCHEMA
  analysis: Analysis
}
export const ANALYSIS_SPEC: DocSpec = { one: { analysis: AnalysisSchema } }

/** skills/<id>.json: a skill and every saved version of it. */
export interface SkillDoc {
  schema: typeof DOC_SCHEMA
  skill: Skill
  versions: Record<string, SkillVersion>
}
export const SKILL_SPEC: DocSpec = { one: { skill: SkillSchema }, many: { versions: SkillVersionSchema } }

/** operations/<id>.json */
export interface OperationDoc {
  schema: typeof DOC_SCHEMA
  operation: Operation
}
export const OPERATION_SPEC: DocSpec = { one: { operation: OperationSchema } }

/** verifications/<id>.json: a verification of a skill version (its runs are a batch of their own). */
export interface VerificationDoc {
  schema: typeof DOC_SCHEMA
  verification: Verification
}
export const VERIFICATION_SPEC: DocSpec = { one: { verification: VerificationSchema } }

/** rubrics/<id>.json: a rubric and every version of it (each edit is a new one). */
export interface RubricDoc {
  schema: typeof DOC_SCHEMA
  rubric: Rubric
  versions: Record<string, RubricVersion>
}
export const RUBRIC_SPEC: DocSpec = { one: { rubric: RubricSchema }, many: { versions: RubricVersionSchema } }

/** graders/<id>.json: one measurement of the grader on a batch. */
export interface GraderDoc {
  schema: typeof DOC_SCHEMA
  check: GraderCheck
}
export const GRADER_SPEC: DocSpec = { one: { check: GraderCheckSchema } }

/** pregrades/<batchId>.json: the grader's grades of a batch's runs, until the person confirms them. */
export interface PregradeDoc {
  schema: typeof DOC_SCHEMA
  pregrade: Pregrade
}
export const PREGRADE_SPEC: DocSpec = { one: { pregrade: PregradeSchema } }

/** The query set of a skill: the person's reviewed should / should-not prompts. */
export const TriggerSetSchema = z.object({
  skillId: z.string(),
  queries: z.array(TriggerQuerySchema),
  /** the person saved (reviewed) the set at */
  reviewedAt: z.string().optional(),
  updatedAt: z.string()
})
export type TriggerSet = { skillId: string; queries: TriggerQuery[]; reviewedAt?: string; updatedAt: string }

/** triggers/<skillId>.json: a skill's trigger queries, its measurements and its description optimisations. */
export interface TriggersDoc {
  schema: typeof DOC_SCHEMA
  set: TriggerSet
  measures: Record<string, TriggerMeasure>
  optimisations: Record<string, Optimisation>
}
export const TRIGGERS_SPEC: DocSpec = {
  one: { set: TriggerSetSchema },
  many: { measures: TriggerMeasureSchema, optimisations: OptimisationSchema }
}

export const batchHead = (d: BatchDoc): BatchHead => ({
  name: d.batch.name,
  ...(d.batch.taskId !== undefined ? { taskId: d.batch.taskId } : {}),
  createdAt: d.batch.createdAt,
  runs: d.batch.runIds.flatMap((id) => {
    const r = d.runs[id]
    return r ? [{ id, number: r.number, sessionId: r.sessionId, state: r.state }] : []
  })
})
export const analysisHead = (d: AnalysisDoc): AnalysisHead => ({
  batchId: d.analysis.batchId,
  state: d.analysis.state,
  createdAt: d.analysis.createdAt,
  ...(d.analysis.skillId ? { skillId: d.analysis.skillId } : {})
})
export const skillHead = (d: SkillDoc): SkillHead => ({
  name: d.skill.frontMatter.name,
  batchIds: d.skill.batchIds,
  updatedAt: d.skill.updatedAt
})
export const operationHead = (d: OperationDoc): OperationHead => ({
  kind: d.operation.kind,
  ...(d.operation.subject ? { subject: d.operation.subject } : {}),
  state: d.operation.state,
  startedAt: d.operation.startedAt
})
export const verificationHead = (d: VerificationDoc): VerificationHead => ({
  skillId: d.verification.skillId,
  versionId: d.verification.version.id,
  ...(d.verification.batchId ? { batchId: d.verification.batchId } : {}),
  phase: d.verification.phase,
  createdAt: d.verification.createdAt
})
export const rubricHead = (d: RubricDoc): RubricHead => ({
  ...(d.rubric.taskId ? { taskId: d.rubric.taskId } : {}),
  batchId: d.rubric.batchId,
  updatedAt: d.rubric.updatedAt
})
export const graderHead = (d: GraderDoc): GraderHead => ({ batchId: d.check.batchId, state: d.check.state, createdAt: d.check.createdAt })
export const pregradeHead = (d: PregradeDoc): PregradeHead => ({ state: d.pregrade.state, createdAt: d.pregrade.createdAt })
export const triggersHead = (d: TriggersDoc): TriggersHead => {
  const running =
    Object.values(d.measures).some((m) => m.state === 'running') || Object.values(d.optimisations).some((o) => o.state === 'running')
  return { updatedAt: d.set.updatedAt, ...(running ? { running } : {}) }
}
