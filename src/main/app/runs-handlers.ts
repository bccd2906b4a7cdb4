/**
 * Contract handlers for step 1 (tasks, variations, batches, imported sessions, screenshots): thin
 * adapters from the requests to the runs domain (src/main/runs/service.ts). Electron-free.
 */
import type { Handlers } from './dispatch'
import { createRunsService, type RunsContext } from '../runs/service'

// where model access lives now; kept here for the app service and the Electron shell
export { createModelAccess, memorySecrets, type SecretStore } from '../runs/access'

type RunHandlers = Pick<
  Handlers,
  | 'listTasks'
  | 'saveTask'
  | 'deleteTask'
  | 'inspectTemplate'
  | 'getVariations'
  | 'saveVariations'
  | 'generateVariations'
  | 'proposeVariations'
  | 'regenerateVariation'
  | 'getModelAccess'
  | 'setApiKey'
  | 'setBaseUrl'
  | 'checkClaude'
  | 'checkSandbox'
  | 'createBatch'
  | 'startBatch'
  | 'cancelRun'
  | 'cancelBatch'
  | 'retryRuns'
  | 'listBatches'
  | 'getBatch'
  | 'importSessions'
  | 'getScreenshot'
  | 'retakeScreenshots'
  | 'getRunTexts'
>

export function createRunHandlers(ctx: RunsContext): RunHandlers {
  const runs = createRunsService(ctx)
  return {
    listTasks: () => runs.listTasks(),
    saveTask: (input) => runs.saveTask(input),
    deleteTask: ({ id }) => runs.deleteTask(id),
    inspectTemplate: ({ taskId }) => runs.inspectTemplate(taskId),
    getVariations: ({ taskId }) => runs.variations(taskId),
    saveVariations: ({ taskId, variations }) => runs.saveVariations(taskId, variations),
    generateVariations: ({ taskId, mix, model }) => runs.generateVariations(taskId, mix, model),
    proposeVariations: ({ task, mix, model }) => runs.proposeVariations(task, mix, model),
    regenerateVariation: ({ taskId, variationId, model }) => runs.regenerateVariation(taskId, variationId, model),
    getModelAccess: () => runs.modelAccess(),
    setApiKey: ({ key }) => runs.setApiKey(key),
    setBaseUrl: ({ baseUrl }) => runs.setBaseUrl(baseUrl),
    checkClaude: ({ path }) => runs.checkClaude(path),
    checkSandbox: () => runs.checkSandbox(),
    createBatch: ({ taskId, settings, name, includeNearMiss }) => runs.createBatch(taskId, settings, name, includeNearMiss),
    startBatch: ({ batchId }) => runs.startBatch(batchId),
    cancelRun: async ({ runId }) => ({ cancelled: await runs.cancelRun(runId) }),
    cancelBatch: async ({ batchId }) => ({ cancelled: await runs.cancelBatch(batchId) }),
    retryRuns: ({ batchId, runIds }) => runs.retryRuns(batchId, runIds),
    listBatches: ({ taskId }) => runs.listBatches(taskId),
    getBatch: ({ batchId }) => runs.batch(batchId),
    importSessions: ({ batchId, name, sessions }) => runs.importSessions(sessions, { batchId, name }),
    retakeScreenshots: ({ runId }) => runs.retakeScreenshots(runId),
    getScreenshot: ({ runId, file }) => runs.screenshot(runId, file),
    getRunTexts: ({ runId }) => runs.runTexts(runId)
  }
}
