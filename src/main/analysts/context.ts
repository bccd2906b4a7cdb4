/**
 * What every use case of the analyses needs (the store, the operations, the skills, model access...),
 * passed to each as one explicit context, and the few helpers they share: reading and saving an
 * analysis, its task, its operation, its model port, the parameters it was started with, its evidence
 * folder and the app's secret values. Electron-free.
 */
import { join } from 'node:path'
import type { Analysis, AnalystStatusInfo } from '../../shared/analysis'
import { fail, type EventSink } from '../../shared/contract'
import { secretLiterals } from '../../shared/redact'
import { VerificationOutcomesSchema, type VerificationOutcomes } from '../../shared/rule-outcomes'
import type { Trace } from '../../shared/trace'
import { errorFields, silentLog, type Log } from '../log/log'
import type { Operations } from '../operations/registry'
import type { SkillService } from '../skills/service'
import type { Store } from '../store/store'
import { removeEvidenceFolder, type RunEvidence } from './evidence'
import { inThreadImages, type ImagePool } from './image-pool'
import { apiModel, claudeCliModel, type ModelPort } from './model'
import type { AnalystFleet } from './pipeline'
import { appSecretsOf } from './redaction'

export interface AnalysisServiceDeps {
  store: Store
  /** where failures handled without bothering the person are kept (the app's log) */
  log?: Log
  emit: EventSink
  operations: Operations
  skills: SkillService
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** the API key and base URL; throws a clear error when there is no key */
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  env: NodeJS.ProcessEnv
  /** tests: a model port instead of the real ones */
  port?: ModelPort
  /** run claude -p analysts under Claude Code's sandbox (default: where it is available here) */
  sandbox?: boolean
  /** where screenshots are prepared (default: on the calling thread) */
  images?: ImagePool
}

/** What an analysis was started with, kept with its operation (a retry and a restart reuse it). */
export interface AnalysisParams {
  batchId: string
  via: Analysis['via']
  model: string
  mergeModel: string
  deepenSkillId?: string
  claudePath?: string
  /** deepen from a verification: what it showed of the deepened skill's rules (the merge demotes on it) */
  outcomes?: VerificationOutcomes
  /** the runs and the rules in this seed's order (a candidate) */
  seed?: number
  /** the merged skill is saved as a new version of this skill (learned from scratch, its name kept: a candidate) */
  intoSkillId?: string
  /** the label of the version the merge saves (a candidate's: "candidate 2 of 3 (seed 2, model)") */
  versionLabel?: string
}

/**
 * An analysis's fleets while the process lives (a retry reuses them); `kept`: analysts finished before
 * a restart; `folders`: the claude -p evidence folders, made again before a retry (they are removed
 * when the analysts end).
 */
export type Fleets = {
  fleets: AnalystFleet[]
  kept: AnalystStatusInfo[]
  port: ModelPort
  folders: (() => Promise<void>)[]
  runs?: RunEvidence[]
}

/** The dependencies with their defaults, and the analyses' fleets while the process lives. */
export interface AnalysisContext extends AnalysisServiceDeps {
  log: Log
  images: ImagePool
  inMemory: Map<string, Fleets>
}

export function analysisContext(d: AnalysisServiceDeps): AnalysisContext {
  return { ...d, log: d.log ?? silentLog(), images: d.images ?? inThreadImages(), inMemory: new Map() }
}

export const now = () => new Date().toISOString()

export async function analysisOf(ctx: AnalysisContext, id: string): Promise<Analysis> {
  const a = await ctx.store.analyses.get(id)
  if (!a) throw fail(`no such analysis: ${id}`, 'not-found')
  return a
}

/** Save an analysis and tell the screens. */
export async function save(ctx: AnalysisContext, a: Analysis): Promise<void> {
  await ctx.store.analyses.put(a)
  ctx.emit('analysisProgress', { analysis: a })
}

/** The task the runs were made for: its name and text (the batch's name when the task is gone). */
export function taskInfoOf(ctx: AnalysisContext, taskId: string | undefined, batchId: string) {
  const task = taskId ? ctx.store.index.task(taskId) : undefined
  return { name: task?.name ?? ctx.store.batches.head(batchId)?.name ?? 'task', text: task?.text ?? '' }
}

/** The analysis's operation, while it runs here. */
export const running = (ctx: AnalysisContext, analysisId: string) => ctx.operations.running('analysis', analysisId)[0]

/** How the analysts reach a model: the API, or `claude -p` (tests: their own port). */
export async function portFor(ctx: AnalysisContext, via: Analysis['via'], claudePath?: string): Promise<ModelPort> {
  if (ctx.port) return ctx.port
  if (via === 'claude-cli') return claudeCliModel({ claudePath, env: ctx.env })
  return apiModel(await ctx.apiAccess())
}

/** What an analysis was started with: its operation's parameters, else what the analysis itself says. */
export async function paramsOf(ctx: AnalysisContext, a: Analysis): Promise<AnalysisParams> {
  const p = (await ctx.operations.lastParams('analysis', a.id)) ?? {}
  const claudePath = typeof p.claudePath === 'string' ? p.claudePath : undefined
  const outcomes = VerificationOutcomesSchema.safeParse(p.outcomes)
  const seed = a.seed ?? (Number.isInteger(p.seed) ? (p.seed as number) : undefined)
  return {
    batchId: a.batchId,
    via: a.via,
    model: a.model,
    mergeModel: a.mergeModel,
    deepenSkillId: a.deepenSkillId,
    ...(claudePath ? { claudePath } : {}),
    ...(outcomes.success ? { outcomes: outcomes.data } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(typeof p.intoSkillId === 'string' ? { intoSkillId: p.intoSkillId } : {}),
    ...(typeof p.versionLabel === 'string' ? { versionLabel: p.versionLabel } : {})
  }
}

/** Where an analysis's claude -p evidence folders are made (removed when its analysts end). */
export const evidenceRoot = (ctx: AnalysisContext, analysisId: string) => join(ctx.store.dataDir, 'evidence', analysisId)

/** An evidence folder that could not be removed stays on disk (copies of sessions): it is logged, and the next start removes it. */
export const removeEvidence = (ctx: AnalysisContext, analysisId: string) =>
  removeEvidenceFolder(evidenceRoot(ctx, analysisId)).catch((e) =>
    ctx.log.warn({ analysisId, error: errorFields(e) }, 'an evidence folder could not be removed')
  )

/** The app's own secret values (its environment's, the API key in use): taken out of what the models read. */
export const literals = (ctx: AnalysisContext) =>
  appSecretsOf(ctx).catch((e) => {
    // appSecretsOf already goes on without a key (none set: none to take out); anything else is logged, and the environment's are taken out still
    ctx.log.warn({ error: errorFields(e) }, "the app's secret values could not all be read; the environment's are taken out")
    return secretLiterals(ctx.env)
  })

/** What an analysis is started (or estimated) with. */
export interface StartAnalysis {
  batchId: string
  via?: Analysis['via']
  model?: string
  mergeModel?: string
  deepenSkillId?: string
  existingSkillMd?: string
  claudePath?: string
  /** the mobile screenshots too */
  mobile?: boolean
  /** what the analysts should know of how the batch's runs were made (a verification's arms and pairs), computed by the caller */
  notes?: string
  /** deepen from a verification: what it showed of the deepened skill's rules, computed by the caller; kept with the operation, read by the merge */
  outcomes?: VerificationOutcomes
  /**
   * the runs go to the analysts, and their rules to the merge, in this seed's order (deterministic for
   * the seed); without one, in run order as always
   */
  seed?: number
  /** save the merged skill as a new version of this existing skill: learned from the batch from scratch (not deepened), its name kept */
  intoSkillId?: string
  /** the label of the version the merge saves (a retry's says it was merged again) */
  versionLabel?: string
}
