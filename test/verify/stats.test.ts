/**
 * The verification's statistics on constructed tables where the answer is known by hand: Wilson
 * intervals, the exact sign test on discordant pairs, and the paired comparison (all ties, all one
 * way, small n, by difficulty).
 */
import { describe, expect, it } from 'vitest'
import { compareByDifficulty, comparePairs, passRate, signTest, wilson, type Pair } from '../../src/main/verify/stats'

const pair = (key: string, without: boolean, withSkill: boolean, difficulty?: string): Pair => ({
  key,
  without,
  with: withSkill,
  difficulty
})

describe('verification statistics', () => {
  it('Wilson intervals, computed by hand', () => {
    // 5 of 10: centre 0.5, half-width 1.96/1.3841 * sqrt(0.025 + 0.0096) = 0.2634
    const half = wilson(5, 10)!
    expect(half.low).toBeCloseTo(0.2366, 4)
    expect(half.high).toBeCloseTo(0.7634, 4)
    // all or nothing: the interval stays inside 0..1 and is not a point
    expect(wilson(10, 10)!.low).toBeCloseTo(0.7225, 4)
    expect(wilson(10, 10)!.high).toBe(1)
    expect(wilson(0, 10)!.low).toBe(0)
    expect(wilson(0, 10)!.high).toBeCloseTo(0.2775, 4)
    // one run says little
    expect(wilson(1, 1)!.low).toBeCloseTo(0.2065, 4)
    expect(wilson(0, 0)).toBeNull()
    expect(passRate(0, 0)).toEqual({ passed: 0, n: 0, rate: null, ci: null })
    expect(() => wilson(3, 2)).toThrow(/not a count/)
  })

  it('the exact sign test on the pairs that disagree', () => {
    expect(signTest(0, 0)).toBe(1)
    expect(signTest(3, 3)).toBe(1)
    // 5 fixed, none broken: 2 x 0.5^5
    expect(signTest(5, 0)).toBeCloseTo(0.0625, 12)
    expect(signTest(0, 5)).toBeCloseTo(0.0625, 12)
    // 6 to 1: 2 x (1 + 7) / 128
    expect(signTest(6, 1)).toBeCloseTo(0.125, 12)
    // 10 to 0: 2 / 1024
    expect(signTest(10, 0)).toBeCloseTo(0.001953125, 12)
    // large and balanced stays near 1, never above
    expect(signTest(100, 100)).toBe(1)
    expect(signTest(60, 40)).toBeCloseTo(0.0569, 3)
  })

  it('all ties: no difference and nothing to test', () => {
    const c = comparePairs([pair('v1', true, true), pair('v2', false, false), pair('v3', true, true)])
    expect(c).toMatchObject({ pairs: 3, fixed: [], broken: [], ties: 3, p: 1, difference: 0 })
    expect(c.with.rate).toBeCloseTo(2 / 3, 12)
    expect(c.without.rate).toBeCloseTo(2 / 3, 12)
  })

  it('all one way: every disagreement is a fix', () => {
    const pairs = Array.from({ length: 8 }, (_, i) => pair(`v${i + 1}`, false, true))
    const c = comparePairs([...pairs, pair('v9', true, true)])
    expect(c.fixed).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8'])
    expect(c.broken).toEqual([])
    expect(c.p).toBeCloseTo(2 / 256, 12)
    expect(c.with).toMatchObject({ passed: 9, n: 9, rate: 1 })
    expect(c.without).toMatchObject({ passed: 1, n: 9 })
    expect(c.difference).toBeCloseTo(8 / 9, 12)
  })

  it('small n, mixed: fixed and broken named, and the split by difficulty', () => {
    const pairs = [
      pair('v1', false, true, 'hard'),
      pair('v2', true, false, 'easy'),
      pair('v3', false, true, 'hard'),
      pair('v4', true, true, 'easy')
    ]
    const c = comparePairs(pairs)
    expect(c).toMatchObject({ fixed: ['v1', 'v3'], broken: ['v2'], ties: 1 })
    // 2 to 1: 2 x (1 + 3) / 8 = 1
    expect(c.p).toBe(1)
    const by = compareByDifficulty(pairs)
    expect([...by.keys()]).toEqual(['hard', 'easy'])
    expect(by.get('hard')).toMatchObject({ pairs: 2, fixed: ['v1', 'v3'], broken: [], p: 0.5 })
    expect(by.get('easy')).toMatchObject({ pairs: 2, fixed: [], broken: ['v2'], ties: 1, p: 1 })
    expect(comparePairs([])).toMatchObject({ pairs: 0, difference: null, p: 1 })
  })
})
