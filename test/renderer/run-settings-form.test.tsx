// @vitest-environment jsdom
/**
 * The batch form's run settings (the form verify shares): it starts from RunSettingsSchema's defaults,
 * its fields are bounded by the schema's limits, a value out of bounds is said (not silently changed)
 * and keeps Start off, and what is typed is what the batch is made with.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestInput } from '../../src/shared/contract'
import { RunSettingsSchema } from '../../src/shared/runs'
import { batchStatus, sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())
const DEFAULTS = RunSettingsSchema.parse({})
const LIMITS = RunSettingsSchema.shape

function setup() {
  const made: RequestInput<'createBatch'>['settings'][] = []
  const api = mockApi({
    listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => [
      { id: 'v1', taskId: 't1', difficulty: 'normal', prompt: 'Build it.' },
      { id: 'v2', taskId: 't1', difficulty: 'hard', prompt: 'Build it twice.' }
    ],
    listBatches: () => [],
    checkSandbox: sandboxAvailable,
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.330', install: '' }),
    createBatch: (input) => {
      made.push(input.settings)
      throw new Error('stop here: the settings are what this test reads')
    },
    startBatch: () => batchStatus({ batchId: 'b1', total: 1, queued: 1 })
  })
  return { api, made }
}

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement
const start = () => screen.getByTestId('start-batch') as HTMLButtonElement

describe('the run settings of a batch', () => {
  it('start from the schema’s defaults and make the batch with them when nothing is changed', async () => {
    const { made } = setup()
    renderApp('/task/t1')
    const user = userEvent.setup()
    await screen.findByTestId('start-batch')
    expect(field('Runs at once').value).toBe(String(DEFAULTS.concurrency))
    expect(field('Max turns').value).toBe(String(DEFAULTS.maxTurns))
    expect(field('Repeats of each').value).toBe(String(DEFAULTS.repeats))
    expect(field('Spending cap per run ($)').value).toBe('')
    expect([field('Runs at once').min, field('Runs at once').max]).toEqual(
      [LIMITS.concurrency.unwrap().minValue, LIMITS.concurrency.unwrap().maxValue].map(String)
    )
    expect(field('Max turns').max).toBe(String(LIMITS.maxTurns.unwrap().maxValue))
    expect(field('Repeats of each').max).toBe(String(LIMITS.repeats.unwrap().maxValue))
    await waitFor(() => expect(start().disabled).toBe(false))
    expect(start().textContent).toBe('Start 2 runs')
    await user.click(start())
    await screen.findByText('stop here: the settings are what this test reads')
    expect(made).toEqual([{ ...DEFAULTS, permission: 'sandboxed' }])
  })

  it('say a value out of the schema’s bounds instead of changing it, keep Start off, and send what is typed once it is right', async () => {
    const { made } = setup()
    renderApp('/task/t1')
    const user = userEvent.setup()
    await screen.findByTestId('start-batch')
    const max = LIMITS.concurrency.unwrap().maxValue!
    await user.clear(field('Runs at once'))
    await user.type(field('Runs at once'), String(max + 1))
    await user.type(field('Spending cap per run ($)'), '0')
    await waitFor(() =>
      expect(screen.getByTestId('batch-problems').textContent).toBe(
        `Runs at once: a whole number from 1 to ${max}.Spending cap per run: a number of dollars above 0 (or empty).`
      )
    )
    expect(field('Runs at once').value).toBe(String(max + 1))
    expect(field('Runs at once').getAttribute('aria-invalid')).toBe('true')
    expect(start().disabled).toBe(true)
    // emptied, a required number is said too (it is not taken as 1)
    await user.clear(field('Max turns'))
    await waitFor(() => expect(screen.getByTestId('batch-problems').textContent).toContain('Max turns: a whole number from 1 to 1000.'))

    await user.clear(field('Runs at once'))
    await user.type(field('Runs at once'), String(max))
    await user.clear(field('Spending cap per run ($)'))
    await user.type(field('Spending cap per run ($)'), '1.5')
    await user.type(field('Max turns'), '12')
    await user.clear(field('Repeats of each'))
    await user.type(field('Repeats of each'), '3')
    await waitFor(() => expect(screen.queryByTestId('batch-problems')).toBeNull())
    await waitFor(() => expect(start().disabled).toBe(false))
    expect(start().textContent).toBe('Start 6 runs')
    expect(screen.getByTestId('preflight').textContent).toContain(`6 runs, at most $9.00 in all, ${max} at a time.`)
    await user.click(start())
    await screen.findByText('stop here: the settings are what this test reads')
    expect(made).toEqual([{ ...DEFAULTS, permission: 'sandboxed', concurrency: max, maxTurns: 12, repeats: 3, maxBudgetUsd: 1.5 }])
  })
})
