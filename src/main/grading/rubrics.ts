/**
 * A task's rubric in the store: built from a batch (a new version, or the first), edited by the person
 * (each edit a new version; every version is kept, so nothing is lost and any can be restored).
 * Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail } from '../../shared/contract'
import type { Assertion, Rubric, RubricVersion, RubricView } from '../../shared/grading'
import type { Store } from '../store/store'
import { newAssertionId } from './rubric'

const now = () => new Date().toISOString()

export type RubricEdit =
  | { op: 'edit'; assertionId: string; text: string }
  | { op: 'add'; text: string }
  | { op: 'delete'; assertionId: string }
  | { op: 'restore'; versionId: string }

export async function rubricView(store: Store, rubricId: string): Promise<RubricView> {
  const rubric = await store.rubrics.get(rubricId)
  if (!rubric) throw fail(`no such rubric: ${rubricId}`, 'not-found')
  const versions = await store.rubrics.versions(rubricId)
  const current = versions.find((v) => v.id === rubric.currentVersionId) ?? versions[versions.length - 1]
  if (!current) throw fail(`the rubric ${rubricId} has no version`, 'not-found')
  return {
    rubric,
    current,
    history: versions.map((v) => ({ id: v.id, number: v.number, createdAt: v.createdAt, made: v.made, note: v.note }))
  }
}

/** The rubric of a batch's task (of the batch itself when it has no task), if there is one. */
export function rubricIdOf(store: Store, batchId: string): string | undefined {
  const taskId = store.batches.head(batchId)?.taskId
  return store.rubrics.ofTask(taskId, batchId)
}

/** Save a rubric the model built from a batch: the task's rubric gets a new version (a first one is created). */
export async function saveBuilt(
  store: Store,
  batchId: string,
  assertions: Assertion[],
  meta: { model: string; costUsd: number; fromRuns: number[] }
): Promise<RubricView> {
  const taskId = store.batches.head(batchId)?.taskId
  const existing = store.rubrics.ofTask(taskId, batchId)
  const at = now()
  const before = existing ? await store.rubrics.versions(existing) : []
  const v: RubricVersion = {
    id: randomUUID(),
    number: (before[before.length - 1]?.number ?? 0) + 1,
    createdAt: at,
    assertions,
    made: 'built',
    note: `built from the sentences of ${meta.fromRuns.length} graded run${meta.fromRuns.length === 1 ? '' : 's'}: ${assertions.length} assertion${assertions.length === 1 ? '' : 's'}`,
    model: meta.model,
    costUsd: meta.costUsd,
    fromRuns: meta.fromRuns
  }
  const old = existing ? await store.rubrics.get(existing) : undefined
  const rubric: Rubric = old
    ? { ...old, batchId, updatedAt: at, currentVersionId: v.id }
    : { id: randomUUID(), ...(taskId ? { taskId } : {}), batchId, createdAt: at, updatedAt: at, currentVersionId: v.id }
  await store.rubrics.putWithVersion(rubric, v)
  return rubricView(store, rubric.id)
}

const clean = (text: string) => {
  const t = text.replace(/\s+/g, ' ').trim()
  if (!t) throw fail('an assertion cannot be empty', 'invalid')
  return t
}

/**
 * One edit by the person, saved as a new version. `baseVersionId`: the version the edit was made on;
 * when the rubric has moved on since (another window, a rebuild), the edit is refused and nothing changes.
 */
export async function editRubric(store: Store, rubricId: string, edit: RubricEdit, baseVersionId?: string): Promise<RubricView> {
  const view = await rubricView(store, rubricId)
  if (baseVersionId && baseVersionId !== view.current.id)
    throw fail(`the rubric has changed since (now version ${view.current.number}); reload it and edit again`, 'invalid')
  const list = view.current.assertions
  const find = (id: string) => {
    const i = list.findIndex((a) => a.id === id)
    if (i < 0) throw fail(`the rubric has no assertion ${id}`, 'not-found')
    return i
  }
  let assertions: Assertion[]
  let note: string
  if (edit.op === 'edit') {
    const i = find(edit.assertionId)
    const text = clean(edit.text)
    if (text === list[i].text) return view
    assertions = list.map((a, j) => (j === i ? { ...a, text, by: 'person' as const } : a))
    note = `assertion ${i + 1} edited`
  } else if (edit.op === 'add') {
    assertions = [...list, { id: newAssertionId(), text: clean(edit.text), runs: [], by: 'person' }]
    note = `assertion ${assertions.length} added`
  } else if (edit.op === 'delete') {
    const i = find(edit.assertionId)
    assertions = list.filter((_, j) => j !== i)
    note = `assertion ${i + 1} deleted ("${list[i].text.slice(0, 60)}${list[i].text.length > 60 ? '…' : ''}")`
  } else {
    const from = await store.rubrics.version(rubricId, edit.versionId)
    if (!from) throw fail(`the rubric has no version ${edit.versionId}`, 'not-found')
    assertions = from.assertions
    note = `version ${from.number} restored`
  }
  const at = now()
  const v: RubricVersion = { id: randomUUID(), number: view.current.number + 1, createdAt: at, assertions, made: 'edited', note }
  // the newest number, whatever version is current (a restore is a new version too)
  v.number = view.history[view.history.length - 1].number + 1
  await store.rubrics.putWithVersion({ ...view.rubric, updatedAt: at, currentVersionId: v.id }, v)
  return rubricView(store, rubricId)
}
