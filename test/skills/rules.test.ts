/**
 * Removing a rule card keeps it (discarded, marked removed) so it can be restored; the guard test
 * shared by the edge analyst and the merge.
 */
import { describe, expect, it } from 'vitest'
import { retier } from '../../src/main/skills/rules/tiers'
import { isGuard, removeRule, restoreRule, type SkillRule } from '../../src/shared/skills'

const base: SkillRule = {
  id: 'r1',
  text: 'Run the build before finishing',
  evidence: [1, 2, 3, 4],
  priority: 'high',
  tier: 'guidance',
  sources: ['a1'],
  analysts: ['error'],
  reasons: ['runs 1-4'],
  pointers: [],
  guard: false,
  existing: false,
  pinnedTier: false
}

describe('removing and restoring a rule', () => {
  it('moves it to discarded, remembers where it was, and stays there when re-tiered', () => {
    const removed = removeRule(base)
    expect(removed).toMatchObject({
      tier: 'discarded',
      pinnedTier: true,
      note: 'removed by you',
      removed: { tier: 'guidance', pinnedTier: false }
    })
    expect(retier([removed], [])[0]).toMatchObject({ tier: 'discarded', removed: { tier: 'guidance' } })
    expect(base.tier).toBe('guidance') // not mutated
  })

  it('restores it exactly as it was, pinned tier and note included', () => {
    expect(restoreRule(removeRule(base))).toEqual(base)
    const moved: SkillRule = { ...base, tier: 'core', pinnedTier: true, note: 'moved by you' }
    expect(restoreRule(removeRule(moved))).toEqual(moved)
    // removing twice keeps the first place it came from
    expect(restoreRule(removeRule(removeRule(moved)))).toEqual(moved)
    // a rule that was never removed is returned as it is
    expect(restoreRule(base)).toEqual(base)
  })
})

describe('isGuard', () => {
  it('reads "Before X, verify Y" and "If X, do Y" as guards, plain instructions not', () => {
    expect(isGuard('Before writing, verify the folder exists')).toBe(true)
    expect(isGuard('If the brief is empty, ask')).toBe(true)
    expect(isGuard('Run the build')).toBe(false)
  })
})
