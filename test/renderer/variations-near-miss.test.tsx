// @vitest-environment jsdom
/**
 * Near-miss variations on the task page: a badge on each, left out of "Run the batch" by default with
 * their count and a box to include them (then sent as includeNearMiss), and a badge that, clicked,
 * makes the variation an ordinary one.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Variation } from '../../src/shared/runs'
import { sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

function setup() {
  let saved: Variation[] = [
    { id: 'v1', taskId: 't1', difficulty: 'easy', prompt: 'landing page for a bakery pls' },
    { id: 'v2', taskId: 't1', difficulty: 'hard', prompt: 'Landing page for Acme Bank, no JS, in site/index.html' },
    { id: 'v3', taskId: 't1', difficulty: 'normal', prompt: 'fix the typo in the landing page README', nearMiss: true }
  ]
  const api = mockApi({
    listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => saved,
    saveVariations: ({ variations }) => (saved = variations.map((v, i) => ({ ...v, id: v.id ?? `new-${i}`, taskId: 't1' }))),
    listBatches: () => [],
    checkSandbox: sandboxAvailable,
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.0', install: '' }),
    createBatch: () => ({ id: 'b1', name: 'Landing page #1', createdAt: '', settings: {} as never, runIds: [] }),
    startBatch: () => ({}) as never
  })
  return { api, saved: () => saved }
}

const rows = () => screen.getAllByTestId('variation-row')

describe('near-miss variations', () => {
  it('are marked, left out of the batch by default with their count, and asked for when included', async () => {
    const { api } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(rows()).toHaveLength(3))
    expect(rows().map((r) => within(r).queryByTestId('near-miss-badge') !== null)).toEqual([false, false, true])

    // left out by default: 2 runs, with the count of the near misses and a box to include them
    const start = screen.getByTestId('start-batch')
    expect(start.textContent).toBe('Start 2 runs')
    const choice = screen.getByTestId('near-miss-choice')
    expect(choice.textContent).toMatch(/Also run the 1 near-miss prompt\b/)
    await user.click(within(choice).getByRole('checkbox'))
    expect(start.textContent).toBe('Start 3 runs')
    await waitFor(() => expect((start as HTMLButtonElement).disabled).toBe(false))
    await user.click(start)
    await waitFor(() => expect(api.createBatch).toHaveBeenCalled())
    expect(api.createBatch.mock.calls[0][0]).toMatchObject({ taskId: 't1', includeNearMiss: true })
  })

  it('not included, they are not sent; the badge, clicked, makes one an ordinary variation', async () => {
    const { api, saved } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(rows()).toHaveLength(3))
    await user.click(within(rows()[2]).getByTestId('near-miss-badge'))
    await waitFor(() => expect(saved()[2].nearMiss).toBeUndefined())
    await waitFor(() => expect(screen.queryByTestId('near-miss-badge')).toBeNull())
    expect(screen.queryByTestId('near-miss-choice')).toBeNull()
    expect(screen.getByTestId('start-batch').textContent).toBe('Start 3 runs')
    expect(api.saveVariations).toHaveBeenCalledTimes(1)
  })

  it('an ordinary variation can be marked a near miss by hand, and a pasted [near-miss] item comes in marked', async () => {
    const { saved } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(rows()).toHaveLength(3))
    expect(within(rows()[2]).queryByTestId('near-miss-mark')).toBeNull()
    await user.click(within(rows()[0]).getByRole('button', { name: 'Mark as a near miss' }))
    await waitFor(() => expect(saved()[0].nearMiss).toBe(true))
    await waitFor(() => expect(screen.getAllByTestId('near-miss-badge')).toHaveLength(2))
    expect(screen.getByTestId('start-batch').textContent).toBe('Start 1 run')

    await user.click(screen.getByRole('button', { name: 'Paste a numbered list' }))
    await user.click(screen.getByLabelText('Numbered list'))
    await user.paste('1. [easy] a page\n2. [near-miss] fix the README')
    await user.click(screen.getByRole('button', { name: /Use these 2/ }))
    await waitFor(() => expect(saved().map((v) => Boolean(v.nearMiss))).toEqual([false, true]))
    await waitFor(() => expect(screen.getAllByTestId('near-miss-badge')).toHaveLength(1))
  })

  it('a batch started without including them does not ask for them', async () => {
    const { api } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(rows()).toHaveLength(3))
    const start = screen.getByTestId('start-batch')
    await waitFor(() => expect((start as HTMLButtonElement).disabled).toBe(false))
    await user.click(start)
    await waitFor(() => expect(api.createBatch).toHaveBeenCalled())
    expect(api.createBatch.mock.calls[0][0]).not.toHaveProperty('includeNearMiss')
  })
})
