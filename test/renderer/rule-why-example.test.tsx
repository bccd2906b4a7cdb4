// @vitest-environment jsdom
/**
 * A rule card shows and edits the rule's three parts: the rule, its why and its example (the wrong and
 * the right snippet, with the runs they come from, and what the check of the runs dropped). The preview
 * shows the why in the rule's paragraph and the example under it; a save sends all three; undo undoes
 * an edit of each.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestInput, SkillView } from '../../src/shared/contract'
import type { Skill } from '../../src/shared/skills'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const SKILL = testSkill({
  rules: [
    testRule({
      id: 'c1',
      text: 'Keep the page to three plain cards',
      evidence: [1, 2, 5, 6, 7, 8, 9, 10],
      why: 'Run 2 crammed nine Deal cards under the fold.',
      example: { wrong: '<div class="deal">Deal 1</div>', right: '<div class="card">Feature 1</div>', runs: [1, 2], batchId: 'b1' },
      exampleNote: 'Example: the right snippet was not found in the files or commands of run 7; dropped.'
    }),
    testRule({ id: 'g1', text: 'Read back every file you write', tier: 'guidance', evidence: [2, 4, 6, 8] })
  ]
})

let saved: RequestInput<'saveSkill'>[] = []
function setup() {
  let skill: Skill = structuredClone(SKILL)
  saved = []
  const view = (): SkillView => skillViewOf(skill)
  mockApi({
    getSkill: () => view(),
    saveSkill: (input) => {
      saved.push(input)
      skill = { ...skill, ...(input.patch as Partial<Skill>), markdown: undefined }
      return view()
    },
    listVerifications: () => []
  })
}
const card = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement
const preview = () => screen.getAllByTestId('skill-preview')[0]

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('a rule card’s why and example', () => {
  it('shows the three parts, the example’s runs and what the check dropped; the preview shows them', async () => {
    setup()
    renderApp('/skill/s1')
    await screen.findByDisplayValue('Keep the page to three plain cards')
    const c = card('Keep the page to three plain cards')
    expect((within(c).getByTestId('rule-why') as HTMLTextAreaElement).value).toBe('Run 2 crammed nine Deal cards under the fold.')
    expect((within(c).getByTestId('example-wrong') as HTMLTextAreaElement).value).toBe('<div class="deal">Deal 1</div>')
    expect((within(c).getByTestId('example-right') as HTMLTextAreaElement).value).toBe('<div class="card">Feature 1</div>')
    expect(
      within(c)
        .getAllByTestId('example-badge')
        .map((b) => b.textContent)
    ).toEqual([expect.stringContaining('1'), expect.stringContaining('2')])
    expect(within(c).getByTestId('example-note').textContent).toMatch(/not found in the files or commands of run 7; dropped/)
    // the other rule has none: an empty why and a button to add an example
    const g = card('Read back every file you write')
    expect((within(g).getByTestId('rule-why') as HTMLTextAreaElement).value).toBe('')
    expect(within(g).queryByTestId('rule-example')).toBeNull()
    // the preview: the why in the rule's paragraph, the example as code under it
    expect(preview().textContent).toContain('Keep the page to three plain cards. Run 2 crammed nine Deal cards under the fold.')
    expect(within(preview()).getAllByText('<div class="deal">Deal 1</div>').length).toBeGreaterThan(0)
  })

  it('edits the why and the example, adds and removes one, undoes, and saves all three', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByDisplayValue('Keep the page to three plain cards')
    const c = card('Keep the page to three plain cards')
    const why = within(c).getByTestId('rule-why') as HTMLTextAreaElement
    await user.clear(why)
    await user.type(why, 'Two CTAs had lower click-through')
    await waitFor(() => expect(preview().textContent).toContain('Keep the page to three plain cards. Two CTAs had lower click-through.'))
    const right = within(c).getByTestId('example-right') as HTMLTextAreaElement
    await user.clear(right)
    await user.type(right, '<div class="card">One</div>')
    await waitFor(() => expect(within(preview()).getAllByText('<div class="card">One</div>').length).toBeGreaterThan(0))
    // the guidance rule gets an example, then loses it again
    const g = card('Read back every file you write')
    await user.click(within(g).getByTestId('add-example'))
    await user.type(within(g).getByTestId('example-wrong'), 'cat out.html')
    expect((within(g).getByTestId('example-wrong') as HTMLTextAreaElement).value).toBe('cat out.html')
    await user.click(within(g).getByTestId('remove-example'))
    expect(within(g).queryByTestId('rule-example')).toBeNull()
    // undo brings the example back (the removal was one step)
    await user.click(screen.getByTestId('undo'))
    expect((within(card('Read back every file you write')).getByTestId('example-wrong') as HTMLTextAreaElement).value).toBe('cat out.html')
    await user.click(within(card('Read back every file you write')).getByTestId('remove-example'))
    await user.click(screen.getByTestId('save-skill'))
    await waitFor(() => expect(saved).toHaveLength(1))
    const rules = saved[0].patch.rules!
    const c1 = rules.find((r) => r.id === 'c1')!
    expect(c1.why).toBe('Two CTAs had lower click-through')
    expect(c1.example).toEqual({
      wrong: '<div class="deal">Deal 1</div>',
      right: '<div class="card">One</div>',
      runs: [1, 2],
      batchId: 'b1'
    })
    expect(rules.find((r) => r.id === 'g1')!.example).toBeUndefined()
  })
})
