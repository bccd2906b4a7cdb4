/**
 * A skill's running measurement or optimisation (one at a time, an operation of kind 'triggers' on the
 * skill): refusing a second, cancelling it (every claude run ends), and at start-up what a stopped app
 * left: its measurements and optimisations still 'running' become 'interrupted', and the query runs'
 * folders go. Electron-free.
 */
import { rm } from 'node:fs/promises'
import { fail } from '../../shared/contract'
import { errorFields } from '../log/log'
import type { TriggersContext } from './context'
import { queryRunsRoot } from './query-run'

const INTERRUPTED = 'interrupted: the app stopped'

/** Refused when the skill is being measured or optimised (call it just before starting: no await between). */
export function refuseBusy(ctx: Pick<TriggersContext, 'operations'>, skillId: string): void {
  if (ctx.operations.running('triggers', skillId).length)
    throw fail("this skill's description is already being measured or optimised: wait for it to finish, or cancel it", 'busy')
}

/** Stop the skill's measurement or optimisation; resolves once every run has ended and its state is saved. */
export async function cancelTriggers(ctx: TriggersContext, skillId: string): Promise<{ cancelled: boolean }> {
  const ops = ctx.operations.running('triggers', skillId)
  for (const op of ops) ctx.operations.cancel(op.id)
  await Promise.all(ops.map((op) => op.done))
  return { cancelled: ops.length > 0 }
}

export async function recoverTriggers(ctx: TriggersContext): Promise<void> {
  const endedAt = new Date().toISOString()
  for (const skillId of ctx.store.triggers.running()) {
    try {
      const doc = await ctx.store.triggers.get(skillId)
      for (const m of Object.values(doc?.measures ?? {}))
        if (m.state === 'running') await ctx.store.triggers.putMeasure({ ...m, state: 'interrupted', error: INTERRUPTED, endedAt })
      for (const o of Object.values(doc?.optimisations ?? {}))
        if (o.state === 'running') await ctx.store.triggers.putOptimisation({ ...o, state: 'interrupted', error: INTERRUPTED, endedAt })
    } catch (e) {
      ctx.log.error({ skillId, error: errorFields(e) }, 'a measurement left running could not be marked interrupted')
    }
  }
  // the folders of query runs a stopped app left (their processes end by their watchdog)
  await rm(queryRunsRoot(ctx.store.dataDir), { recursive: true, force: true }).catch((e) =>
    ctx.log.warn({ error: errorFields(e) }, "query runs' leftover folders could not be removed")
  )
}
