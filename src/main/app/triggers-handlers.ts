/**
 * Contract handlers for triggering (issue 23): a thin adapter from the requests to the triggers
 * service (src/main/triggers/service.ts). Electron-free.
 */
import type { TriggersContext } from '../triggers/context'
import { createTriggersService, type TriggersService } from '../triggers/service'
import type { Handlers } from './dispatch'

/** The triggers service and the handlers over it. */
export function createTriggersHandlers(ctx: TriggersContext): { service: TriggersService; handlers: TriggersHandlers } {
  const service = createTriggersService(ctx)
  return { service, handlers: handlersOver(service) }
}

type TriggersHandlers = Pick<
  Handlers,
  | 'getTriggers'
  | 'saveTriggerQueries'
  | 'writeNearMisses'
  | 'estimateTriggers'
  | 'measureTriggers'
  | 'optimizeDescription'
  | 'cancelTriggers'
  | 'saveOptimisedDescription'
>

function handlersOver(triggers: TriggersService): TriggersHandlers {
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
