import { useEffect, useMemo, useRef, useState } from 'react'
import type { SkillView } from '@shared/contract'
import { renderEdgeCasesMd, renderReferenceFiles, renderSkillMd, validateFrontMatter } from '@shared/skill-md'
import { addTopic, editTopic, moveToTopic, renameTopic } from '@shared/skill-references'
import type { SkillRule } from '@shared/skills'
import { brokenRuleFlags, ruleTallies } from '@shared/rule-outcomes'
import { useApi, useApiMutation } from '../../data/queries'
import { createDraftHistory, draftOf, keepDraft, loadDraft, sameDraft, type Draft } from '../../lib/composer'
import { useShortcut } from '../../lib/hotkeys'
import { useWarnBeforeLeaving } from '../../lib/hooks'
import type { RuleFlag } from './RuleCard'
import type { TopicEdits } from './TopicGroups'

/**
 * The composer's state: the draft (kept across a reload until saved), its undo history, saving a
 * version (Ctrl+S), the shortcuts, the warning before leaving unsaved edits, and what the draft renders to.
 */
export function useComposer(view: SkillView) {
  const skill = view.skill
  const batchId = skill.batchIds[skill.batchIds.length - 1]
  const saved = useMemo(() => draftOf(skill), [skill])
  // an unsaved draft from before a reload or a crash comes back
  const [draft, setDraftState] = useState<Draft>(() => loadDraft(skill.id) ?? saved)
  const undoable = useRef(createDraftHistory()).current
  const saveSkill = useApiMutation('saveSkill')
  const reverseConflict = useApiMutation('reverseConflict')
  // the verifications of this skill (the same entry as the Verifications section's)
  const verifications = useApi('listVerifications', { skillId: skill.id })
  // its confirmations (rules re-run on their failures), newest first
  const confirmationList = useApi('listVerifications', { skillId: skill.id, kind: 'confirm' })
  const [error, setError] = useState<Error | null>(null)
  /** one line after a save that had nothing to save */
  const [info, setInfo] = useState<string | null>(null)
  const dirty = !sameDraft(draft, saved)
  const lastVersion = view.versions[view.versions.length - 1]?.number
  // the draft as of the last render's changes, for changes made before the next render
  const current = useRef(draft)
  current.current = draft

  const setDraft = (next: Draft | ((d: Draft) => Draft), coalesce?: string) => {
    const before = current.current
    const n = typeof next === 'function' ? next(before) : next
    undoable.record(before, coalesce)
    current.current = n
    setDraftState(n)
  }
  /** back to what is saved (after a save, a restore or a reversed conflict); nothing to undo */
  const resetTo = (v: SkillView) => {
    undoable.clear()
    current.current = draftOf(v.skill)
    setDraftState(current.current)
  }
  useEffect(() => keepDraft(skill.id, draft, dirty), [draft, dirty, skill.id])

  const undo = () => {
    const prev = undoable.undo(current.current)
    if (prev) setDraftState((current.current = prev))
  }
  const redo = () => {
    const next = undoable.redo(current.current)
    if (next) setDraftState((current.current = next))
  }
  const save = async (label?: string) => {
    setError(null)
    setInfo(null)
    // nothing to save: no version is made (Ctrl+S on a saved skill)
    if (!dirty)
      return setInfo(lastVersion ? `Nothing changed since version ${lastVersion}: no new version.` : 'Nothing changed: no new version.')
    try {
      const { frontMatter, title, whenToUse, rules, conflicts, markdown, topics } = draft
      const v = await saveSkill.mutateAsync({
        skillId: skill.id,
        patch: { frontMatter, title, whenToUse, rules, conflicts, markdown: markdown ?? null, ...(topics ? { topics } : {}) },
        label
      })
      keepDraft(skill.id, draftOf(v.skill), false)
      resetTo(v)
      if (v.unchangedSince) setInfo(`Nothing changed since version ${v.unchangedSince}: no new version.`)
    } catch (e) {
      setError(e as Error)
    }
  }

  useShortcut('composer.save', (e) => {
    e.preventDefault()
    void save()
  })
  // Ctrl+Z in a text field (or the SKILL.md editor) is that field's own undo
  useShortcut('composer.undo', (e) => {
    e.preventDefault()
    undo()
  })
  useShortcut('composer.redo', (e) => {
    e.preventDefault()
    redo()
  })
  useWarnBeforeLeaving(dirty)

  const problems = validateFrontMatter(draft.frontMatter, draft.frontMatter.name)
  const rendered = renderSkillMd({ ...draft })
  const text = draft.markdown ?? rendered
  const edge = renderEdgeCasesMd({ ...draft })
  /** every reference file the draft writes (by topic; or its one edge-cases.md) */
  const references = renderReferenceFiles({ ...draft })
  const flags = useMemo(() => {
    const list = verifications.data ?? []
    const byId = new Map(list.map((x) => [x.verification.id, x]))
    const out = new Map<string, RuleFlag[]>()
    for (const f of brokenRuleFlags(
      draft.rules,
      list.map((x) => x.verification),
      (id) => byId.get(id)?.report?.comparison.broken ?? []
    ))
      out.set(f.ruleId, [...(out.get(f.ruleId) ?? []), { ...f, batchId: byId.get(f.verificationId)?.verification.batchId }])
    return out
  }, [verifications.data, draft.rules])
  /** per rule: explained pairs where it was followed and the skill fixed the run, or broke it */
  const tallies = useMemo(() => {
    const list = verifications.data ?? []
    const byId = new Map(list.map((x) => [x.verification.id, x]))
    return ruleTallies(
      draft.rules,
      list.map((x) => x.verification),
      (id) => byId.get(id)?.report?.comparison ?? { fixed: [], broken: [] }
    )
  }, [verifications.data, draft.rules])
  const confirmations = useMemo(
    () => (confirmationList.data ?? []).filter((x) => x.verification.kind === 'confirm'),
    [confirmationList.data]
  )
  /** per rule: its result in the newest confirmation of the newest saved version (a later version is not confirmed by it) */
  const confirmed = useMemo(() => {
    const newest = view.versions[view.versions.length - 1]
    const done = confirmations.find((x) => x.confirm && x.verification.version.id === newest?.id)
    return new Map((done?.confirm?.rules ?? []).map((r) => [r.ruleId, { result: r, batchId: done!.verification.batchId }]))
  }, [confirmations, view.versions])
  const updateRule = (id: string, patch: Partial<SkillRule>, coalesce?: string) =>
    setDraft((d) => ({ ...d, rules: d.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) }), coalesce)
  /** the reference files by topic: a topic's title and "when", its name, a new one; an edge case moved between them */
  const topicEdits: TopicEdits & { move: (ruleId: string, name: string | null) => void } = {
    edit: (name, patch, coalesce) => setDraft((d) => editTopic(d, name, patch), coalesce),
    rename: (name, to) => setDraft((d) => renameTopic(d, name, to)),
    add: (ruleId) => setDraft((d) => addTopic(d, ruleId).draft),
    move: (ruleId, name) => setDraft((d) => (name === null ? addTopic(d, ruleId).draft : moveToTopic(d, ruleId, name)))
  }

  return {
    skill,
    batchId,
    saved,
    draft,
    setDraft,
    resetTo,
    undoable,
    undo,
    redo,
    save,
    saveSkill,
    reverseConflict,
    tallies,
    confirmations,
    confirmed,
    error,
    setError,
    info,
    dirty,
    problems,
    text,
    edge,
    references,
    flags,
    updateRule,
    topicEdits
  }
}
