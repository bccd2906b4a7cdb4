// @vitest-environment jsdom
/**
 * The rubric on the task page, where the person reviews it: the task's assertions (read through any of
 * its batches), edited, added and deleted through editRubric on the version shown, the batch it was
 * built from, and the batch its grader was last measured on with the figures, one click away.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { agreementOf, trustOf } from '../../src/shared/agreement'
import type { GraderCheck, RubricView } from '../../src/shared/grading'
import { batchStatus, batchViewOf, sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

const view: RubricView = {
  rubric: { id: 'rb1', taskId: 't1', batchId: 'b1', createdAt: 'x', updatedAt: 'x', currentVersionId: 'v1' },
  current: {
    id: 'v1',
    number: 1,
    createdAt: 'x',
    made: 'built',
    note: 'built from 12 runs',
    assertions: [
      { id: 'a1', text: 'At most one call-to-action button above the fold', runs: [7, 9], by: 'model' },
      { id: 'a2', text: 'No grid of more than four cards', runs: [3], by: 'model' }
    ]
  },
  history: [{ id: 'v1', number: 1, createdAt: 'x', made: 'built', note: 'built from 12 runs' }]
}
const batch = (id: string, name: string) => ({
  batch: batchViewOf([], { id, name, taskId: 't1' }).batch,
  status: batchStatus({ batchId: id, total: 12, done: 12 })
})
// measured on b2 (the later one): 10 of 12 agreed
const pairs = Array.from({ length: 12 }, (_, i) => ({
  person: i < 6 ? 'good' : 'bad',
  grader: i === 0 ? 'bad' : i === 11 ? 'good' : i < 6 ? 'good' : 'bad'
}))
const agreement = agreementOf(pairs as never)
const measured = (batchId: string, endedAt: string): GraderCheck => ({
  id: `g-${batchId}`,
  batchId,
  via: 'api',
  model: 'm',
  folds: 5,
  state: 'done',
  createdAt: 'x',
  endedAt,
  progress: { done: 17, total: 17, step: 'done' },
  costUsd: 0.1,
  report: { folds: [], agreement, trust: trustOf(agreement), disagreements: [], grades: [], failed: [] }
})

function mock(rubric: RubricView | null, graders: Record<string, GraderCheck | null>) {
  return mockApi({
    listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => [],
    listBatches: () => [batch('b1', 'First batch'), batch('b2', 'Second batch')],
    checkSandbox: sandboxAvailable,
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.0', install: '' }),
    getRubric: () => rubric,
    latestGrader: ({ batchId }) => graders[batchId] ?? null,
    editRubric: () => view
  })
}

describe('the rubric on the task page', () => {
  it('shows the assertions, where they came from, and the batch the grader was last measured on', async () => {
    const api = mock(view, { b1: measured('b1', '2026-01-01'), b2: measured('b2', '2026-02-01') })
    renderApp('/task/t1')
    const section = await screen.findByTestId('task-rubric')
    expect((await within(section).findAllByTestId('assertion')).map((a) => a.textContent)).toEqual([
      expect.stringContaining('At most one call-to-action button above the fold (runs 7, 9)'),
      expect.stringContaining('No grid of more than four cards (runs 3)')
    ])
    expect(api.getRubric).toHaveBeenCalledWith({ batchId: 'b1' })
    expect(within(section).getByTestId('rubric-source').getAttribute('href')).toBe('/batch/b1')
    const line = await within(section).findByTestId('rubric-agreement-batch')
    expect(line.textContent).toBe('Second batch')
    expect(line.getAttribute('href')).toBe('/batch/b2')
    expect(within(section).getByTestId('rubric-agreement').textContent).toMatch(/accuracy 83%, Cohen's kappa 0\.67 · trust it/)
  })

  it('edits, adds and deletes assertions on the version shown', async () => {
    const api = mock(view, {})
    renderApp('/task/t1')
    const user = userEvent.setup()
    const section = await screen.findByTestId('task-rubric')
    await within(section).findAllByTestId('assertion')
    expect(within(section).getByTestId('rubric-agreement').textContent).toMatch(/has not been measured/)
    await user.click(within(section).getAllByRole('button', { name: 'Edit' })[1])
    const input = within(section).getByLabelText('Assertion')
    await user.clear(input)
    await user.type(input, 'At most four cards in a row{Enter}')
    expect(api.editRubric).toHaveBeenCalledWith({
      rubricId: 'rb1',
      baseVersionId: 'v1',
      edit: { op: 'edit', assertionId: 'a2', text: 'At most four cards in a row' }
    })
    await waitFor(() => expect(within(section).queryByLabelText('Assertion')).toBeNull())
    await user.click(within(section).getByRole('button', { name: 'Add an assertion' }))
    await user.type(within(section).getByLabelText('Assertion'), 'No external fonts{Enter}')
    expect(api.editRubric).toHaveBeenLastCalledWith({
      rubricId: 'rb1',
      baseVersionId: 'v1',
      edit: { op: 'add', text: 'No external fonts' }
    })
    await user.click(within(section).getAllByRole('button', { name: 'Delete' })[0])
    expect(api.editRubric).toHaveBeenLastCalledWith({ rubricId: 'rb1', baseVersionId: 'v1', edit: { op: 'delete', assertionId: 'a1' } })
  })

  it('says how to get a rubric when the task has none', async () => {
    mock(null, {})
    renderApp('/task/t1')
    expect((await screen.findByTestId('rubric-none')).textContent).toMatch(/build it from your sentences on the batch's page/)
  })
})
