/**
 * `optimize <skill>` (issue 23): the description optimiser. The skill's query set split 60/40 (fixed
 * seed), round 0 measures the version's own description, then up to --rounds descriptions proposed from
 * the training queries' failures, each measured on both splits; prints each round on stderr as it is
 * measured, then the table (recall and false-trigger rate on training and held-out queries), the round
 * chosen by the held-out queries and why; saves it as a new version of the skill unless --dry-run.
 * Ctrl+C cancels it (every claude run and model call).
 */
import type { EventPayload, SkillView } from '../../../shared/contract'
import type { Optimisation, TriggersEstimate, TriggersView } from '../../../shared/triggers'
import type { VerifySettings } from '../../../shared/verify'
import { claudePath, int, preset, type Opts } from '../args'
import { call, oneLineOf, plural, UsageError } from '../common'
import { verb, type Ctx } from '../context'
import { follow } from '../follow'
import { optimisationText, roundLine } from '../optimisation'
import { skillVersionOf } from '../verification'
import { until } from '../wait'

export interface OptimizeArgs {
  skill: string
  version?: number
  rounds?: number
  repeats?: number
  dryRun: boolean
  capUsd?: number
  settings: VerifySettings
}

/** `optimize`'s arguments, checked before the data folder is opened. */
export function optimizeArgs(skill: string, o: Opts): OptimizeArgs {
  if (o.skillVersion !== undefined && !/^[1-9]\d{0,5}$/.test(o.skillVersion))
    throw new UsageError(`--version takes a version number of the skill (1, 2, ...), not ${o.skillVersion}`)
  const given: VerifySettings = {
    concurrency: int('concurrency', o.concurrency, 1, 16),
    maxTurns: int('max-turns', o.maxTurns, 1, 1000),
    model: o.model,
    claudePath: claudePath(o),
    permission: preset(o)
  }
  let capUsd: number | undefined
  if (o.cap !== undefined) {
    capUsd = Number(o.cap)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(o.cap) || !(capUsd > 0) || capUsd > 10_000)
      throw new UsageError(`--cap takes US dollars, more than 0 and at most 10000 (such as 25), not ${o.cap}`)
  }
  return {
    skill,
    ...(capUsd !== undefined ? { capUsd } : {}),
    ...(o.skillVersion !== undefined ? { version: Number(o.skillVersion) } : {}),
    rounds: int('rounds', o.rounds, 1, 10),
    repeats: int('repeats', o.repeats, 1, 10),
    dryRun: !!o.dryRun,
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings
  }
}

const optimisationOf = async (ctx: Ctx, skillId: string, id: string): Promise<Optimisation> => {
  const view = await call<TriggersView>(ctx.client, 'getTriggers', { skillId })
  const o = view.optimisations.find((x) => x.id === id)
  if (!o) throw new Error(`the optimisation ${id} is gone`)
  return o
}

async function optimizeCommand(ctx: Ctx, a: OptimizeArgs): Promise<number> {
  const { client, io } = ctx
  const { skill, name, version } = await skillVersionOf(client, a.skill, a.version, 'optimise it')
  const input = {
    skillId: skill.id,
    versionId: version.id,
    ...(a.rounds !== undefined ? { rounds: a.rounds } : {}),
    ...(a.repeats !== undefined ? { repeats: a.repeats } : {}),
    ...(a.capUsd !== undefined ? { capUsd: a.capUsd } : {}),
    settings: a.settings
  }
  const est = await call<TriggersEstimate>(client, 'estimateTriggers', input)
  io.err(
    `optimise the description of ${oneLineOf(name, 200)} version ${version.number}: ${plural(est.queries, 'query', 'queries')} x ${plural(est.repeats, 'repeat')} a round, up to ${plural(a.rounds ?? 5, 'round')} after its own; at most ${plural(est.decisions, 'decision')}, ${est.basis === 'measured' ? 'about' : 'roughly'} $${est.usd.toFixed(2)}`
  )
  for (const r of est.rivals) io.err(`warning: ${oneLineOf(r.message, 500)}`)
  const said = new Set<number>()
  let id = ''
  const say = (o: Optimisation) => {
    for (const r of o.done)
      if (!said.has(r.round)) {
        said.add(r.round)
        io.err(roundLine(r))
        if (r.round > 0) io.err(`  ${JSON.stringify(oneLineOf(r.description, 1100))}`)
      }
  }
  await follow({
    io,
    client,
    onEvent: (event, payload) => {
      const p = payload as EventPayload<'triggersProgress'>
      if (event === 'triggersProgress' && p.optimisation && p.optimisation.id === id) say(p.optimisation)
    },
    start: async () => {
      const o = await call<Optimisation>(client, 'optimizeDescription', input)
      id = o.id
      io.err(
        `optimisation ${o.id}: ${plural(o.train.length, 'training query', 'training queries')}, ${o.test.length} held out; the pick is made on the held-out ones`
      )
      return o.id
    },
    cancel: () => call(client, 'cancelTriggers', { skillId: skill.id }),
    cancelling: (x) => `cancelling optimisation ${x} (every claude run and model call)`,
    ended: (x) =>
      until(
        client,
        (event, payload) => event === 'triggersProgress' && (payload as EventPayload<'triggersProgress'>).optimisation?.id === x,
        async () => (await optimisationOf(ctx, skill.id, x)).state !== 'running'
      )
  })
  const o = await optimisationOf(ctx, skill.id, id)
  say(o)
  let saved: { versionId: string; number: number } | null = null
  let note = ''
  if (o.state !== 'done') note = `not saved: the optimisation ${o.state === 'failed' ? 'failed' : `was ${o.state}`}`
  else if (!o.best) note = "not saved: no proposed description beat the version's own on the held-out queries"
  else if (a.dryRun) note = `not saved (--dry-run): round ${o.best}`
  else {
    const after = await call<SkillView>(client, 'saveOptimisedDescription', { optimisationId: o.id })
    if (after.unchangedSince !== undefined) note = `not saved: version ${after.unchangedSince} already has that description`
    else {
      const v = after.versions.reduce((x, y) => (y.number > x.number ? y : x))
      saved = { versionId: v.id, number: v.number }
      note = `saved as version ${v.number} of ${oneLineOf(name, 200)} ("description from optimisation round ${o.best}")`
    }
  }
  ctx.print({ optimisation: o, saved }, () => `${optimisationText(o, name)}\n${note}`)
  return o.state === 'done' ? 0 : 1
}

const optimize = verb<OptimizeArgs>({
  name: 'optimize',
  args: { n: 1, what: 'a skill (its id or name)' },
  options: ['rounds', 'repeats', 'dryRun', 'cap', 'concurrency', 'maxTurns', 'model', 'claude', 'preset', 'json'],
  readOnly: false,
  prepare: ([skill], o) => optimizeArgs(skill, o),
  run: (ctx, _args, _o, a) => optimizeCommand(ctx, a)
})

export const optimizeVerbs = [optimize]
