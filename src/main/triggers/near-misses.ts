/** STUB (helper "rivals" replaces this file): near misses asked of the variation writer, added to the set. */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { TriggersView } from '../../shared/triggers'
import type { TriggersContext } from './context'

export async function writeNearMisses(_ctx: TriggersContext, _input: RequestInput<'writeNearMisses'>): Promise<TriggersView> {
  throw fail('not built yet', 'internal')
}
