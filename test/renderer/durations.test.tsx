// @vitest-environment jsdom
/**
 * A run's duration is one number on every screen (src/shared/numbers.ts): the wall time of its claude,
 * as the batch page shows it; the span of its session's records is another figure, named "session
 * time" where it is shown. Run 1 took 12 s, its session's records span 5 s: the batch page, the deck,
 * the gallery and compare all say 12 s. And the batch page counts a run collecting its outputs apart
 * from the running ones.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import { emptyProgress, type Run } from '../../src/shared/runs'
import type { RunMetrics } from '../../src/shared/signals'
import { batchStatus, batchViewOf, testRun, type BatchView } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const run = (n: number, patch: Partial<Run> = {}) =>
  testRun(n, { progress: { ...emptyProgress(), turns: 3, elapsedMs: 12_000 * n }, ...patch })

const metrics = (n: number): RunMetrics => ({
  turns: 3,
  toolCalls: 2,
  toolErrors: 0,
  // the session's records span less than the run took (claude's start-up and exit are outside it)
  durationMs: 5_000 * n,
  tokens: 1000,
  costUsd: 0.01,
  tools: ['Write', 'Bash'],
  errors: []
})

function setup(runs: Run[], status: Partial<BatchView['status']> = {}) {
  const view = batchViewOf(
    runs,
    { settings: { permission: 'accept-edits' } as BatchView['batch']['settings'] },
    batchStatus({ batchId: 'b1', total: runs.length, done: runs.length, ...status })
  )
  mockApi({
    getBatch: () => view,
    getSignals: () => ({
      runs: runs.map((r) => ({ runId: r.id, number: r.number, metrics: metrics(r.number) })),
      batch: { good: 0, bad: 0, ungraded: runs.length, signals: [] }
    }),
    compareFiles: () => []
  })
}

afterEach(() => cleanup())

describe("a run's duration", () => {
  it('is the same on the batch page, in the deck, the gallery and compare', async () => {
    setup([run(1), run(2)])
    renderApp('/batch/b1')
    const row = (await screen.findAllByTestId('run-row'))[0]
    expect(within(row).getByTestId('run-duration').textContent).toBe('12s')
    cleanup()

    renderApp('/review/b1/1')
    expect((await screen.findByTestId('metric-duration')).textContent).toBe('12s')
    cleanup()

    renderApp('/gallery/b1')
    await waitFor(() => expect(screen.getAllByTestId('card-numbers')).toHaveLength(2))
    expect(screen.getAllByTestId('card-numbers')[0].textContent!.split(' · ')[1]).toBe('12s')
    cleanup()

    renderApp('/compare/b1/1/2')
    const table = await screen.findByTestId('compare-metrics')
    const durationRow = within(table)
      .getAllByRole('row')
      .find((tr) => tr.querySelector('th')?.textContent === 'Duration')!
    expect([...durationRow.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['12s', '24s'])
    cleanup()

    renderApp('/compare/b1/good/bad')
    await screen.findByTestId('compare-metrics')
  })

  it('a run cancelled before its claude started says so on the batch page, not a row of zeros', async () => {
    setup([run(1), run(2, { state: 'cancelled', reason: 'cancelled', progress: emptyProgress() })])
    renderApp('/batch/b1')
    const rows = await screen.findAllByTestId('run-row')
    expect(within(rows[0]).queryByTestId('run-not-started')).toBeNull()
    expect(within(rows[0]).getByTestId('run-duration').textContent).toBe('12s')
    expect(within(rows[1]).getByTestId('run-not-started').textContent).toBe('did not start')
    expect(within(rows[1]).queryByTestId('run-duration')).toBeNull()
  })

  it('the batch page counts a run collecting its outputs apart from the running ones, and offers no Cancel for it', async () => {
    setup(
      [
        run(1, { state: 'running', collecting: true }),
        run(2, { state: 'running' }),
        run(3, { state: 'queued', progress: emptyProgress() })
      ],
      { running: 1, collecting: 1, queued: 1, done: 0, processes: 1 }
    )
    renderApp('/batch/b1')
    const rows = await screen.findAllByTestId('run-row')
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['collecting', 'running', 'queued'])
    expect(within(rows[0]).getByText('collecting outputs')).toBeTruthy()
    expect(within(rows[0]).queryByTestId('cancel-run')).toBeNull()
    expect(within(rows[1]).getByTestId('cancel-run')).toBeTruthy()
    expect(screen.getByTestId('batch-running').textContent).toBe('1 running')
    expect(screen.getByTestId('batch-collecting').textContent).toMatch(/1 collecting outputs/)
  })
})
