/**
 * The run settings of work done for a skill (a verification's runs, a trigger query's): the newest of
 * the batches given (those the skill was learned from) unless all its runs were imported, else the
 * app's defaults; then the person's. Electron-free.
 */
import { RunSettingsSchema, type RunSettings } from '../../shared/runs'
import type { VerifySettings } from '../../shared/verify'
import type { Store } from '../store/store'

export async function settingsFor(
  ctx: { store: Pick<Store, 'batches'> },
  batchIds: string[],
  over: VerifySettings = {}
): Promise<RunSettings> {
  const last = batchIds.length ? await ctx.store.batches.get(batchIds[batchIds.length - 1]) : undefined
  const base = last && !Object.values(last.runs).every((r) => r.imported) ? last.batch.settings : RunSettingsSchema.parse({})
  const defined = Object.fromEntries(Object.entries(over).filter(([, x]) => x !== undefined))
  // each run is planned one by one (repeats: 1); with the app's Claude Code settings only, so no skill
  // of the user's own folder can stand in for the one under test
  return RunSettingsSchema.parse({ ...base, ...defined, repeats: 1, useMyClaudeSettings: undefined })
}
