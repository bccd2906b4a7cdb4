/**
 * The review deck's undo history (pure: unit-tested in test/renderer). One change is what happened to
 * one run from the moment its grading began (a grade key, or entering the sentence) until it ended
 * (the sentence left, Enter, another run shown): a grade and the sentence typed after it undo together.
 */
export type Label = 'good' | 'bad' | null
export interface Grade {
  label: Label
  text: string
}
export interface Change {
  runId: string
  before: Grade
  after: Grade
}

export const sameGrade = (a: Grade, b: Grade) => a.label === b.label && a.text === b.text

export function createGradeHistory(current: (runId: string) => Grade | undefined) {
  let editing: { runId: string; before: Grade } | null = null
  const undos: Change[] = []
  let redos: Change[] = []
  const history = {
    /** the change to `runId` starts now (nothing happens if it already has) */
    begin(runId: string) {
      if (editing?.runId === runId) return
      history.commit()
      const before = current(runId)
      if (before) editing = { runId, before: { ...before } }
    },
    /** the change ends: kept when it changed anything (and a new change drops what could be redone) */
    commit() {
      const e = editing
      if (!e) return
      editing = null
      const after = current(e.runId) ?? e.before
      if (sameGrade(after, e.before)) return
      undos.push({ runId: e.runId, before: e.before, after: { ...after } })
      redos = []
    },
    /** the change to take back (the caller applies `before`), or null */
    undo(): Change | null {
      history.commit()
      const c = undos.pop() ?? null
      if (c) redos.push(c)
      return c
    },
    /** the change to make again (the caller applies `after`), or null */
    redo(): Change | null {
      history.commit()
      const c = redos.pop() ?? null
      if (c) undos.push(c)
      return c
    },
    get size() {
      return { undo: undos.length, redo: redos.length }
    }
  }
  return history
}
