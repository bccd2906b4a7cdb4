/**
 * Issue 23, `triggers <skill>`: does Claude Code load the skill when it should, and not otherwise? Names
 * the rivals first (same-name skills that shadow it, installed skills that compete for its queries),
 * prints the estimate, measures the description of version N (each query x repeats through `claude -p`,
 * stopped at the decision; progress on stderr; Ctrl+C cancels), then per query its rate, and recall and
 * the false-trigger rate.
 */
import { queryRate, scoresOf, type Rival, type TriggerMeasure, type TriggersEstimate, type TriggersView } from '../../../shared/triggers'
import type { VerifySettings } from '../../../shared/verify'
import { claudePath, int, preset, type Opts } from '../args'
import type { Client } from '../client'
import { call, oneLineOf, plural, UsageError } from '../common'
import { verb, type Ctx } from '../context'
import { follow } from '../follow'
import { money, pct, skillVersionOf } from '../verification'
import { until } from '../wait'

interface TriggersArgs {
  version?: number
  repeats?: number
  settings: VerifySettings
  capUsd?: number
}

function triggersArgs(o: Opts): TriggersArgs {
  if (o.skillVersion !== undefined && !/^[1-9]\d{0,5}$/.test(o.skillVersion))
    throw new UsageError(`--version takes a version number of the skill (1, 2, ...), not ${o.skillVersion}`)
  let capUsd: number | undefined
  if (o.cap !== undefined) {
    capUsd = Number(o.cap)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(o.cap) || !(capUsd > 0) || capUsd > 10_000)
      throw new UsageError(`--cap takes US dollars, more than 0 (such as 5), not ${o.cap}`)
  }
  const given: VerifySettings = {
    concurrency: int('concurrency', o.concurrency, 1, 16),
    model: o.model,
    claudePath: claudePath(o),
    permission: preset(o)
  }
  return {
    ...(o.skillVersion !== undefined ? { version: Number(o.skillVersion) } : {}),
    repeats: int('repeats', o.repeats, 1, 10),
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings,
    ...(capUsd !== undefined ? { capUsd } : {})
  }
}

/** One rival in a line: what it is and where, in the rival's own sentence. */
export const rivalLine = (r: Rival) =>
  `  ${r.kind === 'same-name' ? 'same name' : `competes (${plural(r.queries ?? 0, 'query', 'queries')})`}: ${oneLineOf(r.message, 1000)}`

const rateOf = (x: number | null) => (x === null ? 'n/a' : pct(x))

/** A measurement in words: per query (should / should-not, its rate, its prompt cut short), then recall and false triggers. */
export function measureText(m: TriggerMeasure, prompts: Map<string, string>): string {
  const s = scoresOf(m.results)
  const lines = [
    `measured ${m.name}${m.version ? ` version ${m.version}` : ''}: ${plural(m.results.length, 'query', 'queries')} x ${plural(m.repeats, 'repeat')} (${m.state}${m.error ? `: ${oneLineOf(m.error, 300)}` : ''}), ${money(m.usd)}`
  ]
  for (const r of m.results) {
    const counted = r.decisions.filter((d) => d.kind !== 'error' && d.kind !== 'cancelled')
    const loaded = counted.filter((d) => d.kind === 'loaded').length
    const errors = r.decisions.filter((d) => d.kind === 'error').length
    const rate = queryRate(r)
    lines.push(
      `  ${(r.should ? 'should' : 'should-not').padEnd(10)} ${`${loaded}/${counted.length}`.padStart(5)} ${rateOf(rate).padStart(4)}${errors ? ` (${plural(errors, 'error')})` : ''}  ${oneLineOf(prompts.get(r.queryId) ?? r.queryId, 100)}`
    )
  }
  lines.push(
    `recall: ${s.should ? `${s.loaded} of ${plural(s.should, 'should-trigger query', 'should-trigger queries')} load it (${rateOf(s.recall)})` : 'n/a (no should-trigger query measured)'}`,
    `false triggers: ${s.shouldNot ? `${s.falseLoaded} of ${plural(s.shouldNot, 'near miss', 'near misses')} load it (${rateOf(s.falseRate)})` : 'n/a (no near miss measured)'}`
  )
  return lines.join('\n')
}

/** Events this recent say the measurement is running: the view is not asked. */
const QUIET_MS = 2000

/** The measurement, once it is no longer running (asked at each of its events, and every few seconds). */
const measureOf = async (client: Client, skillId: string, id: string) =>
  (await call<TriggersView>(client, 'getTriggers', { skillId })).measures.find((m) => m.id === id)

async function triggersCommand(ctx: Ctx, skillArg: string, a: TriggersArgs): Promise<number> {
  const { client, io, print } = ctx
  const { skill, name, version } = await skillVersionOf(client, skillArg, a.version, 'measure it')
  const input = {
    skillId: skill.id,
    versionId: version.id,
    ...(a.repeats !== undefined ? { repeats: a.repeats } : {}),
    ...(Object.keys(a.settings).length ? { settings: a.settings } : {}),
    ...(a.capUsd !== undefined ? { capUsd: a.capUsd } : {})
  }
  const est = await call<TriggersEstimate>(client, 'estimateTriggers', input)
  // the rivals before anything runs
  if (est.rivals.length) io.err(`rivals of ${oneLineOf(name, 200)}:`)
  for (const r of est.rivals) io.err(rivalLine(r))
  io.err(
    `measure when Claude Code loads ${oneLineOf(name, 200)} version ${version.number}: ${plural(est.queries, 'query', 'queries')} x ${plural(est.repeats, 'repeat')} = ${plural(est.decisions, 'decision')}, each run stopped at its decision`
  )
  io.err(
    `estimate: about ${money(est.usd)} (${est.basis === 'measured' ? "from this skill's earlier measurements" : 'a default cost per decision'})`
  )

  let shown = -1
  let state = { done: 0, total: est.decisions, usd: 0 }
  // the last event's state: the view (which looks for rivals on disk) is asked only when events are quiet
  let said: { id: string; state: TriggerMeasure['state']; at: number } | undefined
  const live = io.status?.start(() => `measuring: ${state.done}/${state.total} decisions, ${money(state.usd)}`)
  const id = await follow({
    io,
    client,
    live,
    onEvent: (event, payload) => {
      if (event !== 'triggersProgress') return
      const m = (payload as { skillId: string; measure?: TriggerMeasure }).measure
      if (!m || m.skillId !== skill.id) return
      said = { id: m.id, state: m.state, at: Date.now() }
      // the last event may be the one that ends it: its count is said too
      state = { done: m.done, total: m.total, usd: m.usd }
      live?.changed()
      // a pipe or a log: a line at each tenth
      const tenth = m.total ? Math.floor((m.done * 10) / m.total) : 0
      if (!io.status?.live && tenth !== shown) io.err(`measuring: ${m.done}/${m.total} decisions, ${money(m.usd)}`)
      shown = tenth
    },
    start: async () =>
      (
        await call<TriggerMeasure>(client, 'measureTriggers', input).catch((err: Error & { code?: string }) => {
          throw err.code === 'preset-unavailable' ? new Error(`${err.message} Pass --preset accept-edits to run without it.`) : err
        })
      ).id,
    cancel: () => call(client, 'cancelTriggers', { skillId: skill.id }),
    cancelling: () => 'cancelling the measurement',
    ended: (measureId) =>
      until(
        client,
        (event, payload) => event === 'triggersProgress' && (payload as { skillId: string }).skillId === skill.id,
        async () => {
          if (said?.id === measureId && said.state !== 'running') return true
          if (said?.id === measureId && Date.now() - said.at < QUIET_MS) return false
          return (await measureOf(client, skill.id, measureId))?.state !== 'running'
        }
      )
  })
  const triggers = await call<TriggersView>(client, 'getTriggers', { skillId: skill.id })
  const m = triggers.measures.find((x) => x.id === id)
  if (!m) throw new Error(`the measurement ${id} is gone`)
  const prompts = new Map(triggers.queries.map((q) => [q.id, q.prompt]))
  print(
    { ...m, scores: scoresOf(m.results), prompts: Object.fromEntries(m.results.map((r) => [r.queryId, prompts.get(r.queryId) ?? null])) },
    () =>
      [
        measureText(m, prompts),
        ...(m.state === 'done'
          ? [`next: trace2skill optimize ${name} (proposes better descriptions from the failures and picks one on held-out queries)`]
          : [])
      ].join('\n')
  )
  if (m.state !== 'done') {
    io.err(`trace2skill: the measurement did not finish: ${m.state}${m.error ? ` (${oneLineOf(m.error, 300)})` : ''}`)
    return 1
  }
  return 0
}

const triggers = verb<TriggersArgs>({
  name: 'triggers',
  args: { n: 1, what: 'a skill (its id or name)' },
  options: ['repeats', 'concurrency', 'model', 'claude', 'preset', 'cap', 'json'],
  readOnly: false,
  prepare: (_args, o) => triggersArgs(o),
  run: (ctx, [skill], _o, a) => triggersCommand(ctx, skill, a)
})

export const triggersVerbs = [triggers]
