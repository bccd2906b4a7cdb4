/**
 * The triggers page's cache entries (issue 23): a skill's view (getTriggers) kept current by the
 * triggersProgress event and by the mutations' answers. A measurement or an optimisation pushed is
 * put in its place in the view (a new one first); once it ends, the view and the estimates are read
 * again (the cost per decision is now measured; the optimiser may have saved a version).
 */
import type { QueryClient } from '@tanstack/react-query'
import type { EventPayload } from '@shared/contract'
import type { Optimisation, TriggerMeasure, TriggersView } from '@shared/triggers'
import { apiKey, apiKeyPrefix } from './keys'

/** Newest first, as the view lists them. */
const newestFirst = <T extends { startedAt: string }>(a: T, b: T) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0)

function upsertById<T extends { id: string; startedAt: string }>(list: T[], item: T): T[] {
  return list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? item : x)) : [item, ...list].sort(newestFirst)
}

/** A measurement or an optimisation as it now is, into its skill's view; an ended one reads the view again. */
export function putTriggersProgress(client: QueryClient, p: EventPayload<'triggersProgress'>): void {
  const key = apiKey('getTriggers', { skillId: p.skillId })
  const before = client.getQueryData<TriggersView>(key)
  let ended = false
  if (p.measure) {
    const was = before?.measures.find((m) => m.id === p.measure!.id)
    ended ||= p.measure.state !== 'running' && (!was || was.state === 'running')
  }
  if (p.optimisation) {
    const was = before?.optimisations.find((o) => o.id === p.optimisation!.id)
    ended ||= p.optimisation.state !== 'running' && (!was || was.state === 'running')
  }
  client.setQueryData<TriggersView>(key, (old) =>
    old
      ? {
          ...old,
          measures: p.measure ? upsertById(old.measures, p.measure) : old.measures,
          optimisations: p.optimisation ? upsertById(old.optimisations, p.optimisation) : old.optimisations
        }
      : old
  )
  if (ended) triggersChanged(client, p.skillId)
}

/** A measurement started (measureTriggers' answer). */
export function putTriggerMeasure(client: QueryClient, m: TriggerMeasure): void {
  putTriggersProgress(client, { skillId: m.skillId, measure: m })
}

/** An optimisation started (optimizeDescription's answer). */
export function putOptimisation(client: QueryClient, o: Optimisation): void {
  putTriggersProgress(client, { skillId: o.skillId, optimisation: o })
}

/** The view as saved (saveTriggerQueries, writeNearMisses): the set changed, so did the estimates. */
export function putTriggersView(client: QueryClient, view: TriggersView): void {
  client.setQueryData(apiKey('getTriggers', { skillId: view.skillId }), view)
  void client.invalidateQueries({ queryKey: apiKeyPrefix('estimateTriggers', { skillId: view.skillId }) })
}

/** Something of a skill's triggers changed on main's side: its view and estimates are read again. */
export function triggersChanged(client: QueryClient, skillId: string): void {
  void client.invalidateQueries({ queryKey: apiKeyPrefix('getTriggers', { skillId }) })
  void client.invalidateQueries({ queryKey: apiKeyPrefix('estimateTriggers', { skillId }) })
}
