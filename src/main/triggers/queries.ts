/** STUB (helper "measure" replaces this file): a skill's query set and the page's view. */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { TriggersView } from '../../shared/triggers'
import type { TriggersContext } from './context'

export async function triggersView(_ctx: TriggersContext, _skillId: string): Promise<TriggersView> {
  throw fail('not built yet', 'internal')
}

export async function saveQueries(_ctx: TriggersContext, _input: RequestInput<'saveTriggerQueries'>): Promise<TriggersView> {
  throw fail('not built yet', 'internal')
}
