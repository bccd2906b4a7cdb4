// @vitest-environment jsdom
/**
 * The composer's reference files by topic: the edge cases grouped by their file, a topic's "when" and
 * title edited, an edge case moved to another topic or a new one, undo, the preview showing every
 * reference file, and the save sending the topics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { EditorView } from '@codemirror/view'
import type { RequestInput, SkillView } from '../../src/shared/contract'
import type { Skill } from '../../src/shared/skills'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { mockApi, renderApp, type ApiMock } from './render-app'

const SKILL = testSkill({
  rules: [
    testRule(),
    testRule({ id: 'e1', text: 'Label every input', tier: 'edge-case', evidence: [3, 6], topic: 'forms' }),
    testRule({ id: 'e2', text: 'Mind the favicon', tier: 'edge-case', evidence: [2, 5] })
  ],
  topics: [{ name: 'forms', title: 'Forms', when: 'the page has a form' }]
})

let api: ApiMock
function setup(skill: Skill = SKILL) {
  let current = structuredClone(skill)
  const versions: SkillView['versions'] = [{ id: 'v1', number: 1, createdAt: '2025-01-01T00:00:00.000Z' }]
  api = mockApi({
    getSkill: () => ({ ...skillViewOf(current), versions: [...versions] }),
    saveSkill: ({ patch }: RequestInput<'saveSkill'>) => {
      const { markdown: _m, ...rest } = patch
      current = { ...current, ...(rest as Partial<Skill>) }
      versions.push({ id: `v${versions.length + 1}`, number: versions.length + 1, createdAt: '2025-01-02T00:00:00.000Z' })
      return { ...skillViewOf(current), versions: [...versions] }
    },
    listVerifications: () => []
  })
}
const group = (name: string) => screen.getAllByTestId('topic-group').find((g) => g.getAttribute('data-topic') === name)!
const groupNames = () => screen.getAllByTestId('topic-group').map((g) => g.getAttribute('data-topic'))
const cardOf = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement
const text = () => EditorView.findFromDOM(screen.getByTestId('skill-text'))!.state.doc.toString()
const previews = () => screen.getAllByTestId('reference-preview').map((d) => d.querySelector('summary')!.textContent)

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('the composer: reference files by topic', () => {
  it('groups the edge cases by file, edits a topic, moves an edge case, undoes, and saves the topics', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    expect(screen.getByTestId('tier-edge-case').querySelector('h3')!.textContent).toMatch(/^Edge cases, in references\/ by topic/)
    expect(groupNames()).toEqual(['forms', 'edge-cases'])
    expect(group('forms').contains(cardOf('Label every input'))).toBe(true)
    expect(group('edge-cases').contains(cardOf('Mind the favicon'))).toBe(true)
    expect(previews()).toEqual(['references/forms.md', 'references/edge-cases.md'])
    expect(text()).toContain('Read [references/forms.md](references/forms.md) when the page has a form.')

    // the topic's "when" and title
    await user.type(within(group('forms')).getByTestId('topic-when'), ' or a signup')
    expect(text()).toContain('Read [references/forms.md](references/forms.md) when the page has a form or a signup.')
    const title = within(group('forms')).getByTestId('topic-title')
    await user.clear(title)
    await user.type(title, 'Forms and inputs')
    expect(screen.getAllByTestId('reference-preview')[0].textContent).toContain('Landing pages: Forms and inputs')

    // the favicon rule moved into forms: edge-cases.md is no more
    await user.selectOptions(within(cardOf('Mind the favicon')).getByTestId('rule-topic'), 'forms')
    expect(group('forms').contains(cardOf('Mind the favicon'))).toBe(true)
    expect(previews()).toEqual(['references/forms.md'])
    expect(text()).not.toContain('references/edge-cases.md')
    expect(within(group('edge-cases')).getByText('no edge case in it: no file is written')).toBeTruthy()

    // to a new topic, renamed
    await user.selectOptions(within(cardOf('Label every input')).getByTestId('rule-topic'), 'New topic…')
    expect(groupNames()).toEqual(['forms', 'new-topic', 'edge-cases'])
    expect(group('new-topic').contains(cardOf('Label every input'))).toBe(true)
    const name = within(group('new-topic')).getByTestId('topic-name')
    await user.clear(name)
    await user.type(name, 'Labels!{Enter}')
    expect(groupNames()).toEqual(['forms', 'labels', 'edge-cases'])
    expect(group('labels').contains(cardOf('Label every input'))).toBe(true)
    expect(text()).toContain('Read [references/labels.md](references/labels.md) when')

    // undo: the rename, then the move to the new topic
    await user.click(screen.getByTestId('undo'))
    expect(groupNames()).toEqual(['forms', 'new-topic', 'edge-cases'])
    await user.click(screen.getByTestId('undo'))
    expect(groupNames()).toEqual(['forms', 'edge-cases'])
    expect(group('forms').contains(cardOf('Label every input'))).toBe(true)

    await user.click(screen.getByTestId('save-skill'))
    await waitFor(() => expect(api.saveSkill).toHaveBeenCalledTimes(1))
    const sent = api.saveSkill.mock.calls[0][0].patch
    expect(sent.topics).toEqual([{ name: 'forms', title: 'Forms and inputs', when: 'the page has a form or a signup' }])
    expect(sent.rules!.map((r) => [r.id, r.topic])).toEqual([
      ['c1', undefined],
      ['e1', 'forms'],
      ['e2', 'forms']
    ])
  })

  it('a skill without topics shows its one edge-cases.md as before, and gets topics when one is added', async () => {
    setup(testSkill({ rules: [testRule(), testRule({ id: 'e2', text: 'Mind the favicon', tier: 'edge-case', evidence: [2, 5] })] }))
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    expect(screen.getByTestId('tier-edge-case').querySelector('h3')!.textContent).toMatch(/^Edge cases, in references\/edge-cases\.md/)
    expect(text()).toContain('See [edge cases](references/edge-cases.md) for rarer situations.')
    expect(previews()).toEqual(['references/edge-cases.md'])
    await user.click(screen.getByTestId('add-topic'))
    expect(groupNames()).toEqual(['edge-cases', 'new-topic'])
    expect(text()).toContain('Read [references/edge-cases.md](references/edge-cases.md) when')
  })
})
