/**
 * Contract handlers for step 2 (grading, signals, comparing runs): thin adapters from the requests to
 * the review domain (src/main/review/service.ts). Electron-free.
 */
import type { Handlers } from './dispatch'
import { createReviewService, type ReviewContext } from '../review/service'

export type { ReviewContext }

type ReviewHandlers = Pick<Handlers, 'saveFeedback' | 'exportFeedback' | 'importFeedback' | 'getSignals' | 'compareFiles'>

export function createReviewHandlers(ctx: ReviewContext): ReviewHandlers {
  const review = createReviewService(ctx)
  return {
    saveFeedback: ({ runId, label, text }) => review.saveFeedback(runId, label, text),
    exportFeedback: ({ batchId }) => review.exportFeedback(batchId),
    importFeedback: ({ batchId, text }) => review.importFeedback(batchId, text),
    getSignals: ({ batchId }) => review.signals(batchId),
    compareFiles: ({ runA, runB }) => review.compareFiles(runA, runB)
  }
}
