// @vitest-environment jsdom
/**
 * The batch page's grader panel: the rubric's assertions (edit, add, delete through editRubric, on the
 * version shown), the agreement figures, the person x grader table, whether to trust it and why, and
 * each disagreement one click from its run in the deck.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { agreementOf, trustOf } from '../../src/shared/agreement'
import type { GraderCheck, RubricView } from '../../src/shared/grading'
import { batchStatus, batchViewOf, testRun } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

const runs = Array.from({ length: 12 }, (_, i) =>
  testRun(i + 1, { feedback: { label: i < 6 ? 'good' : 'bad', text: `sentence ${i + 1}`, updatedAt: 'x' } })
)
const view: RubricView = {
  rubric: { id: 'rb1', taskId: 't1', batchId: 'b1', createdAt: 'x', updatedAt: 'x', currentVersionId: 'v2' },
  current: {
    id: 'v2',
    number: 2,
    createdAt: 'x',
    made: 'edited',
    note: 'assertion 2 added',
    assertions: [
      { id: 'a1', text: 'At most one call-to-action button above the fold', runs: [7, 9], by: 'model' },
      { id: 'a2', text: 'No external fonts', runs: [], by: 'person' }
    ]
  },
  history: [
    { id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built' },
    { id: 'v2', number: 2, createdAt: 'x', made: 'edited', note: 'assertion 2 added' }
  ]
}
// the person said good of 1-6, bad of 7-12; the grader wrong on 2 and 9
const pairs = runs.map((r) => ({
  person: r.feedback!.label!,
  grader: [2, 9].includes(r.number) ? (r.number === 2 ? 'bad' : 'good') : r.feedback!.label!
}))
const agreement = agreementOf(pairs as never)
const check = (over: Partial<GraderCheck> = {}): GraderCheck => ({
  id: 'g1',
  batchId: 'b1',
  via: 'api',
  model: 'm',
  folds: 5,
  state: 'done',
  createdAt: 'x',
  progress: { done: 17, total: 17, step: 'done' },
  costUsd: 0.12,
  report: {
    folds: [],
    agreement,
    trust: trustOf(agreement),
    grades: [],
    failed: [],
    disagreements: [
      {
        runId: 'r2',
        number: 2,
        person: 'good',
        personText: 'sentence 2',
        grader: 'bad',
        reason: 'two CTAs <b>above</b> the fold',
        verdicts: [{ assertionId: 'a1', verdict: 'fail', evidence: 'index.html has two buttons', text: 'At most one CTA' }],
        fold: 1
      }
    ]
  },
  ...over
})

function mock(grader: GraderCheck | null) {
  return mockApi({
    getBatch: () => batchViewOf(runs, { taskId: 't1' }, batchStatus({ batchId: 'b1', total: 12, done: 12 })),
    getRubric: () => view,
    latestGrader: () => grader,
    estimateGrader: () => ({
      batchId: 'b1',
      model: 'm',
      runs: 12,
      folds: 5,
      calls: 17,
      inputTokens: 1000,
      outputTokens: 100,
      usd: 0.2,
      basis: ''
    }),
    editRubric: () => view
  })
}

describe('the grader panel', () => {
  it('shows the rubric, the agreement, the table, trust, and each disagreement linked to its run', async () => {
    mock(check())
    renderApp('/batch/b1')
    const panel = await screen.findByTestId('grader-panel')
    expect((await within(panel).findAllByTestId('assertion')).map((li) => li.textContent)).toEqual([
      expect.stringContaining('At most one call-to-action button above the fold (runs 7, 9)'),
      expect.stringContaining('No external fonts · yours')
    ])
    expect(await within(panel).findByTestId('accuracy')).toHaveProperty('textContent', '83%')
    expect(within(panel).getByTestId('kappa').textContent).toBe('0.67')
    const rows = within(within(panel).getByTestId('confusion')).getAllByRole('row')
    expect(rows.map((r) => r.textContent)).toEqual(['grader: goodgrader: bad', 'you: good51', 'you: bad15'])
    expect(within(panel).getByTestId('trust').textContent).toMatch(/Trust it: kappa at least 0\.6/)
    const list = within(panel).getByTestId('disagreements')
    // the grader's text is shown as text, never as markup
    expect(list.textContent).toContain('two CTAs <b>above</b> the fold')
    expect(list.querySelector('b')).toBeNull()
    expect(within(list).getByRole('link', { name: 'Run 2' }).getAttribute('href')).toBe('/review/b1/2')
    expect(within(panel).getByTestId('grader-estimate').textContent).toMatch(/17 model calls \(5 folds over 12 runs\)/)
  })

  it('says not to trust it, and why', async () => {
    const bad = agreementOf(pairs.map((p, i) => (i < 4 ? { ...p, grader: p.person === 'good' ? 'bad' : 'good' } : p)) as never)
    mock(check({ report: { ...check().report!, agreement: bad, trust: trustOf(bad) } }))
    renderApp('/batch/b1')
    const trust = await screen.findByTestId('trust')
    expect(trust.textContent).toMatch(/Do not trust it yet/)
    // runs 1-4 and 9 wrong: 7 of 12 agreed
    expect(trust.textContent).toMatch(/accuracy 58% is below 80%: it disagrees with you on 5 of 12 runs/)
  })

  it('edits, adds and deletes assertions on the version shown', async () => {
    const api = mock(null)
    renderApp('/batch/b1')
    const user = userEvent.setup()
    const panel = await screen.findByTestId('grader-panel')
    await within(panel).findAllByTestId('assertion')
    await user.click(within(panel).getAllByRole('button', { name: 'Edit' })[0])
    const input = within(panel).getByLabelText('Assertion')
    await user.clear(input)
    await user.type(input, 'Exactly one CTA{Enter}')
    expect(api.editRubric).toHaveBeenCalledWith({
      rubricId: 'rb1',
      baseVersionId: 'v2',
      edit: { op: 'edit', assertionId: 'a1', text: 'Exactly one CTA' }
    })
    await user.click(within(panel).getAllByRole('button', { name: 'Delete' })[1])
    expect(api.editRubric).toHaveBeenLastCalledWith({ rubricId: 'rb1', baseVersionId: 'v2', edit: { op: 'delete', assertionId: 'a2' } })
    await user.click(within(panel).getByRole('button', { name: 'Add an assertion' }))
    await user.type(within(panel).getByLabelText('Assertion'), 'No carousel{Enter}')
    expect(api.editRubric).toHaveBeenLastCalledWith({ rubricId: 'rb1', baseVersionId: 'v2', edit: { op: 'add', text: 'No carousel' } })
  })
})

describe('pre-grading on the batch page', () => {
  it("lists the grader's grades as the grader's, to confirm or flip; pre-grades the ungraded runs", async () => {
    const some = runs.map((r) => (r.number > 10 ? { ...r, feedback: undefined } : r))
    const at = 'x'
    const confirmed = { ...some[10], feedback: { label: 'bad' as const, text: 'two CTAs', updatedAt: at } }
    const api = mockApi({
      getBatch: () => batchViewOf(some, { taskId: 't1' }, batchStatus({ batchId: 'b1', total: 12, done: 12 })),
      getRubric: () => view,
      latestGrader: () => null,
      estimateGrader: () => ({
        batchId: 'b1',
        model: 'm',
        runs: 10,
        folds: 5,
        calls: 15,
        inputTokens: 1,
        outputTokens: 1,
        usd: 0.1,
        basis: ''
      }),
      getPregrade: () => ({
        batchId: 'b1',
        rubricId: 'rb1',
        rubricVersionId: 'v2',
        via: 'api',
        model: 'm',
        state: 'done',
        createdAt: at,
        progress: { done: 2, total: 2 },
        costUsd: 0.01,
        grades: {
          r12: { runId: 'r12', number: 12, label: 'good', reason: 'one clear CTA', verdicts: [], at },
          r11: {
            runId: 'r11',
            number: 11,
            label: 'bad',
            reason: 'two CTAs',
            verdicts: [],
            at,
            unsure: { why: 'it graded bad, yet no assertion that applies failed' }
          }
        },
        failed: [],
        measured: { graderId: 'g1', trusted: false, accuracy: 0.7, kappa: 0.4 }
      }),
      confirmPregrade: () => confirmed,
      startPregrade: () => api.getPregrade.mock.results[0].value
    })
    renderApp('/batch/b1')
    const user = userEvent.setup()
    const box = await screen.findByTestId('pregrades')
    const rows = await within(box).findAllByTestId('pregrade')
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^Run 11: bad grader's, not confirmed unsure two CTAs/),
      expect.stringMatching(/^Run 12: good grader's, not confirmed one clear CTA/)
    ])
    // the one the grader was unsure of is marked, with why
    expect(within(rows[0]).getByTestId('pregrade-unsure').getAttribute('title')).toBe('it graded bad, yet no assertion that applies failed')
    expect(within(rows[1]).queryByTestId('pregrade-unsure')).toBeNull()
    expect(within(box).getByTestId('pregrade-trust').textContent).toBe(
      'The grader agreed with you on 70% of runs (kappa 0.40): do not trust it yet.'
    )
    await user.click(within(box).getByRole('button', { name: 'Pre-grade the 2 ungraded runs' }))
    expect(api.startPregrade).toHaveBeenCalledWith({ batchId: 'b1' })
    await user.click(within(rows[0]).getByRole('button', { name: 'Confirm bad' }))
    expect(api.confirmPregrade).toHaveBeenCalledWith({ runId: 'r11' })
    await user.click(within(rows[1]).getByRole('button', { name: 'Flip to bad' }))
    expect(api.confirmPregrade).toHaveBeenLastCalledWith({ runId: 'r12', label: 'bad' })
    // run 11 is the person's now: one run is left to pre-grade
    expect(await within(box).findByRole('button', { name: 'Pre-grade the ungraded run' })).toBeTruthy()
  })
})
