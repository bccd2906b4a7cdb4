/**
 * Tiers scaled to the number of graded runs: the seed's 8+ / 4-7 / 2-3 at 20 graded runs, the same
 * shares at 40 and 80 (checked at every boundary), never below 2 for an edge case; a guard learned from
 * hard and adversarial runs measured against those runs; and the line the skill page shows.
 */
import { describe, expect, it } from 'vitest'
import { mergeRules } from '../../src/main/skills/rules/consolidate'
import { retier } from '../../src/main/skills/rules/tiers'
import { thresholdsFor, tierFor, tiersLine, tierThresholds, type AnalystRule, type SkillRule } from '../../src/shared/skills'

const runs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i)

const rule = (id: string, evidence: number[], extra: Partial<SkillRule> = {}): SkillRule => ({
  id,
  text: `Rule ${id}`,
  evidence,
  priority: 'medium',
  tier: 'discarded',
  sources: [id],
  analysts: ['success'],
  reasons: [],
  pointers: [],
  guard: false,
  existing: false,
  pinnedTier: false,
  ...extra
})

describe('thresholds by graded runs', () => {
  it.each([
    // graded runs, core, guidance, edge case
    [20, 8, 4, 2],
    [40, 16, 8, 4],
    [80, 32, 16, 8]
  ])('at %i graded runs: core %i+, guidance %i+, edge case %i+', (graded, core, guidance, edgeCase) => {
    const t = thresholdsFor(graded)
    expect(t).toEqual({ runs: graded, core, guidance, edgeCase })
    // at each boundary and one below it
    expect(tierFor(core, t)).toBe('core')
    expect(tierFor(core - 1, t)).toBe('guidance')
    expect(tierFor(guidance, t)).toBe('guidance')
    expect(tierFor(guidance - 1, t)).toBe('edge-case')
    expect(tierFor(edgeCase, t)).toBe('edge-case')
    expect(tierFor(edgeCase - 1, t)).toBe('discarded')
  })

  it('keeps the seed values as the default, and 2 as the least for an edge case', () => {
    expect([8, 7, 4, 3, 2, 1].map((n) => tierFor(n))).toEqual(['core', 'guidance', 'guidance', 'edge-case', 'edge-case', 'discarded'])
    for (const graded of [0, 1, 5, 9, 10, 19]) {
      const t = thresholdsFor(graded)
      expect(t.edgeCase).toBeGreaterThanOrEqual(2)
      expect(t.guidance).toBeGreaterThan(t.edgeCase)
      expect(t.core).toBeGreaterThan(t.guidance)
    }
    expect(thresholdsFor(10)).toEqual({ runs: 10, core: 4, guidance: 3, edgeCase: 2 })
    // 80 runs (a deepened verification): a rule 20 runs show is no longer core
    expect(tierFor(20, thresholdsFor(80))).toBe('guidance')
    expect(tierFor(20)).toBe('core')
  })

  it('retiers merged rules with the thresholds given (and the seed ones without)', () => {
    const rules = [rule('a', runs(16)), rule('b', runs(8)), rule('c', runs(4)), rule('d', runs(3))]
    const at40 = Object.fromEntries(retier(rules, [], tierThresholds(runs(40).map((number) => ({ number })))).map((r) => [r.id, r.tier]))
    expect(at40).toEqual({ a: 'core', b: 'guidance', c: 'edge-case', d: 'discarded' })
    const seed = Object.fromEntries(retier(rules, []).map((r) => [r.id, r.tier]))
    expect(seed).toEqual({ a: 'core', b: 'core', c: 'guidance', d: 'edge-case' })
  })
})

describe('a guard learned from hard and adversarial runs', () => {
  // 40 graded runs, of which 31-40 are hard or adversarial (10 runs): guards need 4+ of them for core
  const graded = runs(40).map((number) => ({ number, difficulty: number > 35 ? 'adversarial' : number > 30 ? 'hard' : 'normal' }))
  const tiers = tierThresholds(graded)

  it('is measured against the graded runs of those difficulties', () => {
    expect(tiers).toMatchObject({ runs: 40, core: 16, guidance: 8, edgeCase: 4, guards: { runs: 10, core: 4, guidance: 3, edgeCase: 2 } })
    expect(tiers.guards!.hardRuns).toEqual(runs(10, 31))
  })

  it('reaches the main file with 4 of the 10 hard runs, where a plain rule with the same runs is an edge case', () => {
    const guard = rule('g', [31, 33, 36, 40], { guard: true, analysts: ['edge'] })
    const plain = rule('p', [31, 33, 36, 40])
    const normalRuns = rule('n', [1, 2, 3, 4], { guard: true, analysts: ['edge'] })
    const tiered = Object.fromEntries(retier([guard, plain, normalRuns], [], tiers).map((r) => [r.id, r.tier]))
    // the guard's 4 hard runs are core by the guards' thresholds; the same runs of a plain rule: 4 of 40 -> edge case;
    // a guard whose runs are not hard or adversarial is measured like any rule
    expect(tiered).toEqual({ g: 'core', p: 'edge-case', n: 'edge-case' })
    // without hard runs in the batch, a guard is measured like any rule
    expect(retier([guard], [], tierThresholds(runs(40).map((number) => ({ number }))))[0].tier).toBe('edge-case')
  })

  it('is tiered so by the merge given the thresholds', () => {
    const analyst: AnalystRule[] = [
      {
        id: 'e1',
        analyst: 'edge',
        rule: 'Before writing the file, verify the folder is empty',
        evidence: [31, 36, 37],
        priority: 'high',
        reason: 'x'
      }
    ]
    const merged = mergeRules({ rules: analyst, groups: [], contradictions: [], tiers })
    expect(merged.rules[0]).toMatchObject({ guard: true, tier: 'guidance', evidence: [31, 36, 37] })
    expect(mergeRules({ rules: analyst, groups: [], contradictions: [] }).rules[0].tier).toBe('edge-case')
  })
})

describe('the line on the skill page', () => {
  it('says the thresholds in use, and the seed ones for a skill tiered before they scaled', () => {
    expect(tiersLine(thresholdsFor(20))).toBe('Tiers for 20 graded runs: core 8+, patterns 4-7, edge cases 2-3')
    expect(tiersLine(tierThresholds(runs(80).map((number) => ({ number }))))).toBe(
      'Tiers for 80 graded runs: core 32+, patterns 16-31, edge cases 8-15'
    )
    expect(tiersLine(tierThresholds([{ number: 1, difficulty: 'hard' }, { number: 2 }]))).toBe(
      'Tiers for 2 graded runs: core 4+, patterns 3, edge cases 2; guards, against 1 hard or adversarial run: core 4+, patterns 3, edge cases 2'
    )
    expect(tiersLine(undefined)).toBe("Tiers: core 8+, patterns 4-7, edge cases 2-3 (the seed's, for about 20 runs)")
  })
})
