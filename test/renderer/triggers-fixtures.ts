/**
 * What the triggers page's tests are answered with: a skill's view (queries, rivals, measurements,
 * optimisations), a measurement, an optimisation and an estimate, each as the contract's schemas
 * parse them.
 */
import { vi } from 'vitest'
import type { EventName, EventPayload } from '../../src/shared/contract'
import {
  OptimisationSchema,
  TriggerMeasureSchema,
  TriggersEstimateSchema,
  TriggersViewSchema,
  type Decision,
  type DecisionKind,
  type Optimisation,
  type Round,
  type Scores,
  type TriggerMeasure,
  type TriggerQuery,
  type TriggersEstimate,
  type TriggersView
} from '../../src/shared/triggers'
import type { ApiMock } from './render-app'

export const AT = '2026-01-02T10:00:00.000Z'

export const QUERIES: TriggerQuery[] = [
  { id: 'q1', prompt: 'Build a landing page for a bakery', should: true, source: 'batch', variationId: 'v1' },
  { id: 'q2', prompt: 'A landing page for Acme Bank <img src=x onerror=alert(1)>', should: true, source: 'verification' },
  { id: 'q3', prompt: 'Landing page for a dentist, one screen', should: true, source: 'batch', variationId: 'v3' },
  { id: 'q4', prompt: 'Fix the typo in the landing page README', should: false, source: 'near-miss', variationId: 'v4' }
]

export const view = (over: Partial<TriggersView> = {}): TriggersView =>
  TriggersViewSchema.parse({
    skillId: 's1',
    name: 'landing-pages',
    description: 'Build landing pages that work.',
    queries: QUERIES,
    rivals: [],
    measures: [],
    optimisations: [],
    ...over
  })

const decision = (kind: DecisionKind, tool?: string): Decision => ({
  kind,
  turns: 1,
  tokens: 900,
  usd: 0.01,
  ms: 1200,
  ...(tool ? { tool } : {})
})
const decisions = (...kinds: (DecisionKind | [DecisionKind, string])[]) =>
  kinds.map((k) => (Array.isArray(k) ? decision(k[0], k[1]) : decision(k)))

/**
 * A measurement of the four queries, 3 runs each: q1 loaded 3 of 3, q2 2 of 3 (once it answered), q3 0
 * of 3 (another tool twice, another skill once), q4 (a near miss) 2 of 3. By hand: recall 2 of 3 should-trigger
 * prompts (q1, q2), false triggers 1 of 1 near miss (q4).
 */
export const measure = (over: Partial<TriggerMeasure> = {}): TriggerMeasure =>
  TriggerMeasureSchema.parse({
    id: 'm1',
    skillId: 's1',
    versionId: 'ver1',
    version: 1,
    name: 'landing-pages',
    description: 'Build landing pages that work.',
    repeats: 3,
    state: 'done',
    startedAt: AT,
    endedAt: AT,
    results: [
      { queryId: 'q1', should: true, decisions: decisions('loaded', 'loaded', 'loaded') },
      { queryId: 'q2', should: true, decisions: decisions('loaded', 'answer', 'loaded') },
      { queryId: 'q3', should: true, decisions: decisions(['other-tool', 'Write'], ['other-tool', 'Bash'], ['other-skill', 'web-pages']) },
      { queryId: 'q4', should: false, decisions: decisions('loaded', 'loaded', 'answer') }
    ],
    done: 12,
    total: 12,
    usd: 0.12,
    rivals: [],
    ...over
  })

export const scores = (loaded: number, should: number, falseLoaded: number, shouldNot: number): Scores => ({
  recall: should ? loaded / should : null,
  falseRate: shouldNot ? falseLoaded / shouldNot : null,
  should,
  loaded,
  shouldNot,
  falseLoaded
})

export const round = (n: number, train: Scores, test: Scores, description: string, why?: string): Round => ({
  round: n,
  description,
  ...(why ? { why } : {}),
  train,
  test,
  measureId: `om${n}`,
  usd: 0.2
})

/** Three rounds: round 1 wins on training, round 2 on the held-out split (the pick). */
export const optimisation = (over: Partial<Optimisation> = {}): Optimisation =>
  OptimisationSchema.parse({
    id: 'o1',
    skillId: 's1',
    versionId: 'ver1',
    version: 1,
    seed: 23,
    rounds: 5,
    repeats: 3,
    train: ['q1', 'q3', 'q4'],
    test: ['q2'],
    state: 'done',
    startedAt: AT,
    endedAt: AT,
    done: [
      round(0, scores(1, 2, 1, 1), scores(0, 1, 0, 0), 'Build landing pages that work.'),
      round(1, scores(2, 2, 0, 1), scores(0, 1, 0, 0), 'Landing pages: bakery, dentist pages.', 'names the failed prompts'),
      round(
        2,
        scores(1, 2, 0, 1),
        scores(1, 1, 0, 0),
        'Build a landing page (a one-screen marketing page for a business) when asked for a landing page; not for editing READMEs or fixing typos in docs.',
        'general words for the task, the near misses ruled out'
      )
    ],
    best: 2,
    bestWhy: 'picked by the held-out split: round 2 loads 1 of 1 held-out should-trigger prompts and 0 near misses',
    usd: 0.6,
    ...over
  })

export const estimate = (over: Partial<TriggersEstimate> = {}): TriggersEstimate =>
  TriggersEstimateSchema.parse({ queries: 4, repeats: 3, decisions: 12, usd: 0.12, basis: 'default', rivals: [], ...over })

/** The events pushed to the page, by hand: `push('triggersProgress', {...})`. */
export function eventsOf(api: ApiMock) {
  const listeners = new Map<EventName, (p: unknown) => void>()
  api.on.mockImplementation((event: EventName, fn: (p: unknown) => void) => {
    listeners.set(event, fn)
    return () => {}
  })
  return <E extends EventName>(event: E, payload: EventPayload<E>) => listeners.get(event)!(payload)
}

/** A promise to settle by hand (a request still in flight). */
export function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: Error) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject, fn: vi.fn(() => promise) }
}
