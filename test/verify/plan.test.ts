/**
 * A verification's runs, planned: each variation and repeat once per arm, the arms interleaved pair by
 * pair (repeat 1 of every variation first), numbered from a random permutation so a number tells
 * nothing about an arm; the same prompt and nothing else in both runs of a pair.
 */
import { describe, expect, it } from 'vitest'
import { planVerificationRuns, seededInt, shuffledNumbers } from '../../src/main/verify/plan'

const variations = Array.from({ length: 10 }, (_, i) => ({
  difficulty: (['easy', 'normal', 'hard', 'adversarial'] as const)[i % 4],
  prompt: `Build page ${i + 1}`
}))

describe('planning a verification', () => {
  it('one run per variation, repeat and arm; pairs side by side in the queue, repeat 1 first', () => {
    const { runs, arms } = planVerificationRuns('b1', variations, 2, seededInt(1))
    expect(runs).toHaveLength(40)
    for (let i = 0; i < runs.length; i += 2) {
      const a = arms[runs[i].id]
      const b = arms[runs[i + 1].id]
      expect(a.variation).toBe(b.variation)
      expect(a.repeat).toBe(b.repeat)
      expect([a.arm, b.arm].sort()).toEqual(['with', 'without'])
      // what the deck shows of a run is the same in both arms
      expect(runs[i].prompt).toBe(runs[i + 1].prompt)
      expect(runs[i].difficulty).toBe(runs[i + 1].difficulty)
      expect(runs[i].repeat).toBe(runs[i + 1].repeat)
    }
    // repeat 1 of every variation is queued before any repeat 2
    const repeats = runs.map((r) => arms[r.id].repeat)
    expect(repeats.slice(0, 20).every((x) => x === 1)).toBe(true)
    expect(repeats.slice(20).every((x) => x === 2)).toBe(true)
    // every variation and repeat has exactly one run in each arm
    const keys = Object.values(arms).map((s) => `${s.variation}.${s.repeat}.${s.arm}`)
    expect(new Set(keys).size).toBe(40)
  })

  it('numbers are a permutation that does not follow the arms or the queue', () => {
    const { runs, arms } = planVerificationRuns('b1', variations, 2, seededInt(42))
    const numbers = runs.map((r) => r.number)
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(numbers).not.toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const withNumbers = runs.filter((r) => arms[r.id].arm === 'with').map((r) => r.number)
    // not all odd, not all even, not all in the first half
    expect(withNumbers.some((n) => n % 2 === 1) && withNumbers.some((n) => n % 2 === 0)).toBe(true)
    expect(withNumbers.some((n) => n <= 20) && withNumbers.some((n) => n > 20)).toBe(true)
    // which arm goes first in a pair is drawn too
    const firsts = new Set(runs.filter((_, i) => i % 2 === 0).map((r) => arms[r.id].arm))
    expect(firsts).toEqual(new Set(['with', 'without']))
  })

  it('a seeded generator repeats itself; different seeds differ', () => {
    expect(shuffledNumbers(12, seededInt(3))).toEqual(shuffledNumbers(12, seededInt(3)))
    expect(shuffledNumbers(12, seededInt(3))).not.toEqual(shuffledNumbers(12, seededInt(4)))
    const n = seededInt(9)
    for (let i = 0; i < 1000; i++) {
      const x = n(7)
      expect(Number.isInteger(x) && x >= 0 && x < 7).toBe(true)
    }
  })

  it('candidates: per variation and repeat one run per candidate and one with no skill, side by side, in a drawn order', () => {
    const { runs, arms } = planVerificationRuns('b1', variations.slice(0, 6), 2, seededInt(7), 3)
    expect(runs).toHaveLength(6 * 2 * 4)
    const orders = new Set<string>()
    for (let i = 0; i < runs.length; i += 4) {
      const group = runs.slice(i, i + 4).map((r) => arms[r.id])
      expect(new Set(group.map((s) => `${s.variation}.${s.repeat}`)).size).toBe(1)
      expect(group.map((s) => (s.arm === 'without' ? 'none' : `c${s.candidate}`)).sort()).toEqual(['c0', 'c1', 'c2', 'none'])
      expect(new Set(runs.slice(i, i + 4).map((r) => r.prompt)).size).toBe(1)
      orders.add(group.map((s) => s.candidate ?? 'none').join())
    }
    // the order within a group is drawn: not always the same
    expect(orders.size).toBeGreaterThan(3)
    expect([...runs.map((r) => r.number)].sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1))
    // two arms: what it did before (the same draws give the same plan)
    const two = planVerificationRuns('b1', variations, 2, seededInt(1))
    expect(Object.values(two.arms).every((s) => s.candidate === undefined)).toBe(true)
  })
})
