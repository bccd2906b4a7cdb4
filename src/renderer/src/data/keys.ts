/**
 * Query keys: a request's name and its input (`['getBatch', { batchId }]`), so one request with one
 * input is one cache entry, whichever view asks. A key with part of an input (`['getSignals', {
 * batchId }]`) or only a name (`['listSessions']`) matches every entry it is part of.
 */
import type { RequestInput, RequestName } from '@shared/contract'

/** Requests that only read: cached, shared by every view, kept current by events and mutations. */
export const READS = [
  'getAppInfo',
  'listProjects',
  'listFolders',
  'listSessions',
  'searchSessions',
  'searchBatch',
  'getTrace',
  'getImage',
  'listTasks',
  'getVariations',
  'getModelAccess',
  'checkClaude',
  'checkSandbox',
  'inspectTemplate',
  'listBatches',
  'getBatch',
  'exportFeedback',
  'getSignals',
  'compareFiles',
  'estimateAnalysis',
  'getAnalysis',
  'listAnalyses',
  'listSkills',
  'getSkill',
  'getSkillVersion',
  'diffSkillVersions',
  'planSkillExport',
  'getScreenshot',
  'getRunTexts',
  'estimateVerification',
  'estimateCandidates',
  'estimateConfirmation',
  'getVerification',
  'listVerifications',
  'getRubric',
  'estimateGrader',
  'getGrader',
  'latestGrader',
  'getPregrade',
  'getTriggers',
  'estimateTriggers'
] as const satisfies readonly RequestName[]

export type ReadName = (typeof READS)[number]
/** Requests that change something (or ask the person, like pickFolder): mutations. */
export type WriteName = Exclude<RequestName, ReadName>

export type ApiKey<N extends RequestName = RequestName> = readonly [N, RequestInput<N>]
export type PartialKey<N extends RequestName = RequestName> = readonly [N] | readonly [N, Partial<RequestInput<N>>]

export function apiKey<N extends RequestName>(name: N, input: RequestInput<N>): ApiKey<N> {
  return [name, input] as const
}

/** Every cached entry of `name` whose input includes `input` (all of them without it). */
export function apiKeyPrefix<N extends RequestName>(name: N, input?: Partial<RequestInput<N>>): PartialKey<N> {
  return input === undefined ? ([name] as const) : ([name, input] as const)
}

/**
 * How long a read stays fresh. Live entries (kept current by pushed events and by the mutations that
 * change them, or that never change) are read once; the rest are read again when a view that shows
 * them opens (showing what is cached meanwhile), as a view used to do on its own.
 */
export const FRESH_FOR: Partial<Record<ReadName, number>> = {
  getAppInfo: Infinity,
  checkSandbox: Infinity,
  getTrace: Infinity,
  getImage: Infinity,
  getScreenshot: Infinity,
  getSignals: Infinity,
  compareFiles: Infinity,
  getAnalysis: Infinity,
  getSkill: Infinity,
  getSkillVersion: Infinity,
  diffSkillVersions: Infinity,
  getVariations: Infinity,
  getModelAccess: Infinity
}

/** Client-side state fed only by pushed events (no request behind it). */
export const eventKey = {
  indexProgress: ['event', 'indexProgress'] as const,
  notices: ['event', 'notices'] as const
}
