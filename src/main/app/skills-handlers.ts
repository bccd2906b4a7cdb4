/**
 * Contract handlers for steps 3 and 4: a thin adapter from the requests to the analysis service
 * (src/main/analysts/service.ts: analysts and merge, as operations) and the skill service
 * (src/main/skills/service.ts: versions, save, export). Electron-free.
 */
import { errorFields, silentLog, type Log } from '../log/log'
import type { Trace } from '../../shared/trace'
import type { ImagePool } from '../analysts/image-pool'
import { createAnalysisService, type CandidatesInput, type CandidatesOptions, type StartAnalysis } from '../analysts/service'
import type { ModelPort } from '../analysts/model'
import type { Operations } from '../operations/registry'
import { createSkillService } from '../skills/service'
import type { Store } from '../store/store'
import type { EventSink, Handlers } from './dispatch'

export interface SkillsContext {
  store: Store
  emit: EventSink
  operations: Operations
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** the API key and base URL; throws a clear error when there is no key */
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  env: NodeJS.ProcessEnv
  /** Claude Code's config folder in use (`$CLAUDE_CONFIG_DIR` or `~/.claude`): the exported analysts read sessions there */
  configDir?: string
  /** tests: a model port instead of the real ones */
  port?: ModelPort
  /** where the analysts' screenshots are prepared (default: on the calling thread) */
  images?: ImagePool
  /** what the analysts should know of how a batch's runs were made (a verification's arms): read here, for each estimate, start and retry, and given to the analysis */
  batchNotes?(batchId: string): Promise<string | undefined>
  /** the app's log */
  log?: Log
}

export function createSkillsHandlers(ctx: SkillsContext) {
  const skills = createSkillService({ store: ctx.store, configDir: ctx.configDir })
  const analyses = createAnalysisService({ ...ctx, skills })
  const log = ctx.log ?? silentLog()
  /** The notes of a batch: when they cannot be made, the analysis goes on without them (logged). */
  const notesOf = async (batchId: string | undefined): Promise<string | undefined> => {
    if (!ctx.batchNotes || !batchId) return undefined
    try {
      return await ctx.batchNotes(batchId)
    } catch (e) {
      log.warn({ batchId, error: errorFields(e) }, "a batch's notes for the analysts could not be made; the analysis goes on without them")
      return undefined
    }
  }
  /** Start an analysis with the notes of its batch (a verification's deepening starts here too). */
  const startAnalysis = async (input: Omit<StartAnalysis, 'notes'>) => analyses.start({ ...input, notes: await notesOf(input.batchId) })

  /** Candidates (N seeded analyses into one skill) and their estimate, with the notes of their batch as an analysis has them. */
  const buildCandidates = async (input: Omit<CandidatesInput, 'notes'>, opts: CandidatesOptions) =>
    analyses.buildCandidates({ ...input, notes: await notesOf(input.batchId) }, opts)
  const estimateCandidates = async (input: Omit<CandidatesInput, 'notes'>) =>
    analyses.estimateCandidates({ ...input, notes: await notesOf(input.batchId) })

  return {
    analyses,
    skills,
    startAnalysis,
    buildCandidates,
    estimateCandidates,
    handlers: {
      estimateAnalysis: async (input) => analyses.estimate({ ...input, notes: await notesOf(input.batchId) }),
      startAnalysis,
      getAnalysis: ({ analysisId }) => analyses.analysisOf(analysisId),
      listAnalyses: ({ batchId }) => analyses.list(batchId),
      cancelAnalyst: async ({ analysisId, kind }) => analyses.cancelAnalyst(analysisId, kind),
      cancelAnalysis: async ({ analysisId }) => analyses.cancel(analysisId),
      retryAnalyst: async ({ analysisId, kind }) =>
        analyses.retryAnalyst(analysisId, kind, { notes: await notesOf(ctx.store.analyses.head(analysisId)?.batchId) }),
      listSkills: () => skills.list(),
      getSkill: async ({ skillId }) => skills.viewOf(await skills.skillOf(skillId)),
      saveSkill: ({ skillId, patch, label }) => skills.save(skillId, patch, label),
      reverseConflict: ({ skillId, conflictId }) => skills.reverseConflict(skillId, conflictId),
      getSkillVersion: ({ versionId }) => skills.version(versionId),
      diffSkillVersions: ({ a, b }) => skills.diff(a, b),
      restoreSkillVersion: ({ versionId }) => skills.restore(versionId),
      promoteSkillVersion: ({ versionId }) => skills.promote(versionId),
      planSkillExport: ({ skillId, folder }) => skills.planExport(skillId, folder),
      exportSkill: ({ skillId, folder, acceptFlagged }) => skills.export(skillId, folder, { acceptFlagged })
    } satisfies Partial<Handlers>
  }
}
