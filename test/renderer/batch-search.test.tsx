// @vitest-environment jsdom
/** The batch page searches the sessions of all its runs at once (searchBatch), each hit by its run, linked to its trace. */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestOutput } from '../../src/shared/contract'
import { emptyProgress, type Run } from '../../src/shared/runs'
import { batchStatus } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const run = (n: number): Run => ({
  id: `r${n}`,
  batchId: 'b1',
  number: n,
  prompt: `Build a landing page (variation ${n}).`,
  repeat: 1,
  state: 'done',
  sessionId: `s${n}`,
  projectId: `p${n}`,
  progress: emptyProgress(),
  files: [],
  screenshots: [],
  imported: false
})

afterEach(() => cleanup())

describe('search across a batch', () => {
  it('lists the runs that say it, linked to their traces', async () => {
    const runs = [run(1), run(2), run(3)]
    const view = {
      batch: { id: 'b1', name: 'Landing page #1', createdAt: '', settings: { permission: 'accept-edits' }, runIds: runs.map((r) => r.id) },
      runs,
      status: batchStatus({ batchId: 'b1', total: 3, done: 3 })
    } as RequestOutput<'getBatch'>
    const api = mockApi({
      getBatch: () => view,
      searchBatch: ({ query }) =>
        query === 'palette'
          ? [
              {
                runId: 'r3',
                number: 3,
                sessionId: 's3',
                projectId: 'p3',
                firstPrompt: runs[2].prompt,
                matches: 2,
                snippets: [{ line: 7, text: '…the zebra palette…' }]
              }
            ]
          : []
    })
    const user = userEvent.setup()
    renderApp('/batch/b1')
    await user.type(await screen.findByLabelText('Search this batch'), 'palette')
    const hit = await screen.findByTestId('batch-search-hit')
    expect(hit.getAttribute('data-number')).toBe('3')
    expect(within(hit).getByText('Run 3').closest('a')!.getAttribute('href')).toContain('/project/p3/session/s3')
    expect(hit.textContent).toContain('the zebra palette')
    expect(api.searchBatch.mock.calls.at(-1)?.[0]).toEqual({ batchId: 'b1', query: 'palette' })
  })
})
