// @vitest-environment jsdom
/**
 * A rule a deepen demoted (a verification showed it followed where the skill broke runs) shows why on
 * its card, with the pairs; the person can move it back, which pins it there, and saving sends it
 * pinned with the verification's evidence still on it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { mockApi, renderApp, type ApiMock } from './render-app'

const NOTE = 'demoted from core: followed in 2 pairs the skill broke (v3, v7) in the verification of version 2, helped in 1'
const SKILL = testSkill({
  rules: [
    testRule({
      id: 'd1',
      text: 'Put the pricing table above the fold',
      tier: 'guidance',
      existing: true,
      note: NOTE,
      outcome: { version: 2, helped: ['v2'], hurt: ['v3', 'v7'] }
    }),
    testRule({ id: 'c2', text: 'Keep the page to one screen with three cards' })
  ]
})

let api: ApiMock
const cardOf = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement

beforeEach(() => {
  localStorage.clear()
  api = mockApi({ getSkill: () => skillViewOf(SKILL), saveSkill: () => skillViewOf(SKILL), listVerifications: () => [] })
})
afterEach(cleanup)

describe('a demoted rule in the composer', () => {
  it('says why on its card, and moving it back pins it there', async () => {
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    const card = cardOf('Put the pricing table above the fold')
    expect(within(card).getByText(NOTE)).toBeTruthy()
    await user.selectOptions(within(card).getByLabelText('Move to tier'), 'core')
    expect(within(cardOf('Put the pricing table above the fold')).getByText('moved by you')).toBeTruthy()
    await user.keyboard('{Control>}s{/Control}')
    await waitFor(() => expect(api.saveSkill).toHaveBeenCalledTimes(1))
    const sent = api.saveSkill.mock.calls[0][0].patch.rules!.find((r) => r.id === 'd1')!
    expect(sent).toMatchObject({ tier: 'core', pinnedTier: true, outcome: { hurt: ['v3', 'v7'], helped: ['v2'] } })
  })
})
