/**
 * The composer's logic, kept out of React (unit-tested in test/renderer): the draft of a skill, its
 * undo history (typing in one field is one step, not one per key), and the unsaved draft kept in
 * localStorage so a reload or a crash loses nothing.
 */
import type { Skill } from '@shared/skills'

export type Draft = Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'conflicts' | 'markdown' | 'topics'>

export const draftOf = (s: Skill): Draft => ({
  frontMatter: s.frontMatter,
  title: s.title,
  whenToUse: s.whenToUse,
  rules: s.rules,
  conflicts: s.conflicts,
  markdown: s.markdown,
  topics: s.topics
})

/** Same content (the key order of objects made the same way is the same). */
export const sameDraft = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Undo and redo over drafts. `record(before, coalesce)` is called with the draft as it was before a
 * change; changes with the same `coalesce` key in a row (typing in one field) make one step.
 */
export function createDraftHistory() {
  let past: { draft: Draft; key?: string }[] = []
  let future: Draft[] = []
  return {
    record(before: Draft, coalesce?: string) {
      const last = past[past.length - 1]
      if (!coalesce || last?.key !== coalesce) past.push({ draft: before, key: coalesce })
      future = []
    },
    /** the draft to go back to (the caller shows it), or null */
    undo(current: Draft): Draft | null {
      const prev = past.pop()
      if (!prev) return null
      future.push(current)
      return prev.draft
    },
    redo(current: Draft): Draft | null {
      const next = future.pop()
      if (!next) return null
      // a step of its own: typing after a redo is not merged into what came before it
      past.push({ draft: current })
      return next
    },
    clear() {
      past = []
      future = []
    },
    get canUndo() {
      return past.length > 0
    },
    get canRedo() {
      return future.length > 0
    }
  }
}

export type DraftHistory = ReturnType<typeof createDraftHistory>

const draftKey = (skillId: string) => `t2s-skill-draft-${skillId}`

/** An unsaved draft from before a reload or a crash (null when there is none, or it cannot be read). */
export function loadDraft(skillId: string, storage: Pick<Storage, 'getItem'> = localStorage): Draft | null {
  try {
    const kept = storage.getItem(draftKey(skillId))
    if (!kept) return null
    const d = JSON.parse(kept) as Draft
    return d && typeof d === 'object' && d.frontMatter && Array.isArray(d.rules) && Array.isArray(d.conflicts) ? d : null
  } catch {
    return null
  }
}

/** Keep the draft while it differs from what is saved; forget it once it does not. */
export function keepDraft(
  skillId: string,
  draft: Draft,
  dirty: boolean,
  storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage
): void {
  try {
    if (dirty) storage.setItem(draftKey(skillId), JSON.stringify(draft))
    else storage.removeItem(draftKey(skillId))
  } catch {
    /* storage full or disabled: the draft lives until the page closes */
  }
}
