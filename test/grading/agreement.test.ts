/**
 * The agreement figures against values computed by hand (in the comments), the degenerate cases, the
 * folds of cross-validation, and the trust threshold.
 */
import { describe, expect, it } from 'vitest'
import { agreementOf, confusionOf, fnv1a, foldsOf, kappaOf, trustOf, type LabelPair } from '../../src/shared/agreement'

const pairs = (gg: number, gb: number, bg: number, bb: number): LabelPair[] => [
  ...Array.from({ length: gg }, () => ({ person: 'good' as const, grader: 'good' as const })),
  ...Array.from({ length: gb }, () => ({ person: 'good' as const, grader: 'bad' as const })),
  ...Array.from({ length: bg }, () => ({ person: 'bad' as const, grader: 'good' as const })),
  ...Array.from({ length: bb }, () => ({ person: 'bad' as const, grader: 'bad' as const }))
]

describe('agreement', () => {
  it('20 runs, 17 agreed: accuracy 0.85, kappa 0.7', () => {
    // table: person good 10 (grader 8 good, 2 bad), person bad 10 (grader 1 good, 9 bad)
    // po = 17/20 = 0.85; person good 10/20 = 0.5; grader good 9/20 = 0.45
    // pe = 0.5*0.45 + 0.5*0.55 = 0.225 + 0.275 = 0.5; kappa = (0.85 - 0.5) / (1 - 0.5) = 0.7
    const a = agreementOf(pairs(8, 2, 1, 9))
    expect(a.confusion).toEqual({ goodGood: 8, goodBad: 2, badGood: 1, badBad: 9 })
    expect(a.n).toBe(20)
    expect(a.agreed).toBe(17)
    expect(a.accuracy).toBeCloseTo(0.85, 12)
    expect(a.kappa).toBeCloseTo(0.7, 12)
    expect(a.kappaNote).toBeUndefined()
  })

  it('uneven shares: 30 runs, kappa 0.5', () => {
    // person good 20 (grader 18 good, 2 bad), person bad 10 (grader 4 good, 6 bad)
    // po = 24/30 = 0.8; person good 2/3; grader good 22/30 = 11/15
    // pe = (2/3)(11/15) + (1/3)(4/15) = 22/45 + 4/45 = 26/45; kappa = (0.8 - 26/45) / (19/45) = (36/45 - 26/45) / (19/45) = 10/19
    const a = agreementOf(pairs(18, 2, 4, 6))
    expect(a.accuracy).toBeCloseTo(0.8, 12)
    expect(a.kappa).toBeCloseTo(10 / 19, 12)
  })

  it('the person says good of every run, the grader of 8 in 10: kappa 0 (no better than chance)', () => {
    // po = 0.8; person good 1; grader good 0.8; pe = 1*0.8 + 0*0.2 = 0.8; kappa = (0.8 - 0.8) / 0.2 = 0
    const a = agreementOf(pairs(8, 2, 0, 0))
    expect(a.accuracy).toBeCloseTo(0.8, 12)
    expect(a.kappa).toBeCloseTo(0, 12)
  })

  it('both say good of every run: chance agreement is 1, kappa undefined, with why', () => {
    const a = agreementOf(pairs(6, 0, 0, 0))
    expect(a.accuracy).toBe(1)
    expect(a.kappa).toBeNull()
    expect(a.kappaNote).toMatch(/said good of every run/)
    expect(kappaOf(confusionOf(pairs(0, 0, 0, 4))).note).toMatch(/said bad of every run/)
  })

  it('every run disagreed, half good each: kappa -1', () => {
    // po = 0; person good 0.5; grader good 0.5; pe = 0.5; kappa = (0 - 0.5) / 0.5 = -1
    expect(agreementOf(pairs(0, 5, 5, 0)).kappa).toBeCloseTo(-1, 12)
  })

  it('no runs: nothing to measure', () => {
    const a = agreementOf([])
    expect(a).toMatchObject({ n: 0, agreed: 0, accuracy: null, kappa: null })
    expect(a.kappaNote).toMatch(/no runs/)
  })
})

describe('folds', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `run-${i + 1}`)

  it('FNV-1a is the standard one', () => {
    // published test vectors of FNV-1a 32 bits
    expect(fnv1a('')).toBe(0x811c9dc5)
    expect(fnv1a('a')).toBe(0xe40c292c)
    expect(fnv1a('foobar')).toBe(0xbf9cf968)
  })

  it('12 runs in 5 folds: sizes 3,3,2,2,2, disjoint, covering every run', () => {
    const f = foldsOf(ids)
    expect(f.map((x) => x.length)).toEqual([3, 3, 2, 2, 2])
    expect(f.flat().sort()).toEqual([...ids].sort())
    expect(new Set(f.flat()).size).toBe(12)
  })

  it('the same folds whatever order the runs come in', () => {
    const shuffled = [...ids].reverse()
    shuffled.push(shuffled.shift()!)
    expect(foldsOf(shuffled)).toEqual(foldsOf(ids))
    // and not simply the input order
    expect(foldsOf(ids).flat()).not.toEqual(ids)
  })

  it('fewer runs than folds: one run per fold', () => {
    const f = foldsOf(['a', 'b', 'c'], 5)
    expect(f).toHaveLength(3)
    expect(f.every((x) => x.length === 1)).toBe(true)
  })

  it('k below 2 is refused', () => {
    expect(() => foldsOf(ids, 1)).toThrow(/at least 2/)
  })
})

describe('trust', () => {
  it('kappa 0.7 and accuracy 0.85 over 20 runs: trusted', () => {
    expect(trustOf(agreementOf(pairs(8, 2, 1, 9)))).toEqual({ trusted: true, reasons: [] })
  })

  it('kappa 0.53 over 30 runs: not trusted, and why', () => {
    const t = trustOf(agreementOf(pairs(18, 2, 4, 6)))
    expect(t.trusted).toBe(false)
    expect(t.reasons).toEqual([expect.stringMatching(/kappa 0\.53 is below 0\.6/)])
  })

  it('accuracy 75%: not trusted', () => {
    // 15 of 20 agreed; person good 10 (grader 7 good), person bad 10 (grader 8 bad)
    const t = trustOf(agreementOf(pairs(7, 3, 2, 8)))
    expect(t.trusted).toBe(false)
    expect(t.reasons.join(' ')).toMatch(/accuracy 75% is below 80%: it disagrees with you on 5 of 20 runs/)
  })

  it('too few runs, or kappa undefined: not trusted', () => {
    expect(trustOf(agreementOf(pairs(4, 0, 0, 4))).reasons).toEqual([expect.stringMatching(/only 8 runs graded by both/)])
    expect(trustOf(agreementOf(pairs(12, 0, 0, 0))).reasons).toEqual([expect.stringMatching(/kappa is undefined/)])
  })
})
