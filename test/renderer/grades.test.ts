import { describe, expect, it } from 'vitest'
import { createGradeHistory, type Grade } from '../../src/renderer/src/lib/grades'

/** A tiny store of grades, changed the way the deck changes them. */
function deck() {
  const grades = new Map<string, Grade>([
    ['r1', { label: null, text: '' }],
    ['r2', { label: null, text: '' }]
  ])
  const history = createGradeHistory((id) => grades.get(id))
  const set = (id: string, patch: Partial<Grade>) => {
    history.begin(id)
    grades.set(id, { ...grades.get(id)!, ...patch })
  }
  const apply = (c: ({ runId: string } & Record<'before' | 'after', Grade>) | null, side: 'before' | 'after') =>
    c && grades.set(c.runId, c[side])
  return { grades, history, set, undo: () => apply(history.undo(), 'before'), redo: () => apply(history.redo(), 'after') }
}

describe('the review deck undo history', () => {
  it('undoes a grade and the sentence typed after it as one change, and redoes it', () => {
    const d = deck()
    d.set('r1', { label: 'good' })
    d.set('r1', { text: 'c' })
    d.set('r1', { text: 'clean' })
    d.history.commit()
    expect(d.history.size).toEqual({ undo: 1, redo: 0 })
    d.undo()
    expect(d.grades.get('r1')).toEqual({ label: null, text: '' })
    d.redo()
    expect(d.grades.get('r1')).toEqual({ label: 'good', text: 'clean' })
  })

  it('keeps one change per run, in order, and ends a change when another run is graded', () => {
    const d = deck()
    d.set('r1', { label: 'good', text: 'fine' })
    d.set('r2', { label: 'bad', text: 'broken' }) // begins r2: r1's change is kept
    d.undo() // r2's, ended by the undo itself
    expect(d.grades.get('r2')).toEqual({ label: null, text: '' })
    expect(d.grades.get('r1')).toEqual({ label: 'good', text: 'fine' })
    d.undo()
    expect(d.grades.get('r1')).toEqual({ label: null, text: '' })
    expect(d.history.undo()).toBeNull()
    d.redo()
    d.redo()
    expect(d.grades.get('r2')).toEqual({ label: 'bad', text: 'broken' })
    expect(d.history.redo()).toBeNull()
  })

  it('gives back the old label and sentence when a graded run is changed', () => {
    const d = deck()
    d.set('r1', { label: 'good', text: 'clean page' })
    d.history.commit()
    d.set('r1', { label: 'bad' })
    d.set('r1', { text: 'clean page, but the footer is broken' })
    d.history.commit()
    d.undo()
    expect(d.grades.get('r1')).toEqual({ label: 'good', text: 'clean page' })
  })

  it('keeps nothing for a change that changed nothing, and a new change drops the redo', () => {
    const d = deck()
    d.set('r1', { label: 'good' })
    d.set('r1', { label: null })
    d.history.commit()
    expect(d.history.size).toEqual({ undo: 0, redo: 0 })
    d.set('r1', { label: 'bad' })
    d.history.commit()
    d.undo()
    expect(d.history.size).toEqual({ undo: 0, redo: 1 })
    d.set('r2', { label: 'good' })
    d.history.commit()
    expect(d.history.size).toEqual({ undo: 1, redo: 0 })
  })

  it('ignores a run it does not know', () => {
    const d = deck()
    d.history.begin('nope')
    d.history.commit()
    expect(d.history.size).toEqual({ undo: 0, redo: 0 })
  })
})
