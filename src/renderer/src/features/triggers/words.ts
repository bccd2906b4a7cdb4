/**
 * How the triggers page says its figures: the shared ones (scoresOf, queryRate in src/shared/triggers.ts),
 * never counted again here, in the words the CLI uses ("9 of 12 should-trigger prompts loaded it (75%)").
 */
import { counts, LOADS_AT, queryRate, type DecisionKind, type QueryResult, type QuerySource, type Scores } from '@shared/triggers'
import { count } from '../../lib/format'
import { pct } from '../../lib/verify'

export const SOURCE_WORDS: Record<QuerySource, string> = {
  batch: 'a variation of its batch',
  verification: 'written by a verification',
  'near-miss': 'a near-miss variation',
  writer: 'written as a near miss',
  person: 'added by you'
}

export const SOURCE_BADGE: Record<QuerySource, string> = {
  batch: 'batch',
  verification: 'verification',
  'near-miss': 'near-miss variation',
  writer: 'writer',
  person: 'yours'
}

/** What a run decided at its first step. */
export const DECISION_WORDS: Record<DecisionKind, string> = {
  loaded: 'loaded it',
  'other-skill': 'another skill',
  'other-tool': 'another tool',
  answer: 'answered',
  ended: 'ended',
  error: 'failed',
  cancelled: 'cancelled'
}

/** "9 of 12 should-trigger prompts loaded it (75%)" */
export const recallText = (s: Scores) =>
  s.recall === null
    ? 'no should-trigger prompt measured'
    : `${s.loaded} of ${count(s.should, 'should-trigger prompt')} loaded it (${pct(s.recall)})`

/** "1 of 8 near misses loaded it (13%)" */
export const falseText = (s: Scores) =>
  s.falseRate === null
    ? 'no near miss measured'
    : `${s.falseLoaded} of ${count(s.shouldNot, 'near miss', 'near misses')} loaded it (${pct(s.falseRate)})`

/** A table cell: "75% (9/12)". */
export const recallCell = (s: Scores) => (s.recall === null ? '—' : `${pct(s.recall)} (${s.loaded}/${s.should})`)
export const falseCell = (s: Scores) => (s.falseRate === null ? '—' : `${pct(s.falseRate)} (${s.falseLoaded}/${s.shouldNot})`)

/** A query's result: its rate (queryRate), "2 of 3" loaded, whether it loads the skill (rate >= LOADS_AT), and its decisions by kind. */
export function queryLine(r: QueryResult) {
  const rate = queryRate(r)
  const counted = r.decisions.filter(counts)
  const loaded = counted.filter((d) => d.kind === 'loaded').length
  const kinds = new Map<DecisionKind, number>()
  for (const d of r.decisions) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1)
  const loads = rate !== null && rate >= LOADS_AT
  return {
    rate,
    loads,
    /** as it should: a should-trigger prompt that loads it, a near miss that does not */
    right: rate === null ? null : loads === r.should,
    text: rate === null ? 'not measured' : `${loaded} of ${counted.length}`,
    kinds: [...kinds].map(([k, n]) => `${DECISION_WORDS[k]} ${n}`).join(' · ')
  }
}
