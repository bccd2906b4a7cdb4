/**
 * The query set as the person edits it: a draft of the saved set (added, removed, flipped, edited), its
 * undo (each change offered, Ctrl+Z outside text fields), "Save the set" (Ctrl+S), the warning before
 * leaving unsaved changes. A saved set that changes while nothing is edited here (near misses written,
 * another window) is shown at once; an edited draft is never overwritten.
 */
import { useRef, useState } from 'react'
import { MAX_QUERIES, type TriggerQuery, type TriggersView } from '@shared/triggers'
import { useApiMutation } from '../../data/queries'
import { useShortcut } from '../../lib/hotkeys'
import { useWarnBeforeLeaving } from '../../lib/hooks'
import { useUndo } from '../../lib/undo'

const keyOf = (qs: TriggerQuery[]) => JSON.stringify(qs.map((q) => [q.id, q.prompt, q.should, q.source, q.variationId ?? null]))

/** A new query's id: the person's, unique in the set. */
function newId(): string {
  const r = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  return `person-${r}`
}

export function useQueryDraft(view: TriggersView) {
  const [draft, setDraftState] = useState<TriggerQuery[]>(view.queries)
  const [base, setBase] = useState<TriggerQuery[]>(view.queries)
  const [problem, setProblem] = useState<string | null>(null)
  const current = useRef(draft)
  current.current = draft
  // the saved set changed: shown at once if nothing is edited here
  if (keyOf(view.queries) !== keyOf(base)) {
    setBase(view.queries)
    if (keyOf(draft) === keyOf(base)) setDraftState((current.current = view.queries))
  }
  const dirty = keyOf(draft) !== keyOf(view.queries)
  const undo = useUndo('triggers.undo')
  const save = useApiMutation('saveTriggerQueries')

  const setDraft = (next: TriggerQuery[]) => {
    current.current = next
    setDraftState(next)
  }
  /** A change, offered to undo. */
  const change = (next: TriggerQuery[], what: string) => {
    const before = current.current
    setProblem(null)
    setDraft(next)
    undo.offer({ what, undo: () => setDraft(before) })
  }
  const refuse = (why: string) => {
    setProblem(why)
    return false
  }
  const where = (id: string) => current.current.findIndex((q) => q.id === id)

  const add = (prompt: string, should: boolean): boolean => {
    const text = prompt.trim()
    if (!text) return refuse('Type the prompt first.')
    if (current.current.length >= MAX_QUERIES) return refuse(`A set holds at most ${MAX_QUERIES} queries: remove some first.`)
    if (current.current.some((q) => q.prompt.trim() === text)) return refuse('That prompt is in the set already.')
    change(
      [...current.current, { id: newId(), prompt: text, should, source: 'person' }],
      should ? 'Added a should-trigger prompt' : 'Added a near miss'
    )
    return true
  }
  const remove = (id: string) =>
    change(
      current.current.filter((q) => q.id !== id),
      `Removed query ${where(id) + 1}`
    )
  const flip = (id: string) => {
    const q = current.current[where(id)]
    if (!q) return
    change(
      current.current.map((x) => (x.id === id ? { ...x, should: !x.should } : x)),
      q.should ? `Moved query ${where(id) + 1} to "should not"` : `Moved query ${where(id) + 1} to "should load it"`
    )
  }
  const edit = (id: string, prompt: string): boolean => {
    const text = prompt.trim()
    if (!text) return refuse('A query cannot be empty: remove it instead.')
    const q = current.current[where(id)]
    if (!q || q.prompt === text) return true
    change(
      current.current.map((x) => (x.id === id ? { ...x, prompt: text } : x)),
      `Edited query ${where(id) + 1}`
    )
    return true
  }
  const saveSet = () => {
    if (!dirty || save.isPending) return
    // the set as saved (main may have tidied it) becomes the draft: nothing left unsaved
    save.mutate({ skillId: view.skillId, queries: current.current }, { onSuccess: (out) => setDraft(out.queries) })
  }
  /** Back to the saved set (Undo brings the edits back). */
  const discard = () => change(view.queries, 'Discarded the unsaved changes')

  useShortcut('triggers.save', (e) => {
    e.preventDefault()
    saveSet()
  })
  useWarnBeforeLeaving(dirty)

  return { draft, dirty, problem, add, remove, flip, edit, saveSet, discard, save, undo }
}
