/**
 * A seeded order: the same seed gives the same order, another seed (almost always) another one. An
 * analysis started with a seed gives its runs to the analysts, and their rules to the merge, in its
 * seed's order, so analyses of the same runs with different seeds read the evidence in different
 * orders (as the Trace2Skill paper's evolution seeds do). Pure.
 */

/** A seeded generator (mulberry32): each call a whole number from 0 to n - 1. */
export function seededInt(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const x = ((t ^ (t >>> 14)) >>> 0) / 4294967296
    return Math.floor(x * n)
  }
}

/** A copy of `list` in the seed's order (Fisher-Yates); `salt` gives another order from the same seed (a second list shuffled with it). */
export function seededShuffle<T>(list: readonly T[], seed: number, salt = 0): T[] {
  const random = seededInt(Math.imul(seed >>> 0, 0x9e3779b1) ^ salt)
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** `list` in the seed's order, or as it is without a seed. */
export const inSeedOrder = <T>(list: readonly T[], seed: number | undefined, salt = 0): T[] =>
  seed === undefined ? [...list] : seededShuffle(list, seed, salt)
