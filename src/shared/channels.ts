/**
 * The names of the contract's requests and events, and their IPC channels: what the sandboxed preload
 * needs of the contract (src/preload/bridge.ts), without its schemas (zod and every schema would make
 * the preload ten times its size). contract.ts checks at compile time that these lists are exactly its
 * requests' and events' names, so a request added there and not here fails the typecheck.
 */

export const REQUEST_NAMES = [
  'getAppInfo',
  'listProjects',
  'pickFolder',
  'listFolders',
  'openFolder',
  'listSessions',
  'searchSessions',
  'searchBatch',
  'getTrace',
  'getImage',
  'pinSession',
  'startIndex',
  'cancelJob',
  'listTasks',
  'saveTask',
  'deleteTask',
  'inspectTemplate',
  'getVariations',
  'saveVariations',
  'generateVariations',
  'proposeVariations',
  'regenerateVariation',
  'getModelAccess',
  'setApiKey',
  'setBaseUrl',
  'checkClaude',
  'checkSandbox',
  'createBatch',
  'startBatch',
  'cancelRun',
  'cancelBatch',
  'retryRuns',
  'listBatches',
  'getBatch',
  'importSessions',
  'saveFeedback',
  'exportFeedback',
  'importFeedback',
  'getSignals',
  'compareFiles',
  'startAnalysis',
  'estimateAnalysis',
  'getAnalysis',
  'listAnalyses',
  'cancelAnalyst',
  'cancelAnalysis',
  'retryAnalyst',
  'listSkills',
  'getSkill',
  'saveSkill',
  'reverseConflict',
  'getSkillVersion',
  'diffSkillVersions',
  'restoreSkillVersion',
  'planSkillExport',
  'exportSkill',
  'retakeScreenshots',
  'estimateVerification',
  'startVerification',
  'getVerification',
  'listVerifications',
  'estimateConfirmation',
  'startConfirmation',
  'cancelVerification',
  'resumeVerification',
  'explainVerification',
  'estimateCandidates',
  'makeCandidates',
  'deepenFromVerification',
  'promoteSkillVersion',
  'getTriggers',
  'saveTriggerQueries',
  'writeNearMisses',
  'estimateTriggers',
  'measureTriggers',
  'optimizeDescription',
  'cancelTriggers',
  'saveOptimisedDescription',
  'getScreenshot',
  'getRunTexts',
  'buildRubric',
  'getRubric',
  'editRubric',
  'cancelRubric',
  'estimateGrader',
  'startGrader',
  'getGrader',
  'latestGrader',
  'cancelGrader',
  'startPregrade',
  'getPregrade',
  'cancelPregrade',
  'confirmPregrade',
  'acceptSurePregrades',
  'undoAcceptPregrades'
] as const
export const EVENT_NAMES = [
  'indexProgress',
  'projectsChanged',
  'sessionsChanged',
  'notice',
  'runProgress',
  'batchProgress',
  'analysisProgress',
  'verificationProgress',
  'rubricChanged',
  'graderProgress',
  'pregradeProgress',
  'triggersProgress'
] as const

export type RequestName = (typeof REQUEST_NAMES)[number]
export type EventName = (typeof EVENT_NAMES)[number]

const REQUESTS = new Set<string>(REQUEST_NAMES)
const EVENTS = new Set<string>(EVENT_NAMES)

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && REQUESTS.has(name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && EVENTS.has(name)
}

/** The IPC channel a request or event travels on. */
export const channelOf = (name: RequestName | EventName): string => `t2s:${name}`
