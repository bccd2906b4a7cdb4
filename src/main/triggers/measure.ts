/** STUB (helper "measure" replaces this file): measuring a description through claude -p, stopped at the decision. */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { TriggerMeasure } from '../../shared/triggers'
import type { MeasureDescription, TriggersContext } from './context'

export function measureDescription(_ctx: TriggersContext): MeasureDescription {
  return async () => {
    throw fail('not built yet', 'internal')
  }
}

export async function startMeasure(
  _ctx: TriggersContext,
  _input: RequestInput<'measureTriggers'>,
  _measure: MeasureDescription
): Promise<TriggerMeasure> {
  throw fail('not built yet', 'internal')
}
