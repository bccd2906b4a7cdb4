/**
 * What a verification graded blind keeps to itself at the service's edge: the events pushed without
 * what tells a run's arm, and its batch's signals without their numbers (src/main/verify/blind.ts
 * says what is blind). Electron-free.
 */
import type { Run } from '../../shared/runs'
import type { Verification } from '../../shared/verify'
import type { Handlers } from '../../shared/contract'
import { batchSignals } from '../analysts/signals'
import type { Store } from '../store/store'
import type { Blindness } from '../verify/blind'
import type { EventHub, EventSink } from './dispatch'

/**
 * The hub as everything else sees it: a run of a blind verification is pushed without what tells its
 * arm (its session, numbers, the tool it is in), a blind verification without its arms, and its
 * runs' session files changing not at all.
 */
export function blindEvents(hub: EventHub, blind: Blindness): EventHub {
  const emit: EventSink = (event, payload) => {
    const p = payload as { run?: Run; verification?: Verification; projectId?: string }
    if (event === 'runProgress' && p.run) return hub.emit('runProgress', { run: blind.run(p.run) })
    if (event === 'verificationProgress' && p.verification)
      return hub.emit('verificationProgress', { verification: blind.verification(p.verification) })
    // a blind run's session changing (its file written as it runs) is not announced: its id would be tied to the run by the moment
    if (event === 'sessionsChanged' && p.projectId && blind.ofProject({ id: p.projectId })) return
    hub.emit(event, payload)
  }
  return { subscribe: hub.subscribe, emit }
}

/** A blind verification's signals: each run without its numbers (they tell the arms apart), and none for the batch. */
export async function blindSignals(store: Store, batchId: string): ReturnType<Handlers['getSignals']> {
  const doc = await store.batches.get(batchId)
  const runs = doc ? store.batches.runsOf(doc) : []
  return {
    runs: runs.map((r) => ({
      runId: r.id,
      number: r.number,
      metrics: null,
      warning: 'graded blind: its numbers show once every run is graded'
    })),
    batch: batchSignals([])
  }
}
