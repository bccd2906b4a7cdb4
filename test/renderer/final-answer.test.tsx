// @vitest-environment jsdom
/**
 * A run's final answer on screen (the review deck, the batch page, the gallery) hides the credentials
 * the run read and printed, and says how many; the run's record is not changed.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestOutput } from '../../src/shared/contract'
import { emptyProgress, type Run } from '../../src/shared/runs'
import { SECRETS } from '../support/secrets'
import { mockApi, renderApp } from './render-app'

type BatchView = RequestOutput<'getBatch'>

const ANSWER = `Done. I also found GITHUB_TOKEN=${SECRETS.github} and aws_secret_access_key = ${SECRETS.awsSecret} on the way.`

const run = (n: number): Run => ({
  id: `r${n}`,
  batchId: 'b1',
  number: n,
  difficulty: 'normal',
  prompt: `Build a landing page (variation ${n}).`,
  repeat: 1,
  state: 'done',
  sessionId: `s${n}`,
  progress: emptyProgress(),
  result: n === 1 ? ANSWER : 'Made the page.',
  files: [],
  screenshots: [],
  imported: false
})

function setup() {
  const runs = [run(1), run(2)]
  const view: BatchView = {
    batch: {
      id: 'b1',
      name: 'Landing page #1',
      createdAt: '2025-01-01T00:00:00.000Z',
      settings: {} as BatchView['batch']['settings'],
      runIds: runs.map((r) => r.id)
    },
    runs,
    status: {} as BatchView['status']
  }
  return mockApi({
    getBatch: () => view,
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 2, signals: [] } })
  })
}

afterEach(cleanup)

describe("a run's final answer on screen", () => {
  it('in the review deck: credentials hidden, with how many', async () => {
    setup()
    renderApp('/review/b1/1')
    const answer = await screen.findByTestId('final-answer')
    expect(answer.textContent).toBe(
      'Done. I also found GITHUB_TOKEN=[REDACTED:github-token] and aws_secret_access_key = [REDACTED:aws-secret-key] on the way.'
    )
    expect(screen.getByTestId('answer-redacted').textContent).toBe('2 secrets hidden')
    expect(document.body.textContent).not.toContain(SECRETS.github)
    expect(document.body.textContent).not.toContain(SECRETS.awsSecret)
  })

  it('an answer with none is shown as it is, with no note', async () => {
    setup()
    renderApp('/review/b1/2')
    expect((await screen.findByTestId('final-answer')).textContent).toBe('Made the page.')
    expect(screen.queryByTestId('answer-redacted')).toBeNull()
  })

  it('on the batch page, when the run is opened', async () => {
    setup()
    renderApp('/batch/b1')
    const row = await screen.findByText('Run 1', { exact: false })
    await userEvent.click(row)
    const answer = await screen.findByTestId('final-answer')
    expect(answer.textContent).toContain('GITHUB_TOKEN=[REDACTED:github-token]')
    expect(within(answer.parentElement!).getByTestId('answer-redacted').textContent).toBe('2 secrets hidden')
    expect(document.body.textContent).not.toContain(SECRETS.github)
  })
})
