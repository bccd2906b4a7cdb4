/**
 * What measuring and optimising a description check and gather before anything runs: no other work on
 * the skill, the version and its skill as a query run installs it, the query set, the runs' settings
 * (refused when its preset cannot work here), and the cost against the cap. Electron-free.
 */
import { fail, type RequestInput } from '../../shared/contract'
import { DEFAULT_REPEATS } from '../../shared/triggers'
import { checkName } from '../skills/export'
import type { TriggersContext } from './context'
import { DEFAULT_CAP_USD, estimateOf, roundsMeasured } from './estimate'
import { currentQueries } from './queries'
import { refuseBusy } from './running'
import { settingsOf, skillUnderTest } from './skill'

type WorkInput = RequestInput<'measureTriggers'> | RequestInput<'optimizeDescription'>

/** The skill, its version, what a run installs of it, the set, the repeats and the settings; refused as said above (the set is the caller's to check). */
export async function prepareWork(ctx: TriggersContext, input: WorkInput) {
  refuseBusy(ctx, input.skillId)
  const { skill, version } = await ctx.skills.skillVersion(input.skillId, input.versionId)
  const own = skillUnderTest(version)
  checkName(own.name, 'skill name')
  const { queries } = await currentQueries(ctx, skill.id)
  const repeats = input.repeats ?? DEFAULT_REPEATS
  const settings = await settingsOf(ctx, skill, input.settings)
  return { skill, version, own, queries, repeats, settings }
}

/** Refused when the runs' preset cannot work here, or the estimate (every round measured in full, for `rounds`) is over the cap. */
export async function refuseUnaffordable(
  ctx: TriggersContext,
  w: Awaited<ReturnType<typeof prepareWork>>,
  o: { capUsd?: number; rounds?: number }
): Promise<void> {
  const can = await ctx.driver.presetAvailability(w.settings.permission, ctx.env)
  if (!can.available) throw fail(ctx.driver.refusal(w.settings.permission, can), 'preset-unavailable')
  const est = await estimateOf(ctx, { skillId: w.skill.id, queries: w.queries, repeats: w.repeats, rounds: o.rounds, settings: w.settings })
  const cap = o.capUsd ?? DEFAULT_CAP_USD
  if (est.usd <= cap) return
  const what = o.rounds
    ? `optimising would cost about $${est.usd.toFixed(2)} (${est.decisions} decisions: ${w.queries.length} queries x ${w.repeats} repeats x ${roundsMeasured(o.rounds)} rounds at most)`
    : `measuring would cost about $${est.usd.toFixed(2)} (${est.decisions} decisions)`
  throw fail(
    `${what}, over the cap of $${cap.toFixed(2)}: raise the cap, or ${o.rounds ? 'use fewer rounds, repeats or queries' : 'measure fewer queries or repeats'}`,
    'invalid'
  )
}
