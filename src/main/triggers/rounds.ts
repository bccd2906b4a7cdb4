/**
 * The optimiser's figures (issue 23), pure: a round's results split into training and held-out scores,
 * a perfect training split (the loop stops), the training failures the proposer is shown, and the pick:
 * by the held-out split only, never the training score. Shared by the loop and its tests.
 */
import { LOADS_AT, queryRate, scoreOf, scoresOf, type QueryResult, type Round, type Scores } from '../../shared/triggers'

/** A round's results split by the optimisation's fixed split. */
export function splitResults(results: QueryResult[], train: ReadonlySet<string>, test: ReadonlySet<string>) {
  const tr = results.filter((r) => train.has(r.queryId))
  const te = results.filter((r) => test.has(r.queryId))
  return { trainResults: tr, train: scoresOf(tr), test: scoresOf(te) }
}

/** Every should-trigger query loads it and no near miss does. */
export const perfect = (s: Scores) => s.recall === 1 && (s.falseRate ?? 0) === 0

/** The training split's failures: should-trigger queries that did not load it, near misses that did (ids). */
export function failuresOf(results: QueryResult[]): { missed: string[]; falseLoads: string[] } {
  const missed: string[] = []
  const falseLoads: string[] = []
  for (const r of results) {
    const rate = queryRate(r)
    if (rate === null) continue
    if (r.should && rate < LOADS_AT) missed.push(r.queryId)
    if (!r.should && rate >= LOADS_AT) falseLoads.push(r.queryId)
  }
  return { missed, falseLoads }
}

/** The cost of a round's decisions. */
export const resultsUsd = (results: QueryResult[]) => results.reduce((n, r) => n + r.decisions.reduce((m, d) => m + d.usd, 0), 0)

const frac = (n: number, of: number) => `${n}/${of}`
const held = (s: Scores) => `held-out recall ${frac(s.loaded, s.should)}, false triggers ${frac(s.falseLoaded, s.shouldNot)}`

/**
 * The pick: the highest held-out score (recall minus false-trigger rate); ties go to fewer held-out false
 * triggers, then the earlier round (so the version's own keeps a tie). The training scores are never read.
 */
export function pickBest(rounds: Pick<Round, 'round' | 'test'>[]): { best: number; why: string } | undefined {
  if (!rounds.length) return undefined
  let best = rounds[0]
  for (const r of rounds.slice(1)) {
    const d = scoreOf(r.test) - scoreOf(best.test)
    if (d > 1e-9 || (Math.abs(d) <= 1e-9 && r.test.falseLoaded < best.test.falseLoaded)) best = r
  }
  const own = rounds.find((r) => r.round === 0)
  const tried = rounds.filter((r) => r.round > 0).length
  if (best.round === 0)
    return {
      best: 0,
      why: tried
        ? `None of the ${tried} proposed description${tried === 1 ? '' : 's'} beat the version's own on the held-out queries (${held(best.test)}).`
        : `No description was proposed; the version's own has ${held(best.test)}.`
    }
  return {
    best: best.round,
    why: `Round ${best.round} did best on the held-out queries: ${held(best.test)}${own ? `, against the version's own ${frac(own.test.loaded, own.test.should)} and ${frac(own.test.falseLoaded, own.test.shouldNot)}` : ''} (picked by the held-out queries only, never the training ones).`
  }
}
