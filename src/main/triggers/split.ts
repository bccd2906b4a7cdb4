/**
 * The optimiser's fixed split of a query set (issue 23): 60% to train on (the proposer sees only their
 * failures), 40% held out (the pick is made on them alone), stratified by should / should-not so both
 * sides hold both kinds. The same queries and seed always give the same split, whatever order the set
 * is in. Pure.
 */
import { seededShuffle } from '../../shared/shuffle'
import type { TriggerQuery } from '../../shared/triggers'

/** The seed every optimisation splits with (recorded on it). */
export const SPLIT_SEED = 23
/** The share held out. */
export const HELD_OUT = 0.4

/**
 * How many of a stratum of n are held out: 40% rounded, at least one once there are 2 (so each kind is
 * measured on held-out queries), never all (so the proposer has some of each kind to learn from).
 */
export function heldOutOf(n: number): number {
  if (n < 2) return 0
  return Math.min(n - 1, Math.max(1, Math.round(n * HELD_OUT)))
}

export interface Split<Q> {
  train: Q[]
  test: Q[]
}

/** Split queries 60/40 by kind with a seed; each side keeps the set's order. */
export function splitQueries<Q extends Pick<TriggerQuery, 'id' | 'should'>>(queries: readonly Q[], seed = SPLIT_SEED): Split<Q> {
  const held = new Set<string>()
  for (const should of [true, false]) {
    // by id first: the split does not depend on the order the set was saved in
    const stratum = queries
      .filter((q) => q.should === should)
      .map((q) => q.id)
      .sort()
    const order = seededShuffle(stratum, seed, should ? 1 : 2)
    for (const id of order.slice(0, heldOutOf(stratum.length))) held.add(id)
  }
  return { train: queries.filter((q) => !held.has(q.id)), test: queries.filter((q) => held.has(q.id)) }
}
