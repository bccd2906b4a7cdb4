/** A confirmation's results per rule, against hand values: confirmed, unconfirmed, harmful (first), pending. */
import { describe, expect, it } from 'vitest'
import { confirmResults, ruleStatus, statusBadge, statusLine, type ConfirmRun } from '../../src/shared/confirm'
import { pickVariations } from '../../src/main/verify/confirm/plan'

const run = (rule: string, number: number, expect: 'fix' | 'keep', label: 'good' | 'bad' | null): ConfirmRun & { rule: string } => ({
  rule,
  runId: `r${number}`,
  number,
  expect,
  variation: 0,
  prompt: 'p',
  state: 'done',
  label
})

describe('a rule status from its runs', () => {
  it('confirmed when at least half (and one) of its fixes pass and the good variation still passes', () => {
    expect(ruleStatus([run('a', 1, 'fix', 'good'), run('a', 2, 'fix', 'good'), run('a', 3, 'keep', 'good')])).toBe('confirmed')
    expect(ruleStatus([run('a', 1, 'fix', 'good'), run('a', 2, 'fix', 'bad'), run('a', 3, 'keep', 'good')])).toBe('confirmed')
    // no good variation to check: judged on its failures alone
    expect(ruleStatus([run('a', 1, 'fix', 'good')])).toBe('confirmed')
  })
  it('unconfirmed when fewer than half pass', () => {
    expect(ruleStatus([run('a', 1, 'fix', 'bad'), run('a', 2, 'fix', 'bad'), run('a', 3, 'keep', 'good')])).toBe('unconfirmed')
    expect(ruleStatus([run('a', 1, 'fix', 'good'), run('a', 2, 'fix', 'bad'), run('a', 3, 'fix', 'bad')])).toBe('unconfirmed')
  })
  it('harmful when its good variation now fails, before all else (even a confirmed fix or an ungraded run)', () => {
    expect(ruleStatus([run('a', 1, 'fix', 'good'), run('a', 2, 'fix', 'good'), run('a', 3, 'keep', 'bad')])).toBe('harmful')
    expect(ruleStatus([run('a', 1, 'fix', null), run('a', 3, 'keep', 'bad')])).toBe('harmful')
  })
  it('pending while any of its runs is not graded', () => {
    expect(ruleStatus([run('a', 1, 'fix', 'good'), run('a', 2, 'fix', null), run('a', 3, 'keep', 'good')])).toBe('pending')
  })
})

describe('the results of a confirmation', () => {
  const version = { id: 'v', number: 3 }
  const rules = [
    { id: 'A', text: 'Rule A' },
    { id: 'B', text: 'Rule B' },
    { id: 'C', text: 'Rule C' },
    { id: 'D', text: 'Rule D' }
  ]
  const runs = [
    run('A', 5, 'fix', 'good'),
    run('A', 2, 'fix', 'good'),
    run('A', 9, 'keep', 'good'),
    run('B', 1, 'fix', 'bad'),
    run('B', 4, 'keep', 'good'),
    run('C', 3, 'fix', 'good'),
    run('C', 7, 'keep', 'bad'),
    run('D', 6, 'fix', null),
    run('D', 8, 'keep', 'good')
  ]
  const out = confirmResults(version, rules, runs)

  it('says each rule with its counts and its runs in deck order', () => {
    expect(out.counts).toEqual({ confirmed: 1, unconfirmed: 1, harmful: 1, pending: 1 })
    expect(out.rules.map((r) => [r.ruleId, r.status])).toEqual([
      ['A', 'confirmed'],
      ['B', 'unconfirmed'],
      ['C', 'harmful'],
      ['D', 'pending']
    ])
    expect(out.rules[0].fix).toEqual({ passed: 2, graded: 2, n: 2 })
    expect(out.rules[0].keep).toEqual({ passed: 1, graded: 1, n: 1 })
    expect(out.rules[0].runs.map((r) => r.number)).toEqual([2, 5, 9])
    expect(out.rules[3].fix).toEqual({ passed: 0, graded: 0, n: 1 })
  })
  it('badges and lines', () => {
    expect(out.rules.map(statusBadge)).toEqual([
      'confirmed 2/2',
      'unconfirmed 0/1',
      'harmful: broke a good variation',
      'pending 1/2 graded'
    ])
    expect(statusLine(out.rules[0])).toBe('confirmed 2/2 (good variation kept 1/1)')
    expect(statusLine(out.rules[2])).toBe('harmful: broke a good variation (good variation kept 0/1)')
  })
})

describe('the variations each rule re-runs', () => {
  const R = (number: number, prompt: string, label: 'good' | 'bad' | undefined) => ({
    number,
    prompt,
    difficulty: 'normal' as const,
    ...(label ? { feedback: { label, text: '', updatedAt: '' } } : {})
  })
  const runs = [
    R(1, 'X', 'bad'),
    R(2, 'X', 'bad'),
    R(3, 'Y', 'bad'),
    R(4, 'Z', 'bad'),
    R(5, 'G1', 'good'),
    R(6, 'G2', 'good'),
    R(7, 'U', undefined)
  ]

  it('takes the distinct bad variations a rule cites (perRule of them), one good it cites, else the batch good ones spread across rules', () => {
    const { rules, variations } = pickVariations(
      [
        { id: 'A', text: 'a', evidence: [1, 2, 3, 4] },
        { id: 'B', text: 'b', evidence: [3, 6] },
        { id: 'C', text: 'c', evidence: [4, 7] },
        { id: 'D', text: 'd', evidence: [5, 6] },
        { id: 'E', text: 'e', evidence: [3] }
      ],
      runs,
      2,
      1
    )
    const name = (i: number) => variations[i].prompt
    const out = rules.map((r) => ({ id: r.id, bad: r.badRuns, fix: r.fix.map(name), keep: r.keep.map(name) }))
    expect(out).toEqual([
      { id: 'A', bad: [1, 2, 3, 4], fix: ['X', 'Y'], keep: ['G1'] },
      { id: 'B', bad: [3], fix: ['Y'], keep: ['G2'] },
      { id: 'C', bad: [4], fix: ['Z'], keep: ['G2'] },
      { id: 'E', bad: [3], fix: ['Y'], keep: ['G1'] }
    ])
    // each variation once
    expect(variations.map((v) => v.prompt)).toEqual(['X', 'Y', 'G1', 'G2', 'Z'])
  })
})
