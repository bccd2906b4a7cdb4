// @vitest-environment jsdom
/**
 * Pre-grading in the review deck: the grader's grade shown as the grader's (never as the person's),
 * confirmed with Enter (its reason becomes the sentence) or flipped with f (no sentence put in the
 * person's mouth), each saved as the person's grade and undone with Ctrl+Z (the pre-grade shows
 * again); "Pre-grade the rest" with its progress and cancel; a grade the grader gave on its own marked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Pregrade, RubricView } from '../../src/shared/grading'
import type { Run } from '../../src/shared/runs'
import { batchViewOf, testRun as run } from '../support/builders'
import { mockApi, type ApiMock } from './render-app'
import { renderApp } from './render-app'

let api: ApiMock
const view: RubricView = {
  rubric: { id: 'rb1', taskId: 't1', batchId: 'b1', createdAt: 'x', updatedAt: 'x', currentVersionId: 'v1' },
  current: { id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built', assertions: [] },
  history: [{ id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built' }]
}
const entry = (runId: string, number: number, label: 'good' | 'bad', reason: string) => ({
  runId,
  number,
  label,
  reason,
  at: 'x',
  verdicts: [{ assertionId: 'a1', verdict: label === 'bad' ? ('fail' as const) : ('pass' as const), evidence: `evidence ${number}` }]
})
const pregradeOf = (over: Partial<Pregrade> = {}): Pregrade => ({
  batchId: 'b1',
  rubricId: 'rb1',
  rubricVersionId: 'v1',
  via: 'api',
  model: 'm',
  state: 'done',
  createdAt: 'x',
  progress: { done: 2, total: 2 },
  costUsd: 0.01,
  grades: { r1: entry('r1', 1, 'bad', 'two CTAs above the fold'), r2: entry('r2', 2, 'good', 'one clear CTA') },
  failed: [],
  measured: { graderId: 'g1', trusted: true, accuracy: 0.9, kappa: 0.8 },
  ...over
})

function setup(runs: Run[], pregrade: () => Pregrade | null) {
  api = mockApi({
    getBatch: () => batchViewOf(runs),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: runs.length, signals: [] } }),
    getRubric: () => view,
    getPregrade: () => {
      // as main answers: a run the person has graded since is left out
      const p = pregrade()
      const last = new Map(api.saveFeedback.mock.calls.map(([c]) => [c.runId, c.label] as const))
      const graded = new Set([...last].filter(([, label]) => label).map(([id]) => id))
      return p && { ...p, grades: Object.fromEntries(Object.entries(p.grades).filter(([id]) => !graded.has(id))) }
    },
    saveFeedback: (input) => ({
      ...runs.find((r) => r.id === input.runId)!,
      feedback: { label: input.label, text: input.text, updatedAt: 'now' }
    })
  })
}
const shown = () => Number(screen.getByTestId('deck-run').getAttribute('data-number'))
const sentence = () => screen.getByTestId('feedback-text') as HTMLInputElement

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('pre-grading in the deck', () => {
  it("shows the grader's grade as the grader's, confirms it with Enter and goes on, and Ctrl+Z brings it back", async () => {
    setup([run(1), run(2), run(3)], () => pregradeOf())
    renderApp('/review/b1')
    const user = userEvent.setup()
    const mark = await screen.findByTestId('grader-mark')
    expect(shown()).toBe(1)
    expect(mark.textContent).toBe('grader: bad — two CTAs above the fold')
    expect(mark.getAttribute('data-pending')).toBe('true')
    // not the person's: no grade button lit, not counted as graded
    expect(screen.getByTestId('grade-bad').className).not.toContain('on')
    expect(screen.getByTestId('graded-count').textContent).toBe('0 of 3 graded')
    expect(screen.getByTestId('deck-pregrade-trust').textContent).toMatch(/agreed with you on 90% of runs/)

    await user.keyboard('{Enter}')
    await waitFor(() => expect(api.saveFeedback).toHaveBeenCalledWith({ runId: 'r1', label: 'bad', text: 'two CTAs above the fold' }))
    // on to the next ungraded run, which the grader also pre-graded
    expect(shown()).toBe(2)
    expect(screen.getByTestId('graded-count').textContent).toBe('1 of 3 graded')
    expect((await screen.findByTestId('grader-mark')).textContent).toBe('grader: good — one clear CTA')

    await user.keyboard('{Control>}z{/Control}')
    expect(shown()).toBe(1)
    await waitFor(() => expect(api.saveFeedback).toHaveBeenLastCalledWith({ runId: 'r1', label: null, text: '' }))
    expect(screen.getByTestId('graded-count').textContent).toBe('0 of 3 graded')
    // ungraded again, the grader's pre-grade is offered again (main leaves it out only while graded)
    await waitFor(() => expect(screen.getByTestId('grader-mark').textContent).toBe('grader: bad — two CTAs above the fold'))
  })

  it('flips with f: the other label, no sentence put in the mouth, the focus in the sentence to say why', async () => {
    setup([run(1), run(2)], () => pregradeOf())
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    await screen.findByTestId('grader-mark')
    await user.keyboard('f')
    expect(document.activeElement).toBe(sentence())
    expect(sentence().value).toBe('')
    expect(screen.getByTestId('grade-good').className).toContain('on')
    expect(screen.queryByTestId('grader-mark')).toBeNull()
    await user.keyboard('Only one CTA, fine.{Enter}')
    await waitFor(() => expect(api.saveFeedback).toHaveBeenLastCalledWith({ runId: 'r1', label: 'good', text: 'Only one CTA, fine.' }))
    expect(shown()).toBe(2)
  })

  it('grading as usual replaces the pre-grade; a run without one is not confirmed by Enter', async () => {
    setup([run(1), run(2), run(3)], () => pregradeOf({ grades: { r2: entry('r2', 2, 'good', 'one clear CTA') } }))
    renderApp('/review/b1/2')
    const user = userEvent.setup()
    await screen.findByTestId('grader-mark')
    await user.keyboard('b')
    expect(screen.queryByTestId('grader-mark')).toBeNull()
    await user.keyboard('Broken.{Enter}')
    await waitFor(() => expect(api.saveFeedback).toHaveBeenLastCalledWith({ runId: 'r2', label: 'bad', text: 'Broken.' }))
    // run 3: no pre-grade; Enter outside the sentence only puts the focus there
    expect(shown()).toBe(3)
    ;(document.activeElement as HTMLElement).blur()
    await user.keyboard('{Enter}')
    expect(document.activeElement).toBe(sentence())
    expect(api.saveFeedback.mock.calls.some(([c]) => c.runId === 'r3')).toBe(false)
  })

  it('"Pre-grade the rest" starts pre-grading, shows its progress, and cancels it', async () => {
    let p: Pregrade | null = null
    setup([run(1), run(2), run(3, { feedback: { label: 'good', text: 'fine', updatedAt: 'x' } })], () => p)
    api.startPregrade.mockImplementation(async () => (p = pregradeOf({ state: 'running', grades: {}, progress: { done: 1, total: 2 } })))
    api.cancelPregrade.mockImplementation(async () => ({ cancelled: true }))
    renderApp('/review/b1')
    const user = userEvent.setup()
    const button = await screen.findByTestId('deck-pregrade')
    expect(button.textContent).toBe('Pre-grade the rest (2)')
    await user.click(button)
    expect(api.startPregrade).toHaveBeenCalledWith({ batchId: 'b1' })
    const progress = await screen.findByTestId('deck-pregrading')
    expect(progress.textContent).toMatch(/Pre-grading: 1 of 2 runs/)
    await user.click(within(progress).getByRole('button', { name: 'Cancel' }))
    expect(api.cancelPregrade).toHaveBeenCalledWith({ batchId: 'b1' })
  })

  it("marks a grade the grader gave on its own as the grader's, and confirms it as the person's", async () => {
    setup([run(1, { feedback: { label: 'bad', text: 'no CTA at all', updatedAt: 'x', by: 'grader' } }), run(2)], () => null)
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    const mark = await screen.findByTestId('grader-mark')
    expect(mark.textContent).toBe('grader: bad — no CTA at all')
    expect(mark.getAttribute('data-pending')).toBe('false')
    expect(screen.getByTestId('grade-bad').className).not.toContain('on')
    await user.click(screen.getByTestId('pregrade-confirm'))
    await waitFor(() => expect(api.saveFeedback).toHaveBeenCalledWith({ runId: 'r1', label: 'bad', text: 'no CTA at all' }))
    expect(screen.queryByTestId('grader-mark')).toBeNull()
  })
})
