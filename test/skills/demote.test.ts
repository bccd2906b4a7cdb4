/**
 * Deepen edits the skill: a rule a verification showed followed in runs the skill broke is demoted one
 * tier, or discarded at edge case, with the evidence in its note; one that helped as often as it hurt
 * keeps its tier; a pinned one stays; no citation is lost. And conflicts decided again on the runs the
 * support check confirmed. Pure: the merge's deterministic part only.
 */
import { describe, expect, it } from 'vitest'
import { mergeRules, type ExistingRule } from '../../src/main/skills/rules/consolidate'
import { decideConflict, demotion, redecideConflicts, retier } from '../../src/main/skills/rules/tiers'
import { verificationOutcomes } from '../../src/shared/rule-outcomes'
import type { SkillRule } from '../../src/shared/skills'
import type { Explanation } from '../../src/shared/verify'
import { testRule } from '../support/builders'

const byText = (rules: SkillRule[], text: string): SkillRule => {
  const r = rules.find((x) => x.text === text)
  if (!r) throw new Error(`no rule "${text}"`)
  return r
}

const HURT = 'Put the pricing table above the fold'
const EVEN = 'Keep the hero to one call to action'
const PINNED = 'Inline every stylesheet into the page'
const EDGE_OUT = 'Before writing, delete the folder contents'
const EDGE_STAYS = 'If the brief names a font, load it from a CDN'
const GUIDE = 'Use a dark background for the footer'
const CLEAN = 'Run the build before finishing'

// the skill deepened: learned from batch b1; the verification's batch is b2
const EXISTING: ExistingRule[] = [
  { text: HURT, tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 8], batchId: 'b1' },
  { text: EVEN, tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 9], batchId: 'b1', earlier: [{ batchId: 'b0', runs: [4, 5] }] },
  { text: PINNED, tier: 'guidance', evidence: [2, 3], batchId: 'b1', pinned: true, note: 'moved by you' },
  { text: EDGE_OUT, tier: 'edge-case', evidence: [6, 7], batchId: 'b1', guard: true },
  { text: EDGE_STAYS, tier: 'edge-case', evidence: [8, 9], batchId: 'b1', guard: true },
  { text: GUIDE, tier: 'guidance', evidence: [1, 4, 5, 6], batchId: 'b1' },
  { text: CLEAN, tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 8, 9], batchId: 'b1' }
]

/** An explained pair whose with-skill run followed these rules (their texts as in the version verified). */
const followed = (...texts: string[]): Explanation => ({
  state: 'done',
  costUsd: 0,
  setAside: [],
  rules: texts.map((text, i) => ({ ruleId: `R${i + 1}`, text, verdict: 'followed' as const, why: 'it did', pointers: [{ run: 1 }] }))
})

// v3 and v7 broken, v2 and v5 fixed: HURT followed in both broken pairs and one fixed; EVEN in one of each;
// PINNED in three broken (pinned: stays); EDGE_OUT in two broken, none fixed; EDGE_STAYS in one broken;
// GUIDE in one broken; CLEAN in fixed ones only. Ignored verdicts say nothing.
const explanations: Record<string, Explanation> = {
  v2: followed(HURT, EVEN, CLEAN),
  v3: followed(HURT, EVEN.toUpperCase(), PINNED, EDGE_OUT, GUIDE),
  v5: { ...followed(CLEAN), rules: [...followed(CLEAN).rules, { ruleId: 'R9', text: GUIDE, verdict: 'ignored', why: 'no', pointers: [] }] },
  v7: followed(`  ${HURT} `, PINNED, EDGE_OUT, EDGE_STAYS),
  v8: followed(PINNED)
}
const comparison = { fixed: ['v2', 'v5'], broken: ['v3', 'v7', 'v8'] }

function deepen() {
  const outcomes = { version: 2, rules: verificationOutcomes(explanations, comparison) }
  return mergeRules({ rules: [], groups: [], contradictions: [], existing: EXISTING, batchId: 'b2', outcomes })
}

describe('a deepen from a verification demotes what hurt', () => {
  it('reads each rule’s fixed and broken pairs from the explanations, matched by text', () => {
    const o = verificationOutcomes(explanations, comparison)
    const of = (t: string) => o.find((x) => x.text.toLowerCase() === t.toLowerCase())
    expect(of(HURT)).toMatchObject({ helped: ['v2'], hurt: ['v3', 'v7'] })
    expect(of(EVEN)).toMatchObject({ helped: ['v2'], hurt: ['v3'] })
    expect(of(PINNED)).toMatchObject({ helped: [], hurt: ['v3', 'v7', 'v8'] })
    expect(of(CLEAN)).toMatchObject({ helped: ['v2', 'v5'], hurt: [] })
    // ignored in a fixed pair, followed in a broken one
    expect(of(GUIDE)).toMatchObject({ helped: [], hurt: ['v3'] })
  })

  it('demotes a rule followed in more broken pairs than fixed ones one tier, with the evidence in its note', () => {
    const { rules } = deepen()
    expect(byText(rules, HURT)).toMatchObject({
      tier: 'guidance',
      note: 'demoted from core: followed in 2 pairs the skill broke (v3, v7) in the verification of version 2, helped in 1',
      outcome: { version: 2, helped: ['v2'], hurt: ['v3', 'v7'] }
    })
    expect(byText(rules, GUIDE)).toMatchObject({
      tier: 'edge-case',
      note: 'demoted from guidance: followed in 1 pair the skill broke (v3) in the verification of version 2, helped in none'
    })
  })

  it('discards an edge case followed in two broken pairs and no fixed one; keeps one with a single broken pair', () => {
    const { rules } = deepen()
    expect(byText(rules, EDGE_OUT)).toMatchObject({ tier: 'discarded' })
    expect(byText(rules, EDGE_OUT).note).toMatch(/^discarded as an edge case: followed in 2 pairs the skill broke \(v3, v7\)/)
    expect(byText(rules, EDGE_STAYS)).toMatchObject({ tier: 'edge-case' })
    expect(byText(rules, EDGE_STAYS).note).toMatch(/^kept as an edge case: followed in 1 pair the skill broke \(v7\)/)
  })

  it('leaves a rule that helped as often as it hurt, one that only helped, and a pinned one where they were', () => {
    const { rules } = deepen()
    expect(byText(rules, EVEN)).toMatchObject({ tier: 'core', note: 'kept from the existing SKILL.md' })
    expect(byText(rules, CLEAN)).toMatchObject({ tier: 'core', note: 'kept from the existing SKILL.md' })
    expect(byText(rules, PINNED)).toMatchObject({ tier: 'guidance', pinnedTier: true, note: 'moved by you' })
  })

  it('loses no citation: every rule keeps its runs, demoted or discarded', () => {
    const { rules } = deepen()
    for (const e of EXISTING) {
      const r = byText(rules, e.text)
      expect(r.evidence).toEqual([])
      // the runs of the batch it was learned from are earlier citations now, with what it cited before
      expect(r.earlier).toEqual([...(e.earlier ?? []), { batchId: 'b1', runs: e.evidence }])
    }
  })

  it('stays demoted through later edits, and the person can pin it back', () => {
    const { rules, conflicts } = deepen()
    const again = retier(rules, conflicts)
    expect(byText(again, HURT).tier).toBe('guidance')
    expect(byText(again, EDGE_OUT).tier).toBe('discarded')
    const pinned = retier(
      rules.map((r) => (r.text === HURT ? { ...r, tier: 'core' as const, pinnedTier: true, note: 'moved by you' } : r)),
      conflicts
    )
    expect(byText(pinned, HURT)).toMatchObject({ tier: 'core', pinnedTier: true, note: 'moved by you' })
  })

  it('keeps the demotion when a new finding restates the rule, and adds its runs', () => {
    const outcomes = { version: 2, rules: verificationOutcomes(explanations, comparison) }
    const { rules } = mergeRules({
      rules: [{ id: 'n1', rule: HURT, evidence: [11, 12], priority: 'high', reason: 'again', analyst: 'success' }],
      groups: [{ members: ['n1'], wording: HURT, existing: 0 }],
      contradictions: [],
      existing: EXISTING,
      batchId: 'b2',
      outcomes
    })
    const r = byText(rules, HURT)
    expect(r.evidence).toEqual([11, 12])
    expect(r.earlier).toEqual([{ batchId: 'b1', runs: [1, 2, 3, 4, 5, 6, 7, 8] }])
    expect(r).toMatchObject({ tier: 'guidance', outcome: { hurt: ['v3', 'v7'], helped: ['v2'] } })
    expect(rules.filter((x) => x.text === HURT)).toHaveLength(1)
  })

  it('demotes on its thresholds: hurt 1 and above helped; discard at edge case with hurt 2, helped 0', () => {
    const o = (helped: number, hurt: number) => ({
      helped: Array.from({ length: helped }, (_, i) => `f${i}`),
      hurt: Array.from({ length: hurt }, (_, i) => `b${i}`)
    })
    expect(demotion('core', o(0, 0))).toBeUndefined()
    expect(demotion('core', o(1, 1))).toBeUndefined()
    expect(demotion('core', o(2, 1))).toBeUndefined()
    expect(demotion('core', o(0, 1))?.tier).toBe('guidance')
    expect(demotion('core', o(2, 3))?.tier).toBe('guidance')
    expect(demotion('guidance', o(0, 1))?.tier).toBe('edge-case')
    expect(demotion('edge-case', o(0, 2))?.tier).toBe('discarded')
    expect(demotion('edge-case', o(1, 2))?.tier).toBe('edge-case')
    expect(demotion('edge-case', o(0, 1))?.tier).toBe('edge-case')
    expect(demotion('discarded', o(0, 5))).toBeUndefined()
  })
})

describe('conflicts decided again after the support check', () => {
  const a = testRule({ id: 'a', text: 'Always inline the styles', evidence: [1, 2, 3, 4], tier: 'guidance' })
  const b = testRule({ id: 'b', text: 'Never inline the styles', evidence: [5, 6, 7], tier: 'edge-case' })
  const decided = () => {
    const d = decideConflict(a, b)
    if (typeof d === 'string') throw new Error(d)
    return { id: 'c1', a: 'a', b: 'b', why: 'opposite', winner: d.winner.id, loser: d.loser.id, decision: d.decision, reversed: false }
  }

  it('flips a conflict whose winner lost its lead to the check, and the tiers follow', () => {
    const c = decided()
    expect(c).toMatchObject({ winner: 'a', loser: 'b', decision: '4 runs against 3' })
    // the checker confirmed only one of a's runs and all of b's
    const checked = [{ ...a, evidence: [1], unconfirmed: [2, 3, 4].map((run) => ({ run, reason: 'no' })) }, b]
    const [next] = redecideConflicts(checked, [c], 'after the support check')
    expect(next).toMatchObject({ winner: 'b', loser: 'a', decision: 'after the support check: 3 runs against 1', reversed: false })
    const rules = retier(checked, [next])
    expect(byText(rules, 'Always inline the styles').tier).toBe('discarded')
    expect(byText(rules, 'Never inline the styles').tier).toBe('edge-case')
  })

  it('keeps a winner that still leads, and a conflict the person reversed', () => {
    const c = decided()
    const checked = [
      { ...a, evidence: [1, 2, 3] },
      { ...b, evidence: [5] }
    ]
    // the same winner; the decision says the confirmed counts
    expect(redecideConflicts(checked, [c], 'after the support check')).toEqual([
      { ...c, decision: 'after the support check: 3 runs against 1' }
    ])
    expect(redecideConflicts([a, b], [c], 'after the support check')).toEqual([c])
    const reversed = { ...c, winner: 'b', loser: 'a', reversed: true }
    expect(
      redecideConflicts(
        [
          { ...a, evidence: [1, 2, 3, 4] },
          { ...b, evidence: [] }
        ],
        [reversed],
        'x'
      )
    ).toEqual([reversed])
  })

  it('gives an existing rule the conflict back when the new rule against it has no confirmed run left', () => {
    const old = testRule({ id: 'o', text: 'Never inline the styles', evidence: [], existing: true, tier: 'core' })
    const fresh = testRule({ id: 'n', text: 'Always inline the styles', evidence: [2, 3] })
    const d = decideConflict(old, fresh)
    if (typeof d === 'string') throw new Error(d)
    const c = { id: 'c1', a: 'o', b: 'n', why: 'opposite', winner: d.winner.id, loser: d.loser.id, decision: d.decision, reversed: false }
    expect(c.winner).toBe('n')
    const [next] = redecideConflicts([old, { ...fresh, evidence: [] }], [c], 'after the support check')
    expect(next).toMatchObject({ winner: 'o', loser: 'n', decision: 'after the support check: no run left against the existing rule' })
  })
})
