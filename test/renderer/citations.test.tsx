// @vitest-environment jsdom
/**
 * Citations a person can read: a rule's evidence badges say each run's grade (in words for assistive
 * technology and a mark beside the colour), a long list is collapsed ("and 55 more", expandable), and a
 * badge that opens the review deck keeps the place: the deck's back link and banner return to the
 * skill, at that rule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { batchViewOf, skillViewOf, testRule, testRun, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)

const VIEW = skillViewOf(
  testSkill({
    batchIds: ['b0', 'b1'],
    rules: [
      testRule({ evidence: range(1, 60) }),
      testRule({
        id: 'g1',
        text: 'Read back every file you write',
        tier: 'guidance',
        evidence: [2, 4, 6, 8],
        existing: true,
        earlier: [{ batchId: 'b0', runs: [3, 5] }]
      })
    ]
  })
)

/** run n of a batch: odd good, even bad, 58 and over ungraded */
const run = (batchId: string, n: number) =>
  testRun(n, {
    id: `${batchId}-r${n}`,
    batchId,
    ...(n >= 58 ? {} : { feedback: { label: n % 2 ? 'good' : 'bad', text: '', updatedAt: 'then' } })
  })
const batch = (batchId: string) =>
  batchViewOf(
    range(1, batchId === 'b1' ? 60 : 8).map((n) => run(batchId, n)),
    { id: batchId, name: batchId === 'b1' ? 'Landing page #2' : 'Landing page #1' }
  )

function setup() {
  return mockApi({
    getSkill: () => VIEW,
    listVerifications: () => [],
    getBatch: ({ batchId }) => batch(batchId),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 0, signals: [] } })
  })
}

const cardOf = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('evidence badges', () => {
  it('collapse a long list, and expand it on a click', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    const card = cardOf('Run the build before finishing')
    expect(
      within(card)
        .getAllByTestId('evidence-badge')
        .map((b) => b.textContent)
    ).toEqual(['1', '2', '3', '4', '5'])
    const more = within(card).getByTestId('more-runs')
    expect(more.textContent).toBe('and 55 more')
    expect(more.getAttribute('aria-expanded')).toBe('false')
    await user.click(more)
    expect(within(card).getAllByTestId('evidence-badge')).toHaveLength(60)
    expect(within(card).getByTestId('more-runs').textContent).toBe('fewer')
  })

  it('say each run’s grade: in a class for the colour, in words for a screen reader, and as a count', async () => {
    setup()
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    const card = cardOf('Run the build before finishing')
    await waitFor(() => expect(within(card).getAllByTestId('evidence-badge')[0].getAttribute('data-grade')).toBe('good'))
    const [one, two] = within(card).getAllByTestId('evidence-badge')
    expect(one.className).toContain('graded-good')
    expect(one.getAttribute('aria-label')).toBe('Run 1, graded good')
    expect(two.className).toContain('graded-bad')
    expect(two.getAttribute('aria-label')).toBe('Run 2, graded bad')
    expect(within(card).getByTestId('evidence-grades').textContent).toBe('29 good · 28 bad · 3 ungraded')
  })

  it('earlier citations link to the batch they are in', async () => {
    setup()
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    const card = cardOf('Read back every file you write')
    expect(
      within(card)
        .getAllByTestId('evidence-badge')
        .map((b) => b.getAttribute('href'))
    ).toEqual([
      '/review/b1/2?from=skill%3As1%3Ag1',
      '/review/b1/4?from=skill%3As1%3Ag1',
      '/review/b1/6?from=skill%3As1%3Ag1',
      '/review/b1/8?from=skill%3As1%3Ag1'
    ])
    const earlier = within(card).getAllByTestId('earlier-badge')
    expect(earlier.map((b) => [b.textContent, b.getAttribute('href')])).toEqual([
      ['3', '/review/b0/3?from=skill%3As1%3Ag1'],
      ['5', '/review/b0/5?from=skill%3As1%3Ag1']
    ])
  })

  it('open the deck keeping the place: its back link and banner return to the skill, at that rule', async () => {
    setup()
    const app = renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    const card = cardOf('Read back every file you write')
    await user.click(within(card).getAllByTestId('evidence-badge')[0])
    await screen.findByTestId('review-deck')
    expect(app.pathname()).toBe('/review/b1/2')
    const back = await screen.findByTestId('deck-back-to-skill')
    expect(back.textContent).toBe('← landing-pages, at the rule')
    expect(back.getAttribute('href')).toBe('/skill/s1?rule=g1')
    // no "Analyse" in the deck's head: this is about the skill
    expect(screen.queryByTestId('deck-analyze')).toBeNull()
    // moving on in the deck keeps the place
    await user.keyboard('j')
    await waitFor(() => expect(app.pathname()).toBe('/review/b1/3'))
    expect(screen.getByTestId('deck-back-to-skill').getAttribute('href')).toBe('/skill/s1?rule=g1')

    await user.click(screen.getByTestId('deck-back-to-skill'))
    await screen.findByTestId('skill')
    await waitFor(() => expect(cardOf('Read back every file you write').getAttribute('data-focused')).toBe('true'))
  })

  it('in a batch graded to the end, the deck’s banner leads back to the skill, not to Analyse', async () => {
    setup()
    const app = renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    await user.click(within(cardOf('Read back every file you write')).getAllByTestId('earlier-badge')[1])
    await screen.findByTestId('review-deck')
    expect(app.pathname()).toBe('/review/b0/5')
    const banner = await screen.findByTestId('all-graded')
    expect(banner.textContent).toBe('Back to landing-pages, at the rule that cites these runs →')
    expect(banner.getAttribute('href')).toBe('/skill/s1?rule=g1')
    expect(screen.queryByText(/Analyse/)).toBeNull()
  })
})
