// @vitest-environment jsdom
/**
 * Issue 22 in the review deck and the gallery: a pre-grade the grader was unsure of is marked so, with
 * why, on the run and in the gallery; "Accept the sure ones (N)" saves the sure ones as the grader's in
 * one action (the person then goes through only the unsure ones) and Undo takes them back as a group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Pregrade, RubricView } from '../../src/shared/grading'
import type { Run } from '../../src/shared/runs'
import { batchViewOf, testRun as run } from '../support/builders'
import { mockApi, renderApp, type ApiMock } from './render-app'

let api: ApiMock
const view: RubricView = {
  rubric: { id: 'rb1', taskId: 't1', batchId: 'b1', createdAt: 'x', updatedAt: 'x', currentVersionId: 'v1' },
  current: { id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built', assertions: [] },
  history: [{ id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built' }]
}
const entry = (runId: string, number: number, label: 'good' | 'bad', reason: string, unsure?: string) => ({
  runId,
  number,
  label,
  reason,
  at: 'x',
  verdicts: [],
  ...(unsure ? { unsure: { why: unsure } } : {})
})
const WHY = 'the grader was unsure: the screenshot is cut above the pricing table'
const pregrade = (): Pregrade => ({
  batchId: 'b1',
  rubricId: 'rb1',
  rubricVersionId: 'v1',
  via: 'api',
  model: 'm',
  state: 'done',
  createdAt: 'x',
  progress: { done: 3, total: 3 },
  costUsd: 0.01,
  grades: {
    r1: entry('r1', 1, 'bad', 'two CTAs above the fold'),
    r2: entry('r2', 2, 'good', 'looks clean', WHY),
    r3: entry('r3', 3, 'good', 'one clear CTA')
  },
  failed: [],
  measured: null
})

function setup() {
  const runs: Run[] = [run(1), run(2), run(3)]
  let accepted = false
  api = mockApi({
    getBatch: () =>
      batchViewOf(
        runs.map((r) =>
          accepted && r.id !== 'r2'
            ? {
                ...r,
                feedback: {
                  label: pregrade().grades[r.id].label,
                  text: pregrade().grades[r.id].reason,
                  updatedAt: 'x',
                  by: 'grader' as const
                }
              }
            : r
        )
      ),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: runs.length, signals: [] } }),
    getRubric: () => view,
    // as main answers: a run graded since is left out
    getPregrade: () => {
      const p = pregrade()
      return accepted ? { ...p, grades: { r2: p.grades.r2 } } : p
    },
    acceptSurePregrades: () => {
      accepted = true
      return {
        runs: ['r1', 'r3'].map((id) => ({
          ...runs.find((r) => r.id === id)!,
          blind: true,
          feedback: { label: pregrade().grades[id].label, text: pregrade().grades[id].reason, updatedAt: 'x', by: 'grader' as const }
        }))
      }
    },
    undoAcceptPregrades: ({ runIds }) => {
      accepted = false
      return { runs: runIds.map((id) => runs.find((r) => r.id === id)!) }
    }
  })
}
const shown = () => Number(screen.getByTestId('deck-run').getAttribute('data-number'))

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('unsure pre-grades', () => {
  it('marks an unsure pre-grade on its run, with why; a sure one is not marked', async () => {
    setup()
    renderApp('/review/b1/2')
    const mark = await screen.findByTestId('grader-mark')
    expect(shown()).toBe(2)
    expect(mark.getAttribute('data-unsure')).toBe('true')
    expect(mark.textContent).toBe('grader: good (unsure) — looks clean')
    expect(screen.getByTestId('deck-unsure').textContent).toBe(
      'The grader was unsure: the screenshot is cut above the pricing table. Look for yourself before you confirm.'
    )
    cleanup()
    renderApp('/review/b1/1')
    const sure = await screen.findByTestId('grader-mark')
    expect(sure.getAttribute('data-unsure')).toBe('false')
    expect(screen.queryByTestId('deck-unsure')).toBeNull()
  })

  it('"Accept the sure ones" saves the sure pre-grades in one action, leaves the unsure one, and Undo takes the group back', async () => {
    setup()
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    const accept = await screen.findByTestId('accept-sure')
    expect(accept.textContent).toBe('Accept the sure ones (2)')
    expect(screen.getByTestId('deck-unsure-count').textContent).toBe('1 unsure: yours to grade')
    expect(screen.getByTestId('graded-count').textContent).toBe('0 of 3 graded')
    await user.click(accept)
    expect(api.acceptSurePregrades).toHaveBeenCalledWith({ batchId: 'b1' })
    expect((await screen.findByTestId('accept-sure-done')).textContent).toMatch(/^Accepted 2 sure grades as the grader's\./)
    await waitFor(() => expect(screen.getByTestId('graded-count').textContent).toBe('2 of 3 graded'))
    // the run on screen is now the grader's grade, marked so (never the person's)
    const mark = screen.getByTestId('grader-mark')
    expect(mark.getAttribute('data-pending')).toBe('false')
    expect(screen.getByTestId('grade-bad').className).not.toContain('on')
    // none was sent as the person's grade
    expect(api.saveFeedback).not.toHaveBeenCalled()

    await user.click(screen.getByTestId('accept-sure-undo'))
    expect(api.undoAcceptPregrades).toHaveBeenCalledWith({ batchId: 'b1', runIds: ['r1', 'r3'] })
    await waitFor(() => expect(screen.getByTestId('graded-count').textContent).toBe('0 of 3 graded'))
    expect((await screen.findByTestId('accept-sure')).textContent).toBe('Accept the sure ones (2)')
    await waitFor(() => expect(screen.getByTestId('grader-mark').getAttribute('data-pending')).toBe('true'))
  })

  it('marks the unsure pre-grade in the gallery', async () => {
    setup()
    renderApp('/gallery/b1')
    await waitFor(() => expect(screen.getAllByTestId('grader-mark')).toHaveLength(3))
    const marks = screen.getAllByTestId('grader-mark')
    expect(marks.map((m) => m.getAttribute('data-unsure'))).toEqual(['false', 'true', 'false'])
    expect(marks[1].getAttribute('title')).toContain(`Unsure (${WHY})`)
  })
})
