/**
 * Contract handlers for the rubric and the grader: a thin adapter from the requests to the grading
 * service (src/main/grading/service.ts). Electron-free.
 */
import { createGradingService, type GradingDeps } from '../grading/service'
import type { Handlers } from './dispatch'

export function createGradingHandlers(deps: GradingDeps) {
  const grading = createGradingService(deps)
  return {
    grading,
    handlers: {
      buildRubric: ({ batchId, ...choice }) => grading.buildRubric(batchId, choice),
      getRubric: ({ batchId }) => grading.getRubric(batchId),
      editRubric: ({ rubricId, edit, baseVersionId }) => grading.edit(rubricId, edit, baseVersionId),
      cancelRubric: async ({ batchId }) => ({ cancelled: grading.cancelRubric(batchId) }),
      estimateGrader: ({ batchId, ...choice }) => grading.estimate(batchId, choice),
      startGrader: ({ batchId, ...choice }) => grading.start(batchId, choice),
      getGrader: ({ graderId }) => grading.get(graderId),
      latestGrader: ({ batchId }) => grading.latest(batchId),
      cancelGrader: async ({ graderId }) => ({ cancelled: grading.cancel(graderId) }),
      startPregrade: ({ batchId, ...choice }) => grading.pregrade.start(batchId, choice),
      getPregrade: ({ batchId }) => grading.pregrade.get(batchId),
      cancelPregrade: async ({ batchId }) => ({ cancelled: grading.pregrade.cancel(batchId) })
    } satisfies Partial<Handlers>
  }
}
