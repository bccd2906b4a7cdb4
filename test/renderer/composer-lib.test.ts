import { describe, expect, it } from 'vitest'
import { createDraftHistory, draftOf, keepDraft, loadDraft, sameDraft, type Draft } from '../../src/renderer/src/lib/composer'
import type { Skill } from '../../src/shared/skills'

const SKILL: Skill = {
  id: 's1',
  batchIds: ['b1'],
  frontMatter: { name: 'landing-pages', description: 'Build landing pages.' },
  title: 'Landing pages',
  whenToUse: '',
  rules: [],
  conflicts: [],
  setAside: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z'
}

const base = draftOf(SKILL)
const named = (name: string): Draft => ({ ...base, frontMatter: { ...base.frontMatter, name } })

/** A storage as small as the functions need, that can be made to fail. */
function storage(fail = false) {
  const m = new Map<string, string>()
  const check = () => {
    if (fail) throw new Error('QuotaExceededError')
  }
  return {
    m,
    getItem: (k: string) => (check(), m.get(k) ?? null),
    setItem: (k: string, v: string) => (check(), void m.set(k, v)),
    removeItem: (k: string) => (check(), void m.delete(k))
  }
}

describe('the composer draft', () => {
  it('is the skill without what is not edited (ids, dates, set-aside rules)', () => {
    expect(Object.keys(base).sort()).toEqual(['conflicts', 'frontMatter', 'markdown', 'rules', 'title', 'topics', 'whenToUse'])
    expect(sameDraft(base, draftOf({ ...SKILL, updatedAt: 'later' }))).toBe(true)
    expect(sameDraft(base, named('other'))).toBe(false)
  })

  it('typing in one field is one undo step; another field starts another; redo comes back and typing drops it', () => {
    const h = createDraftHistory()
    let d = base
    const type = (name: string, key: string) => {
      h.record(d, key)
      d = named(name)
    }
    type('l', 'name')
    type('la', 'name')
    type('lan', 'name')
    h.record(d, 'description')
    d = { ...d, frontMatter: { ...d.frontMatter, description: 'x' } }
    expect(h.canUndo).toBe(true)

    d = h.undo(d)!
    expect(d.frontMatter).toEqual({ name: 'lan', description: 'Build landing pages.' })
    d = h.undo(d)!
    expect(sameDraft(d, base)).toBe(true)
    expect(h.undo(d)).toBeNull()
    expect(h.canRedo).toBe(true)

    d = h.redo(d)!
    expect(d.frontMatter.name).toBe('lan')
    // typing after a redo is a step of its own
    type('lane', 'name')
    expect(h.canRedo).toBe(false)
    d = h.undo(d)!
    expect(d.frontMatter.name).toBe('lan')

    h.clear()
    expect(h.canUndo || h.canRedo).toBe(false)
  })

  it('an unsaved draft is kept while it differs from what is saved, and forgotten once it does not', () => {
    const s = storage()
    keepDraft('s1', named('changed'), true, s)
    expect(loadDraft('s1', s)?.frontMatter.name).toBe('changed')
    expect(loadDraft('s2', s)).toBeNull()
    keepDraft('s1', base, false, s)
    expect(loadDraft('s1', s)).toBeNull()
    expect(s.m.size).toBe(0)
  })

  it('a kept draft that cannot be read is ignored, and a storage that fails loses nothing but the copy', () => {
    const s = storage()
    s.m.set('t2s-skill-draft-s1', '{not json')
    expect(loadDraft('s1', s)).toBeNull()
    s.m.set('t2s-skill-draft-s1', JSON.stringify({ title: 'no rules' }))
    expect(loadDraft('s1', s)).toBeNull()
    const broken = storage(true)
    expect(() => keepDraft('s1', base, true, broken)).not.toThrow()
    expect(loadDraft('s1', broken)).toBeNull()
  })
})
