/**
 * The triggers service (issue 23): a skill's query set, measuring its description through the real
 * `claude -p` stopped at the decision, optimising it on a training split picked by the held-out one,
 * and the rivals (same-name and competing skills) named before measuring. A thin composition of the
 * domain's parts; the contract's handlers (src/main/app/triggers-handlers.ts) call it. Electron-free.
 */
import type { RequestInput } from '../../shared/contract'
import type { TriggersContext } from './context'
import { estimateTriggers } from './estimate'
import { measureDescription, startMeasure } from './measure'
import { writeNearMisses } from './near-misses'
import { saveOptimised, startOptimisation } from './optimise'
import { saveQueries, triggersView } from './queries'
import { cancelTriggers, recoverTriggers } from './running'

export type TriggersService = ReturnType<typeof createTriggersService>

export function createTriggersService(ctx: TriggersContext) {
  const measure = measureDescription(ctx)
  return {
    /** the page's view of a skill: queries (the default set until the person saves one), rivals, measurements, optimisations */
    view: (skillId: string) => triggersView(ctx, skillId),
    saveQueries: (input: RequestInput<'saveTriggerQueries'>) => saveQueries(ctx, input),
    writeNearMisses: (input: RequestInput<'writeNearMisses'>) => writeNearMisses(ctx, input),
    estimate: (input: RequestInput<'estimateTriggers'>) => estimateTriggers(ctx, input),
    measure: (input: RequestInput<'measureTriggers'>) => startMeasure(ctx, input, measure),
    optimize: (input: RequestInput<'optimizeDescription'>) => startOptimisation(ctx, input, measure),
    saveOptimised: (input: RequestInput<'saveOptimisedDescription'>) => saveOptimised(ctx, input),
    cancel: (skillId: string) => cancelTriggers(ctx, skillId),
    /** at start-up: measurements and optimisations a stopped app left running become interrupted */
    recover: () => recoverTriggers(ctx)
  }
}
