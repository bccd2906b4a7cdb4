// @vitest-environment jsdom
/**
 * A run's final answer on screen (the review deck, the batch page, the gallery) hides the credentials
 * the run read and printed, and says how many; the run's record is not changed.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { batchViewOf, testRun } from '../support/builders'
import { SECRETS } from '../support/secrets'
import { mockApi, renderApp } from './render-app'

const ANSWER = `Done. I also found GITHUB_TOKEN=${SECRETS.github} and aws_secret_access_key = ${SECRETS.awsSecret} on the way.`

function setup() {
  const runs = [testRun(1, { result: ANSWER }), testRun(2, { result: 'Made the page.' })]
  return mockApi({
    getBatch: () => batchViewOf(runs),
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
