// @vitest-environment jsdom
/**
 * Whose grade it is, everywhere a run's grade shows: a grade the grader gave that no person confirmed
 * (`feedback.by === 'grader'`) and a pre-grade still to confirm are marked as the grader's in the
 * gallery, the batch page's runs list and compare; the person's grades stay plain.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Pregrade } from '../../src/shared/grading'
import { batchStatus, batchViewOf, testRun } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

const runs = [
  testRun(1, { feedback: { label: 'good', text: 'mine', updatedAt: 'x' } }),
  testRun(2, { feedback: { label: 'bad', text: 'two CTAs', updatedAt: 'x', by: 'grader' } }),
  testRun(3),
  testRun(4)
]
const pregrade: Pregrade = {
  batchId: 'b1',
  rubricId: 'rb1',
  rubricVersionId: 'v1',
  via: 'api',
  model: 'm',
  state: 'done',
  createdAt: 'x',
  progress: { done: 1, total: 1 },
  costUsd: 0,
  grades: { r3: { runId: 'r3', number: 3, label: 'good', reason: 'one clear CTA', verdicts: [], at: 'x' } },
  failed: [],
  measured: null
}
function mock() {
  mockApi({
    getBatch: () => batchViewOf(runs, {}, batchStatus({ batchId: 'b1', total: 4, done: 4 })),
    getSignals: () => ({ runs: [], batch: { good: 1, bad: 1, ungraded: 2, signals: [] } }),
    getPregrade: () => pregrade,
    getRubric: () => null,
    compareFiles: () => [],
    latestGrader: () => null,
    estimateGrader: () => ({ batchId: 'b1', model: 'm', runs: 2, folds: 2, calls: 4, inputTokens: 1, outputTokens: 1, usd: 0, basis: '' })
  })
}
/** What each run's grade says, and whether it is marked as the grader's (and pending). */
const marks = (items: HTMLElement[]) =>
  items.map((el) => {
    const m = within(el).queryByTestId('grader-mark')
    return m ? `${m.textContent} (${m.getAttribute('data-pending') === 'true' ? 'to confirm' : 'unconfirmed'})` : 'person'
  })

describe("the grader's grades, marked", () => {
  it('in the gallery', async () => {
    mock()
    renderApp('/gallery/b1')
    const cards = await screen.findAllByTestId('gallery-card')
    await screen.findAllByTestId('grader-mark').then((m) => expect(m.length).toBe(2))
    expect(marks(cards)).toEqual(['person', 'grader: bad (unconfirmed)', 'grader: good (to confirm)', 'person'])
    // the person's grade is plain, and a grader's grade is not coloured as the person's
    expect(within(cards[0]).getByText('good').className).toBe('label-good')
    expect(cards[1].className).toContain('grade-none')
    expect(within(cards[2]).getByTestId('grader-mark').getAttribute('title')).toMatch(/not confirmed by you: one clear CTA/)
  })

  it("in the gallery's filters: the grader's grades counted apart, and a filter of their own", async () => {
    mock()
    renderApp('/gallery/b1')
    await screen.findAllByTestId('gallery-card')
    const filter = screen.getByTestId('filter-label') as HTMLSelectElement
    expect([...filter.options].map((o) => o.textContent)).toEqual([
      'All grades',
      'Good (1)',
      'Bad (1, 1 by the grader)',
      'Ungraded (2)',
      "The grader's, not confirmed by you (1)"
    ])
    const user = userEvent.setup()
    await user.selectOptions(filter, 'grader')
    expect(screen.getAllByTestId('gallery-card').map((c) => within(c).getByText(/^Run \d+$/).textContent)).toEqual(['Run 2'])
    await user.selectOptions(filter, 'bad')
    expect(screen.getAllByTestId('gallery-card').map((c) => within(c).getByText(/^Run \d+$/).textContent)).toEqual(['Run 2'])
    await user.selectOptions(filter, 'good')
    expect(screen.getAllByTestId('gallery-card').map((c) => within(c).getByText(/^Run \d+$/).textContent)).toEqual(['Run 1'])
  })

  it("in the batch page's runs list", async () => {
    mock()
    renderApp('/batch/b1')
    const rows = await screen.findAllByTestId('run-row')
    await screen.findAllByTestId('grader-mark').then((m) => expect(m.length).toBeGreaterThanOrEqual(2))
    expect(marks(rows.map((r) => within(r).getByTestId('run-grade')))).toEqual([
      'person',
      'grader: bad (unconfirmed)',
      'grader: good (to confirm)',
      'person'
    ])
    expect(within(rows[3]).getByTestId('run-grade').textContent).toBe('ungraded')
  })
  it('in compare, side by side', async () => {
    mock()
    renderApp('/compare/b1/1/2')
    const a = await screen.findByTestId('compare-head-a')
    const b = screen.getByTestId('compare-head-b')
    expect(marks([a, b])).toEqual(['person', 'grader: bad (unconfirmed)'])
    expect(b.className).toContain('grade-none')
  })
})
