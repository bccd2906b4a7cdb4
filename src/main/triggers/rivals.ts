/** STUB (helper "rivals" replaces this file): same-name skills that shadow it, other skills whose descriptions compete. */
import type { Rival, TriggerQuery } from '../../shared/triggers'
import type { TriggersContext } from './context'

export async function findRivals(
  _ctx: TriggersContext,
  _o: { skillId: string; name: string; description: string; queries: TriggerQuery[] }
): Promise<Rival[]> {
  return []
}
