// @vitest-environment jsdom
/**
 * The ways to a skill's triggers page (issue 23): "Triggers…" in the composer, beside Verify; and the
 * verification report's low trigger rate ("Measure and improve its description": its href is checked
 * in verify.test.tsx, on the report and while blind).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { skillViewOf, testSkill } from '../support/builders'
import { estimate, view } from './triggers-fixtures'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

describe('links to the triggers page', () => {
  it('the composer: "Triggers…" beside Verify opens the skill\'s triggers page', async () => {
    mockApi({
      getSkill: () => skillViewOf(testSkill()),
      listVerifications: () => [],
      getTriggers: () => view(),
      estimateTriggers: () => estimate()
    })
    const app = renderApp('/skill/s1')
    const link = await screen.findByTestId('triggers-link')
    expect(link.textContent).toBe('Triggers…')
    // beside Verify and Make candidates
    expect(link.previousElementSibling?.getAttribute('data-testid')).toBe('candidates-link')
    await userEvent.setup().click(link)
    await screen.findByTestId('triggers-page')
    await waitFor(() => expect(app.pathname()).toBe('/triggers/s1'))
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Does Claude Code load landing-pages?')
  })

  it('a skill that cannot be read: the error, with Retry', async () => {
    const api = mockApi({})
    api.getTriggers.mockImplementation(async () => {
      throw new Error('no such skill: s9')
    })
    renderApp('/triggers/s9')
    expect((await screen.findByRole('alert')).textContent).toBe('no such skill: s9Retry')
  })
})
