/** STUB (helper "measure" replaces this file): cancel and recovery of a skill's measurement or optimisation. */
import type { TriggersContext } from './context'

export async function cancelTriggers(_ctx: TriggersContext, _skillId: string): Promise<{ cancelled: boolean }> {
  return { cancelled: false }
}

export async function recoverTriggers(_ctx: TriggersContext): Promise<void> {}
