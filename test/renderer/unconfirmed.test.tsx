// @vitest-environment jsdom
/**
 * A rule's citations the support check did not confirm stay on its card, marked "not confirmed" with
 * the checker's reason, apart from the runs that count toward its tier; a rule all of whose citations
 * held shows no such list.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const VIEW = skillViewOf(
  testSkill({
    rules: [
      testRule({
        id: 'c1',
        text: 'Open the page in a browser before finishing',
        evidence: [1, 2, 3],
        tier: 'edge-case',
        unconfirmed: [
          { run: 4, reason: 'run 4 never opened the page' },
          { run: 6, reason: 'the page was opened only after the grade' }
        ]
      }),
      testRule({ id: 'c2', text: 'Run the build before finishing', evidence: [7, 8, 9] })
    ]
  })
)

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('not confirmed citations on the rule card', () => {
  it('shows each unconfirmed run with the checker’s reason, apart from the runs that count', async () => {
    mockApi({ getSkill: () => VIEW, listVerifications: () => [] })
    renderApp('/skill/s1')
    const box = await screen.findByDisplayValue('Open the page in a browser before finishing')
    const card = box.closest('[data-testid="rule-card"]') as HTMLElement
    const list = within(card).getByTestId('rule-unconfirmed')
    expect(list.textContent).toMatch(/not confirmed by the support check in 2 runs \(not counted toward its tier\)/)
    const items = within(list).getAllByTestId('unconfirmed-run')
    expect(items.map((i) => i.textContent)).toEqual([
      expect.stringMatching(/^4\s*not confirmed: run 4 never opened the page$/),
      expect.stringMatching(/^6\s*not confirmed: the page was opened only after the grade$/)
    ])
    // the badges of the unconfirmed runs open those runs, and are not among the counted ones
    expect(
      within(list)
        .getAllByTestId('unconfirmed-badge')
        .map((b) => b.textContent)
    ).toEqual(['4', '6'])
    const counted = [...card.querySelectorAll('.rule-meta .run-badge')].map((b) => b.textContent)
    expect(counted).not.toContain('4')
    // a rule whose citations all held has no such list
    const other = (await screen.findByDisplayValue('Run the build before finishing')).closest('[data-testid="rule-card"]') as HTMLElement
    expect(within(other).queryByTestId('rule-unconfirmed')).toBeNull()
  })
})
