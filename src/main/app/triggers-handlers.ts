/**
 * Contract handlers for triggering (issue 23): a thin adapter from the requests to the triggers
 * service (src/main/triggers/service.ts). Electron-free.
 */
import type { TriggersService } from '../triggers/service'
import type { Handlers } from './dispatch'

export function createTriggersHandlers(
  triggers: TriggersService
): Pick<
  Handlers,
  | 'getTriggers'
  | 'saveTriggerQueries'
  | 'writeNearMisses'
  | 'estimateTriggers'
  | 'measureTriggers'
  | 'optimizeDescription'
  | 'cancelTriggers'
  | 'saveOptimisedDescription'
> {
  return {
    getTriggers: ({ skillId }) => triggers.view(skillId),
    saveTriggerQueries: (input) => triggers.saveQueries(input),
    writeNearMisses: (input) => triggers.writeNearMisses(input),
    estimateTriggers: (input) => triggers.estimate(input),
    measureTriggers: (input) => triggers.measure(input),
    optimizeDescription: (input) => triggers.optimize(input),
    cancelTriggers: ({ skillId }) => triggers.cancel(skillId),
    saveOptimisedDescription: (input) => triggers.saveOptimised(input)
  }
}
