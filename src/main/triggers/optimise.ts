/** STUB (helper "optimise" replaces this file): the description optimiser and saving its pick. */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { Optimisation } from '../../shared/triggers'
import type { SkillView } from '../../shared/contract'
import type { MeasureDescription, TriggersContext } from './context'

export async function startOptimisation(
  _ctx: TriggersContext,
  _input: RequestInput<'optimizeDescription'>,
  _measure: MeasureDescription
): Promise<Optimisation> {
  throw fail('not built yet', 'internal')
}

export async function saveOptimised(_ctx: TriggersContext, _input: RequestInput<'saveOptimisedDescription'>): Promise<SkillView> {
  throw fail('not built yet', 'internal')
}
