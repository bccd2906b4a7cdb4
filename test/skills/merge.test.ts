/**
 * Step 4, the deterministic part of the merge: constructed rule sets where the right answer is known.
 */
import { describe, expect, it } from 'vitest'
import { mergeRules, type MergeInput } from '../../src/main/skills/rules/consolidate'
import { retier, reverseConflict } from '../../src/main/skills/rules/tiers'
import { sameMeaning } from '../../src/shared/rule-meaning'
import type { AnalystKind, AnalystRule, Priority, SkillRule } from '../../src/shared/skills'

const CAP_NOTE = 'moved down: the main file holds at most 30 rules'
const EXISTING_NOTE = 'kept from the existing SKILL.md'

function ar(
  id: string,
  evidence: number[],
  o: { rule?: string; priority?: Priority; analyst?: AnalystKind; reason?: string; pointers?: { run: number; line?: number }[] } = {}
): AnalystRule {
  return {
    id,
    rule: o.rule ?? `Rule ${id}`,
    evidence,
    priority: o.priority ?? 'medium',
    reason: o.reason ?? `reason ${id}`,
    pointers: o.pointers,
    analyst: o.analyst ?? 'error'
  }
}
const runs = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)
const byText = (rules: SkillRule[], text: string): SkillRule => {
  const r = rules.find((x) => x.text === text)
  if (!r) throw new Error(`no rule "${text}"`)
  return r
}
const tiers = (rules: SkillRule[]) => Object.fromEntries(rules.map((r) => [r.text, r.tier]))

describe('tiers by evidence', () => {
  it('puts 1, 2, 3, 4, 7, 8 runs exactly at their boundaries', () => {
    const input: MergeInput = {
      rules: [ar('a', runs(1, 1)), ar('b', runs(1, 2)), ar('c', runs(1, 3)), ar('d', runs(1, 4)), ar('e', runs(1, 7)), ar('f', runs(1, 8))],
      groups: [],
      contradictions: []
    }
    const { rules, conflicts, warnings } = mergeRules(input)
    expect(tiers(rules)).toEqual({
      'Rule a': 'discarded',
      'Rule b': 'edge-case',
      'Rule c': 'edge-case',
      'Rule d': 'guidance',
      'Rule e': 'guidance',
      'Rule f': 'core'
    })
    // sorted: core, guidance, edge-case, discarded; evidence desc within a tier
    expect(rules.map((r) => r.text)).toEqual(['Rule f', 'Rule e', 'Rule d', 'Rule c', 'Rule b', 'Rule a'])
    // the discarded rule stays in the list, with no note
    expect(byText(rules, 'Rule a').note).toBeUndefined()
    expect(conflicts).toEqual([])
    expect(warnings).toEqual([])
  })

  it('sorts rules of equal tier and evidence by text', () => {
    const { rules } = mergeRules({
      rules: [ar('x', [1, 2], { rule: 'Zeta' }), ar('y', [3, 4], { rule: 'Alpha' }), ar('z', [5, 6, 7], { rule: 'Mid' })],
      groups: [],
      contradictions: []
    })
    expect(rules.map((r) => r.text)).toEqual(['Mid', 'Alpha', 'Zeta'])
  })
})

describe('merging groups', () => {
  it('unions evidence (overlapping runs counted once) and combines the members', () => {
    const input: MergeInput = {
      rules: [
        ar('e1', [4, 3, 2, 1], { analyst: 'edge', priority: 'low', reason: 'broke on empty input', pointers: [{ run: 1, line: 10 }] }),
        ar('s1', [3, 4, 5, 6, 6], { analyst: 'success', priority: 'high', reason: '  ', pointers: [{ run: 5 }] }),
        ar('x1', [6], { analyst: 'error', priority: 'medium', reason: 'missing check' })
      ],
      groups: [{ members: ['e1', 's1', 'x1'], wording: '  Check the input before building  ' }],
      contradictions: []
    }
    const before = structuredClone(input)
    const { rules, warnings } = mergeRules(input)
    expect(warnings).toEqual([])
    expect(rules).toEqual([
      {
        id: 'r1',
        text: 'Check the input before building',
        evidence: [1, 2, 3, 4, 5, 6],
        priority: 'high',
        tier: 'guidance', // 6 runs, not 4 + 5 + 1 = 10
        sources: ['e1', 's1', 'x1'],
        analysts: ['error', 'success', 'edge'],
        reasons: ['broke on empty input', 'missing check'],
        pointers: [{ run: 1, line: 10 }, { run: 5 }],
        guard: true,
        existing: false,
        pinnedTier: false
      }
    ])
    expect(input).toEqual(before)
  })

  it('tags a merged rule as a guard only when its merged wording is one', () => {
    const { rules } = mergeRules({
      rules: [
        ar('e1', [1, 2], { analyst: 'edge', rule: 'Before building, verify the brief names a colour' }),
        ar('s1', [3, 4], { analyst: 'success', rule: 'Pick a colour the brief names' }),
        ar('e2', [5, 6], { analyst: 'edge', rule: 'If the brief is empty, ask for one' }),
        ar('x1', [7, 8], { analyst: 'error', rule: 'Before finishing, run the build' })
      ],
      groups: [
        // an edge guard merged with a success rule, worded as a plain instruction: not a guard
        { members: ['e1', 's1'], wording: 'Use a colour the brief names' },
        // worded as a guard: a guard
        { members: ['e2'], wording: 'If the brief is empty, ask for one' },
        // guard wording without the edge analyst: not tagged (guards come from the edge analyst)
        { members: ['x1'], wording: 'Before finishing, run the build' }
      ],
      contradictions: []
    })
    expect(Object.fromEntries(rules.map((r) => [r.text, r.guard]))).toEqual({
      'Use a colour the brief names': false,
      'If the brief is empty, ask for one': true,
      'Before finishing, run the build': false
    })
  })

  it('uses the text of the member with most evidence when the wording is empty', () => {
    const { rules } = mergeRules({
      rules: [
        ar('a', [1, 2], { rule: 'Short one' }),
        ar('b', [1, 2, 3, 4, 5], { rule: 'Run the build first' }),
        ar('c', [9, 9, 9, 9, 9, 9], { rule: 'Only one run' })
      ],
      groups: [{ members: ['a', 'b', 'c'], wording: '   ' }],
      contradictions: []
    })
    expect(rules.map((r) => [r.text, r.evidence, r.guard])).toEqual([['Run the build first', [1, 2, 3, 4, 5, 9], false]])
  })

  it('ignores unknown ids, keeps a rule only in its first group, drops empty groups and makes ungrouped rules their own group', () => {
    const { rules, warnings, conflicts } = mergeRules({
      rules: [ar('a', [1, 2, 3, 4], { rule: 'A' }), ar('b', [5, 6], { rule: 'B' }), ar('c', [7, 8], { rule: 'C text' })],
      groups: [
        { members: ['a', 'ghost'], wording: 'Group one' },
        { members: ['a', 'b'], wording: 'Group two' },
        { members: [], wording: 'Nothing' },
        { members: ['nope'], wording: 'Unknown only' }
      ],
      contradictions: [{ a: 0, b: 2, why: 'points at a dropped group' }]
    })
    expect(warnings).toEqual([
      'group 0: unknown rule id "ghost" ignored',
      'group 1: rule "a" is already in group 0; kept it there only',
      'group 2 has no known rules; dropped',
      'group 3: unknown rule id "nope" ignored',
      'group 3 has no known rules; dropped',
      'contradiction 0 (0, 2): group 2 was dropped; ignored'
    ])
    expect(conflicts).toEqual([])
    expect(rules.map((r) => ({ id: r.id, text: r.text, sources: r.sources, evidence: r.evidence, tier: r.tier }))).toEqual([
      { id: 'r1', text: 'Group one', sources: ['a'], evidence: [1, 2, 3, 4], tier: 'guidance' },
      { id: 'r3', text: 'C text', sources: ['c'], evidence: [7, 8], tier: 'edge-case' },
      { id: 'r2', text: 'Group two', sources: ['b'], evidence: [5, 6], tier: 'edge-case' }
    ])
    // every analyst rule ends in exactly one merged rule
    expect(rules.flatMap((r) => r.sources).sort()).toEqual(['a', 'b', 'c'])
  })

  it('uses the ids given by newId', () => {
    let n = 100
    const { rules, conflicts } = mergeRules({
      rules: [ar('a', runs(1, 9)), ar('b', runs(1, 2))],
      groups: [
        { members: ['a'], wording: 'A' },
        { members: ['b'], wording: 'B' }
      ],
      contradictions: [{ a: 0, b: 1, why: 'w' }],
      newId: () => `id-${n++}`
    })
    expect(rules.map((r) => r.id)).toEqual(['id-100', 'id-101'])
    expect(conflicts.map((c) => c.id)).toEqual(['id-102'])
  })
})

describe('the 30-rule cap', () => {
  it('keeps exactly 30 of 35 core-eligible rules and moves the 5 weakest to edge cases', () => {
    // rule k (0..34) has 8 + k runs; the weakest are k = 0..4
    const rules = Array.from({ length: 35 }, (_, k) => ar(`a${k}`, runs(1, 8 + k), { rule: `Rule ${String(k).padStart(2, '0')}` }))
    const out = mergeRules({ rules, groups: [], contradictions: [] }).rules
    const core = out.filter((r) => r.tier === 'core')
    const edge = out.filter((r) => r.tier === 'edge-case')
    expect(core).toHaveLength(30)
    expect(edge.map((r) => r.text)).toEqual(['Rule 04', 'Rule 03', 'Rule 02', 'Rule 01', 'Rule 00'])
    expect(edge.every((r) => r.note === CAP_NOTE)).toBe(true)
    expect(core.every((r) => r.note === undefined)).toBe(true)
    expect(core[0].text).toBe('Rule 34')
  })

  it('ranks by tier first, then evidence, then priority, then text', () => {
    // 28 core + 5 guidance: 3 guidance rules must move; among guidance with equal runs, low priority goes first, then text
    const rules = [
      ...Array.from({ length: 28 }, (_, k) => ar(`c${k}`, runs(1, 8), { rule: `Core ${String(k).padStart(2, '0')}` })),
      ar('g1', runs(1, 7), { rule: 'G seven' }),
      ar('g2', runs(1, 5), { rule: 'G five high', priority: 'high' }),
      ar('g3', runs(1, 5), { rule: 'G five low', priority: 'low' }),
      ar('g4', runs(1, 5), { rule: 'G five medium b' }),
      ar('g5', runs(1, 5), { rule: 'G five medium a' })
    ]
    const out = mergeRules({ rules, groups: [], contradictions: [] }).rules
    expect(out.filter((r) => r.tier === 'guidance').map((r) => r.text)).toEqual(['G seven', 'G five high'])
    expect(out.filter((r) => r.tier === 'edge-case').map((r) => [r.text, r.note])).toEqual([
      ['G five low', CAP_NOTE],
      ['G five medium a', CAP_NOTE],
      ['G five medium b', CAP_NOTE]
    ])
    expect(out.filter((r) => r.tier === 'core')).toHaveLength(28)
  })
})

describe('conflicts', () => {
  const base = (a: AnalystRule, b: AnalystRule): MergeInput => ({
    rules: [a, b],
    groups: [
      { members: [a.id], wording: a.rule },
      { members: [b.id], wording: b.rule }
    ],
    contradictions: [{ a: 1, b: 0, why: 'one says tabs, the other spaces' }]
  })

  it('the rule with more evidence wins', () => {
    const { rules, conflicts } = mergeRules(
      base(ar('x', runs(1, 9), { rule: 'Use tabs' }), ar('y', runs(20, 3), { rule: 'Use spaces', priority: 'high' }))
    )
    expect(conflicts).toEqual([
      {
        id: 'c1',
        a: 'r2',
        b: 'r1',
        why: 'one says tabs, the other spaces',
        winner: 'r1',
        loser: 'r2',
        decision: '9 runs against 3',
        reversed: false
      }
    ])
    expect(byText(rules, 'Use tabs').tier).toBe('core')
    expect(byText(rules, 'Use spaces')).toMatchObject({
      tier: 'discarded',
      note: 'lost a conflict with "Use tabs": one says tabs, the other spaces'
    })
  })

  it('on equal evidence the higher priority wins', () => {
    const { rules, conflicts } = mergeRules(
      base(ar('x', runs(1, 5), { rule: 'Use tabs', priority: 'low' }), ar('y', runs(10, 5), { rule: 'Use spaces', priority: 'high' }))
    )
    expect(conflicts.map((c) => [c.winner, c.loser, c.decision])).toEqual([['r2', 'r1', 'tie at 5 runs: high priority against low']])
    expect(tiers(rules)).toEqual({ 'Use spaces': 'guidance', 'Use tabs': 'discarded' })
  })

  it('on a full tie the lower group index wins', () => {
    const { rules, conflicts } = mergeRules(base(ar('x', runs(1, 4), { rule: 'Use tabs' }), ar('y', runs(10, 4), { rule: 'Use spaces' })))
    expect(conflicts.map((c) => [c.a, c.b, c.winner, c.loser, c.decision])).toEqual([['r2', 'r1', 'r1', 'r2', 'tie: kept the first']])
    expect(tiers(rules)).toEqual({ 'Use tabs': 'guidance', 'Use spaces': 'discarded' })
  })

  it('ignores bad indexes, self-contradictions and repeated pairs, with warnings', () => {
    const input = base(ar('x', runs(1, 9), { rule: 'Use tabs' }), ar('y', runs(20, 3), { rule: 'Use spaces' }))
    input.contradictions = [
      { a: 0, b: 5, why: 'out of range' },
      { a: -1, b: 0, why: 'negative' },
      { a: 1, b: 1, why: 'itself' },
      { a: 0, b: 1, why: 'real' },
      { a: 1, b: 0, why: 'again' }
    ]
    const { conflicts, warnings } = mergeRules(input)
    expect(warnings).toEqual([
      'contradiction 0 (0, 5): no such group; ignored',
      'contradiction 1 (-1, 0): no such group; ignored',
      'contradiction 2 (1, 1): a group cannot contradict itself; ignored',
      'contradiction 4 (1, 0): the same two groups already conflict; ignored'
    ])
    expect(conflicts.map((c) => [c.why, c.winner, c.loser])).toEqual([['real', 'r1', 'r2']])
  })

  it('reverseConflict flips the decision; the old loser gets its evidence tier back', () => {
    const merged = mergeRules(base(ar('x', runs(1, 9), { rule: 'Use tabs' }), ar('y', runs(20, 4), { rule: 'Use spaces' })))
    const rulesBefore = structuredClone(merged.rules)
    const conflictsBefore = structuredClone(merged.conflicts)
    const once = reverseConflict(merged.rules, merged.conflicts, 'c1')
    expect(once.conflicts).toEqual([{ ...conflictsBefore[0], winner: 'r2', loser: 'r1', reversed: true }])
    expect(byText(once.rules, 'Use spaces').tier).toBe('guidance')
    expect(byText(once.rules, 'Use spaces').note).toBeUndefined()
    expect(byText(once.rules, 'Use tabs')).toMatchObject({
      tier: 'discarded',
      note: 'lost a conflict with "Use spaces": one says tabs, the other spaces'
    })
    expect(once.rules.map((r) => r.text)).toEqual(['Use spaces', 'Use tabs'])
    // inputs untouched
    expect(merged.rules).toEqual(rulesBefore)
    expect(merged.conflicts).toEqual(conflictsBefore)
    // and back
    const twice = reverseConflict(once.rules, once.conflicts, 'c1')
    expect(twice.conflicts).toEqual(conflictsBefore)
    expect(twice.rules).toEqual(rulesBefore)
    expect(() => reverseConflict(merged.rules, merged.conflicts, 'nope')).toThrow('no conflict with id "nope"')
  })
})

describe('deepen mode', () => {
  it('keeps existing rules without evidence; an existing rule contradicted by evidence loses', () => {
    const { rules, conflicts, warnings } = mergeRules({
      rules: [ar('a', [2, 5], { rule: 'Indent with spaces' }), ar('b', [1], { rule: 'One-off' })],
      groups: [{ members: ['a'], wording: 'Indent with spaces' }],
      existing: [
        { text: 'Keep the page short', tier: 'core' },
        { text: 'Indent with tabs', tier: 'guidance' },
        { text: 'Mind the footer', tier: 'edge-case' }
      ],
      // group 0 is "a"; existing rules are groups 1, 2, 3
      contradictions: [
        { a: 2, b: 0, why: 'tabs or spaces' },
        { a: 1, b: 3, why: 'two existing rules' }
      ]
    })
    expect(warnings).toEqual(['contradiction 1 (1, 3): two existing rules; nothing to decide with; ignored'])
    expect(conflicts).toEqual([
      {
        id: 'c1',
        a: 'r4',
        b: 'r1',
        why: 'tabs or spaces',
        winner: 'r1',
        loser: 'r4',
        decision: 'evidence from 2 runs against the existing rule',
        reversed: false
      }
    ])
    expect(rules.map((r) => [r.id, r.text, r.tier, r.existing, r.evidence, r.note])).toEqual([
      ['r3', 'Keep the page short', 'core', true, [], EXISTING_NOTE],
      ['r1', 'Indent with spaces', 'edge-case', false, [2, 5], undefined],
      ['r5', 'Mind the footer', 'edge-case', true, [], EXISTING_NOTE],
      ['r2', 'One-off', 'discarded', false, [1], undefined],
      ['r4', 'Indent with tabs', 'discarded', true, [], 'lost a conflict with "Indent with spaces": tabs or spaces']
    ])
    const kept = byText(rules, 'Keep the page short')
    expect([kept.sources, kept.analysts, kept.pinnedTier, kept.guard]).toEqual([[], [], false, false])
  })

  it('an existing rule that lost gets its given tier back when the conflict is reversed', () => {
    const merged = mergeRules({
      rules: [ar('a', runs(1, 9), { rule: 'New way' })],
      groups: [{ members: ['a'], wording: 'New way' }],
      existing: [{ text: 'Old way', tier: 'core' }],
      contradictions: [{ a: 0, b: 1, why: 'old or new' }]
    })
    expect(tiers(merged.rules)).toEqual({ 'New way': 'core', 'Old way': 'discarded' })
    const rev = reverseConflict(merged.rules, merged.conflicts, 'c1')
    expect(byText(rev.rules, 'Old way')).toMatchObject({ tier: 'core', note: EXISTING_NOTE })
    expect(byText(rev.rules, 'New way')).toMatchObject({ tier: 'discarded', note: 'lost a conflict with "Old way": old or new' })
  })

  it('existing rules count toward the cap and, having no evidence, are the first to move down', () => {
    const merged = mergeRules({
      rules: Array.from({ length: 30 }, (_, k) => ar(`a${k}`, runs(1, 8), { rule: `Evidence ${String(k).padStart(2, '0')}` })),
      groups: [],
      existing: [{ text: 'Old core rule', tier: 'core' }],
      contradictions: []
    })
    expect(byText(merged.rules, 'Old core rule')).toMatchObject({ tier: 'edge-case', note: CAP_NOTE })
    // one evidence rule fewer: the existing rule goes back to core
    const fewer = retier(
      merged.rules.filter((r) => r.text !== 'Evidence 00'),
      merged.conflicts
    )
    expect(byText(fewer, 'Old core rule')).toMatchObject({ tier: 'core', note: EXISTING_NOTE })
  })
})

describe('retier and pinned tiers', () => {
  it('recomputes tiers after an edit without mutating the input', () => {
    const { rules, conflicts } = mergeRules({
      rules: [ar('a', runs(1, 8), { rule: 'A' }), ar('b', runs(1, 3), { rule: 'B' })],
      groups: [],
      contradictions: []
    })
    const before = structuredClone(rules)
    const edited = rules.map((r) => (r.text === 'A' ? { ...r, evidence: [1, 2, 3] } : r.text === 'B' ? { ...r, evidence: runs(1, 4) } : r))
    const out = retier(edited, conflicts)
    expect(out.map((r) => [r.text, r.tier])).toEqual([
      ['B', 'guidance'],
      ['A', 'edge-case']
    ])
    expect(rules).toEqual(before)
    expect(out[0]).not.toBe(edited[1])
  })

  it('leaves pinned rules where the person put them, through tiering, the cap and conflicts', () => {
    const merged = mergeRules({
      rules: [
        ...Array.from({ length: 30 }, (_, k) => ar(`a${k}`, runs(1, 9), { rule: `Strong ${String(k).padStart(2, '0')}` })),
        ar('w', [1, 2], { rule: 'Weak but wanted' }),
        ar('l', runs(1, 3), { rule: 'Loser pinned' })
      ],
      groups: [
        { members: ['a0'], wording: 'Strong 00' },
        { members: ['l'], wording: 'Loser pinned' }
      ],
      contradictions: [{ a: 0, b: 1, why: 'w' }]
    })
    expect(byText(merged.rules, 'Weak but wanted').tier).toBe('edge-case')
    expect(byText(merged.rules, 'Loser pinned').tier).toBe('discarded')
    const pinned = merged.rules.map((r) =>
      r.text === 'Weak but wanted'
        ? { ...r, tier: 'core' as const, pinnedTier: true, note: 'moved by you' }
        : r.text === 'Loser pinned'
          ? { ...r, tier: 'guidance' as const, pinnedTier: true, note: 'kept by you' }
          : r
    )
    const out = retier(pinned, merged.conflicts)
    expect(byText(out, 'Weak but wanted')).toMatchObject({ tier: 'core', note: 'moved by you', pinnedTier: true })
    expect(byText(out, 'Loser pinned')).toMatchObject({ tier: 'guidance', note: 'kept by you' })
    // pinned rules count toward the cap and rank first: 2 pinned + 28 strong stay; the 2 weakest-ranked strong ones move
    expect(out.filter((r) => r.tier === 'core' || r.tier === 'guidance')).toHaveLength(30)
    expect(out.filter((r) => r.note === CAP_NOTE).map((r) => r.text)).toEqual(['Strong 28', 'Strong 29'])
  })
})

describe('deepen never holds two rules with the same meaning', () => {
  const WRITE = 'Write one index.html with inline CSS, then stop.'
  const SHELL = 'Before running any shell tool, verify it is installed with `command -v`.'
  const VERIFY = 'Verify the written file'
  /** the skill being deepened: its rules cite runs of batch A; the new runs are in batch B */
  const existing = [
    { text: WRITE, tier: 'core' as const, evidence: runs(1, 9), batchId: 'A' },
    { text: SHELL, tier: 'guidance' as const, evidence: [2, 4, 6, 8], batchId: 'A' },
    { text: VERIFY, tier: 'edge-case' as const, evidence: [3, 5], batchId: 'A' },
    { text: 'Keep the hero short', tier: 'guidance' as const, evidence: [1, 2, 3, 4], batchId: 'A' }
  ]

  it('an existing rule restated with a sentence added takes the new evidence and keeps its own', () => {
    const { rules, warnings } = mergeRules({
      rules: [
        ar('a', runs(10, 12), { rule: `${WRITE} Do not ask follow-up questions.`, analyst: 'success' }),
        ar('b', runs(20, 8), { rule: 'Before running any shell tool, verify that it exists with `command -v`.', analyst: 'edge' }),
        ar('c', runs(30, 9), { rule: 'Verify the written file exists and opens before you finish.', analyst: 'error' }),
        ar('d', [1, 2], { rule: 'Name the page after the product' })
      ],
      groups: [],
      contradictions: [],
      existing,
      batchId: 'B'
    })
    expect(warnings).toEqual([])
    const live = rules.filter((r) => r.tier !== 'discarded')
    // one rule per meaning, across every tier
    expect(live).toHaveLength(5)
    const write = live.filter((r) => r.text.startsWith('Write one index.html'))
    expect(write).toHaveLength(1)
    expect(write[0]).toMatchObject({
      text: `${WRITE} Do not ask follow-up questions.`,
      tier: 'core',
      existing: true,
      evidence: runs(10, 12),
      earlier: [{ batchId: 'A', runs: runs(1, 9) }],
      sources: ['a'],
      analysts: ['success']
    })
    const shell = live.filter((r) => r.text.startsWith('Before running any shell tool'))
    expect(shell).toHaveLength(1)
    // a restatement that is not a superset keeps the existing wording
    expect(shell[0]).toMatchObject({ text: SHELL, tier: 'core', evidence: runs(20, 8), earlier: [{ batchId: 'A', runs: [2, 4, 6, 8] }] })
    const verify = live.filter((r) => r.text.startsWith('Verify the written file'))
    expect(verify).toHaveLength(1)
    // out of edge-cases.md: the new evidence lifts it to core
    expect(verify[0]).toMatchObject({ tier: 'core', evidence: runs(30, 9), earlier: [{ batchId: 'A', runs: [3, 5] }] })
    // an existing rule nothing restated keeps its citations too
    expect(byText(rules, 'Keep the hero short')).toMatchObject({
      tier: 'guidance',
      evidence: [],
      earlier: [{ batchId: 'A', runs: [1, 2, 3, 4] }]
    })
  })

  it('follows the merge model when it says a group is the same as an existing rule', () => {
    const { rules } = mergeRules({
      rules: [ar('a', runs(10, 8), { rule: 'Emit a single HTML document and finish' })],
      groups: [{ members: ['a'], wording: 'Emit a single HTML document and finish', existing: 0 }],
      contradictions: [],
      existing,
      batchId: 'B'
    })
    const live = rules.filter((r) => r.tier !== 'discarded')
    expect(live).toHaveLength(4)
    // not a superset of the existing wording: the existing one stays, with both citations
    expect(byText(rules, WRITE)).toMatchObject({ evidence: runs(10, 8), earlier: [{ batchId: 'A', runs: runs(1, 9) }], existing: true })
  })

  it('folds two new groups that say the same thing (the model did not group them), evidence unioned', () => {
    const { rules } = mergeRules({
      rules: [
        ar('a', runs(1, 8), { rule: SHELL }),
        ar('b', [9, 10, 11, 12], { rule: 'Before running any shell tool, verify that it exists with `command -v`.' })
      ],
      groups: [],
      contradictions: []
    })
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ text: SHELL, evidence: runs(1, 12), sources: ['a', 'b'], tier: 'core' })
  })

  it('runs in the same batch as the existing rule are one set of citations, not two', () => {
    const { rules } = mergeRules({
      rules: [ar('a', [5, 6, 7, 8, 9], { rule: WRITE })],
      groups: [],
      contradictions: [],
      existing: [{ text: WRITE, tier: 'guidance', evidence: [1, 2, 3, 4], batchId: 'A' }],
      batchId: 'A'
    })
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ evidence: runs(1, 9), tier: 'core', existing: true })
    expect(rules[0].earlier ?? []).toEqual([])
  })

  it('keeps rules apart that differ in what they say', () => {
    const { rules } = mergeRules({
      rules: [
        ar('a', runs(1, 8), { rule: 'Never use inline styles' }),
        ar('b', runs(1, 8), { rule: 'Always use inline styles' }),
        ar('c', runs(1, 8), { rule: 'Run the build before reporting success' }),
        ar('d', runs(1, 8), { rule: 'Run the tests before reporting success' })
      ],
      groups: [],
      contradictions: []
    })
    expect(rules).toHaveLength(4)
  })
})

describe('sameMeaning', () => {
  it('is true for a restatement and for a sentence added, false for opposites and different objects', () => {
    expect(sameMeaning('Write one index.html, then stop.', 'Write one index.html, then stop. Do not ask questions.')).toBe(true)
    expect(sameMeaning('Verify the written file', 'Verify the written file exists and opens before you finish.')).toBe(true)
    expect(sameMeaning('Never use inline styles', 'Use inline styles')).toBe(false)
    expect(sameMeaning('Run the build before reporting success', 'Run the tests before reporting success')).toBe(false)
    expect(sameMeaning('Keep it short', 'Keep it short (runs 1, 2)')).toBe(true)
    expect(sameMeaning('Use inline styles for the page', 'Do not use inline styles for the page.')).toBe(false)
    expect(sameMeaning("Don't ask the user follow-up questions", 'Do not ask the user follow-up questions.')).toBe(true)
    expect(sameMeaning('Use a blue submit button', 'Use a red submit button')).toBe(false)
  })
})
