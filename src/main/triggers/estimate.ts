/** STUB (helper "measure" replaces this file): what measuring or optimising would cost. */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { TriggersEstimate } from '../../shared/triggers'
import type { TriggersContext } from './context'

export async function estimateTriggers(_ctx: TriggersContext, _input: RequestInput<'estimateTriggers'>): Promise<TriggersEstimate> {
  throw fail('not built yet', 'internal')
}
