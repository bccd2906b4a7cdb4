/**
 * The candidates table and its suggestion on constructed verifications whose figures are worked out by
 * hand: pass rates with Wilson intervals over the variation-repeats graded in every arm, the paired
 * difference against no skill and between candidates (exact sign test), trigger rates, cost; the
 * suggestion by the paired test (never by a raw rate), and the sentence when there is none.
 */
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src/shared/runs'
import type { SkillUse, Verification } from '../../src/shared/verify'
import { buildCandidatesTable, minDiscordant, suggest } from '../../src/main/verify/candidates-stats'

type G = 'good' | 'bad' | null

const verification = (variations: number, candidates: number): Verification => ({
  id: 'v',
  kind: 'candidates',
  candidates: Array.from({ length: candidates }, (_, i) => ({ id: `ver${i + 2}`, number: i + 2, name: 'landing-page' })),
  skillId: 's',
  skillName: 'landing-page',
  version: { id: 'ver2', number: 2 },
  against: null,
  source: 'fresh',
  heldOut: true,
  learnedFrom: [],
  repeats: 1,
  settings: {} as Verification['settings'],
  variations: Array.from({ length: variations }, (_, i) => ({ difficulty: 'normal' as const, prompt: `p${i}` })),
  arms: {},
  phase: 'created',
  explanations: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z'
})

let counter = 0
const run = (label: G, costUsd: number): Run => {
  counter++
  return {
    id: `r${counter}`,
    batchId: 'b',
    number: counter,
    prompt: 'p',
    repeat: 1,
    state: 'done',
    sessionId: `s${counter}`,
    progress: { turns: 4, toolCalls: 2, tokens: 100, costUsd, elapsedMs: 1000 },
    files: [],
    screenshots: [],
    imported: false,
    ...(label ? { feedback: { label, text: '', updatedAt: '' } } : {})
  }
}

/**
 * grades[arm][variation]: arm 0 is no skill, arm k the candidate k-1; `use(candidate, variation)` how
 * that run used its skill.
 */
function build(grades: G[][], use: (c: number, variation: number) => SkillUse | null = () => ({ invoked: true, from: 'project' })) {
  const v = verification(grades[0].length, grades.length - 1)
  const runs: Run[] = []
  const uses = new Map<string, SkillUse | null>()
  grades.forEach((arm, a) =>
    arm.forEach((g, variation) => {
      const r = run(g, a === 0 ? 0.01 : 0.02 * a)
      runs.push(r)
      v.arms[r.id] = a === 0 ? { arm: 'without', variation, repeat: 1 } : { arm: 'with', variation, repeat: 1, candidate: a - 1 }
      if (a > 0) uses.set(r.id, use(a - 1, variation))
    })
  )
  return { v, runs, uses }
}

const all = (g: G, n: number): G[] => Array.from({ length: n }, () => g)

describe('the candidates table', () => {
  it("three candidates over 6 variations: one fixes every one; its figures and the suggestion are the hand's", () => {
    const { v, runs, uses } = build(
      [
        all('bad', 6), // no skill: 0 of 6
        ['good', 'good', 'bad', 'bad', 'bad', 'bad'], // version 2: 2 of 6
        all('good', 6), // version 3: 6 of 6
        ['good', 'bad', 'bad', 'bad', 'bad', 'bad'] // version 4: 1 of 6
      ],
      // version 3 was loaded from elsewhere once; version 4 never loaded
      (c, variation) =>
        c === 2 ? { invoked: false } : c === 1 && variation === 0 ? { invoked: true, from: 'elsewhere' } : { invoked: true }
    )
    const t = buildCandidatesTable(v, runs, uses)
    expect(t.pairs).toBe(6)
    expect(t.complete).toBe(true)
    expect(t.rows.map((r) => r.label)).toEqual(['no skill', 'version 2', 'version 3', 'version 4'])
    expect(t.rows.map((r) => [r.passRate.passed, r.passRate.n])).toEqual([
      [0, 6],
      [2, 6],
      [6, 6],
      [1, 6]
    ])
    // Wilson 95%, worked out by hand (z = 1.96): 0/6 [0, 0.3903], 2/6 [0.0968, 0.7000], 6/6 [0.6097, 1], 1/6 [0.0301, 0.5635]
    const ci = t.rows.map((r) => [r.passRate.ci!.low, r.passRate.ci!.high])
    expect(ci[0][0]).toBe(0)
    expect(ci[0][1]).toBeCloseTo(0.3903, 4)
    expect(ci[1][0]).toBeCloseTo(0.0968, 4)
    expect(ci[1][1]).toBeCloseTo(0.7, 4)
    expect(ci[2][0]).toBeCloseTo(0.6097, 4)
    expect(ci[2][1]).toBe(1)
    expect(ci[3][0]).toBeCloseTo(0.0301, 4)
    expect(ci[3][1]).toBeCloseTo(0.5635, 4)
    // against no skill: p = 2 x 0.5^n on n pairs all one way (n=2: 0.5, n=6: 0.03125, n=1: 1)
    expect(t.rows[0].vsNone).toBeNull()
    expect(t.rows[1].vsNone).toEqual({ pairs: 6, difference: 2 / 6, fixed: 2, broken: 0, ties: 4, p: 0.5 })
    expect(t.rows[2].vsNone!.fixed).toBe(6)
    expect(t.rows[2].vsNone!.difference).toBe(1)
    expect(t.rows[2].vsNone!.p).toBeCloseTo(0.03125, 10)
    expect(t.rows[3].vsNone).toEqual({ pairs: 6, difference: 1 / 6, fixed: 1, broken: 0, ties: 5, p: 1 })
    // version 3 against version 2: 4 fixed (p = 0.125); against version 4: 5 fixed (p = 0.0625); version 2 against 4: 1 fixed, 0 broken
    expect(t.matrix[1][0]).toMatchObject({ fixed: 4, broken: 0, ties: 2 })
    expect(t.matrix[1][0]!.difference).toBeCloseTo(4 / 6, 10)
    expect(t.matrix[1][0]!.p).toBeCloseTo(0.125, 10)
    expect(t.matrix[1][2]!.p).toBeCloseTo(0.0625, 10)
    expect(t.matrix[0][1]).toMatchObject({ fixed: 0, broken: 4 })
    expect(t.matrix[0][1]!.difference).toBeCloseTo(-4 / 6, 10)
    expect(t.matrix[0][2]).toMatchObject({ fixed: 1, broken: 0, p: 1 })
    expect(t.matrix.map((row, i) => row[i])).toEqual([null, null, null])
    // trigger: version 2 all 6; version 3 5 of 6 (one from elsewhere); version 4 none
    expect(t.rows.map((r) => r.trigger)).toEqual([
      null,
      { invoked: 6, runs: 6, rate: 1 },
      { invoked: 5, runs: 6, rate: 5 / 6 },
      { invoked: 0, runs: 6, rate: 0 }
    ])
    // cost: no skill $0.01 a run, candidate k $0.02 x k
    expect(t.rows.map((r) => r.costUsd)).toEqual([0.06, 0.12, 0.24, 0.36].map((x) => expect.closeTo(x, 10)))
    expect(t.rows.map((r) => r.meanCostUsd)).toEqual([0.01, 0.02, 0.04, 0.06].map((x) => expect.closeTo(x, 10)))
    // version 3 is the only one that beats no skill: suggested
    expect(t.suggested).toBe(1)
    expect(t.why).toBe('version 3 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.')
  })

  it('with too few pairs, none is suggested, and the sentence says so even when one candidate passes every run', () => {
    const { v, runs, uses } = build([all('bad', 4), all('bad', 4), all('good', 4)])
    const t = buildCandidatesTable(v, runs, uses)
    expect(t.rows[2].vsNone!.p).toBeCloseTo(0.125, 10)
    expect(t.suggested).toBeNull()
    expect(t.why).toBe(
      'Too few runs to tell them apart: with 4 pairs the exact test cannot reach p < 0.05; it needs at least 6 pairs where they disagree.'
    )
    expect(minDiscordant()).toBe(6)
  })

  it('only variation-repeats graded in every arm count; an ungraded run leaves its group out', () => {
    const { v, runs, uses } = build([
      ['bad', 'bad', 'good'],
      ['good', null, 'good'],
      ['good', 'good', 'bad']
    ])
    const t = buildCandidatesTable(v, runs, uses)
    expect(t.pairs).toBe(2)
    expect(t.complete).toBe(false)
    expect(t.rows.map((r) => r.passRate.passed)).toEqual([1, 2, 1])
    expect(t.rows[1].graded).toBe(2)
    expect(t.rows[2].vsNone).toMatchObject({ pairs: 2, fixed: 1, broken: 1, ties: 0, p: 1, difference: 0 })
  })

  it('several eligible: the one beating every other eligible one by the paired test; none when they cannot be told apart', () => {
    const labels = ['version 2', 'version 3', 'version 4']
    const p = (fixed: number, broken: number, pairs = 20, p = 0.01) => ({
      pairs,
      difference: (fixed - broken) / pairs,
      fixed,
      broken,
      ties: pairs - fixed - broken,
      p
    })
    const vsNone = [p(8, 0, 20, 0.0078), p(12, 0, 20, 0.0005), p(1, 0, 20, 1)]
    const matrix = [
      [null, p(0, 6, 20, 0.03125), p(7, 0)],
      [p(6, 0, 20, 0.03125), null, p(11, 0)],
      [p(0, 7), p(0, 11), null]
    ]
    const got = suggest(labels, vsNone, matrix, 20)
    expect(got.suggested).toBe(1)
    expect(got.why).toBe(
      'version 3 beats no skill (+60 points: fixed 12, broke 0, p < 0.001), and beats version 2 (p = 0.031), which beat no skill too.'
    )
    // 2 and 3 both beat no skill, but their paired comparison does not reach p < 0.05
    matrix[1][0] = p(4, 1, 20, 0.375)
    matrix[0][1] = p(1, 4, 20, 0.375)
    const none = suggest(labels, vsNone, matrix, 20)
    expect(none.suggested).toBeNull()
    expect(none.why).toBe(
      'version 2 and version 3 beat no skill, but none of them beats the others by the paired test (p < 0.05): more variations or repeats would tell them apart.'
    )
    // none beats no skill, with enough pairs: the best is named with its figures
    const worse = suggest(labels, [p(3, 2, 20, 1), p(4, 1, 20, 0.375), p(0, 0, 20, 1)], matrix, 20)
    expect(worse).toEqual({
      suggested: null,
      why: 'None beats no skill yet (by the paired test, p < 0.05): the best, version 3, is +15 points (fixed 4, broke 1, p = 0.38).'
    })
    expect(suggest(labels, vsNone, matrix, 0).suggested).toBeNull()
  })
})
