/**
 * The statistics of a verification (issue 13, step 5: runs of the same variations with and without a
 * skill, graded blind): pass rates with a 95% Wilson interval, and the paired comparison, counting the
 * variations the skill fixed (bad without, good with) and broke (good without, bad with), with an exact
 * two-sided sign test on those discordant pairs (McNemar's exact test). Ties tell nothing about the
 * difference and are left out of the test, as McNemar's test does. Pure; Electron-free.
 */

/** The normal quantile for a two-sided 95% interval. */
const Z95 = 1.959963984540054

export interface Interval {
  low: number
  high: number
}

/** The Wilson score interval of `successes` out of `n` (null when there is nothing to measure). */
export function wilson(successes: number, n: number, z = Z95): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || n < 0 || successes < 0 || successes > n)
    throw new Error(`not a count: ${successes} of ${n}`)
  if (n === 0) return null
  const p = successes / n
  const z2 = z * z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  // at 0 of n and n of n the bound is exactly 0 or 1 (the arithmetic can miss it by a rounding)
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) }
}

export interface PassRate {
  passed: number
  n: number
  /** passed / n (null when n is 0) */
  rate: number | null
  ci: Interval | null
}

export function passRate(passed: number, n: number): PassRate {
  return { passed, n, rate: n ? passed / n : null, ci: wilson(passed, n) }
}

const logFact = (() => {
  const cache = [0]
  return (n: number) => {
    for (let i = cache.length; i <= n; i++) cache[i] = cache[i - 1] + Math.log(i)
    return cache[n]
  }
})()

/**
 * The exact two-sided sign test: the chance, if the skill made no difference, of a split of the
 * `fixed + broken` discordant pairs at least as uneven as this one. 1 when there are none.
 */
export function signTest(fixed: number, broken: number): number {
  const n = fixed + broken
  if (n === 0) return 1
  const k = Math.min(fixed, broken)
  let tail = 0
  for (let i = 0; i <= k; i++) tail += Math.exp(logFact(n) - logFact(i) - logFact(n - i) - n * Math.LN2)
  return Math.min(1, 2 * tail)
}

/** One variation (and repeat) run in both arms, both graded: good is true. */
export interface Pair {
  /** what names the pair for people, e.g. "variation 4, repeat 2" */
  key: string
  difficulty?: string
  without: boolean
  with: boolean
}

export interface Comparison {
  pairs: number
  without: PassRate
  with: PassRate
  /** with minus without, in pass rate (null when there are no pairs) */
  difference: number | null
  /** bad without the skill, good with it */
  fixed: string[]
  /** good without the skill, bad with it */
  broken: string[]
  /** both good or both bad */
  ties: number
  /** the exact sign test on the fixed and broken pairs */
  p: number
}

export function comparePairs(pairs: Pair[]): Comparison {
  const fixed = pairs.filter((p) => !p.without && p.with).map((p) => p.key)
  const broken = pairs.filter((p) => p.without && !p.with).map((p) => p.key)
  const n = pairs.length
  const without = passRate(pairs.filter((p) => p.without).length, n)
  const withSkill = passRate(pairs.filter((p) => p.with).length, n)
  return {
    pairs: n,
    without,
    with: withSkill,
    difference: n ? withSkill.rate! - without.rate! : null,
    fixed,
    broken,
    ties: n - fixed.length - broken.length,
    p: signTest(fixed.length, broken.length)
  }
}

/** The comparison for each difficulty (pairs without one under "unknown"), in the order first seen. */
export function compareByDifficulty(pairs: Pair[]): Map<string, Comparison> {
  const groups = new Map<string, Pair[]>()
  for (const p of pairs) groups.set(p.difficulty ?? 'unknown', [...(groups.get(p.difficulty ?? 'unknown') ?? []), p])
  return new Map([...groups].map(([d, list]) => [d, comparePairs(list)]))
}
