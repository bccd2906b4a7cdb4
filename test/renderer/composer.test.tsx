// @vitest-environment jsdom
/**
 * The SKILL.md composer as a person uses it: the rule cards and their evidence badges, editing the
 * text (CodeMirror, driven the way typing drives it), saved and unsaved state, a save that makes a
 * version, a removed card restored, the front matter's problems shown as they are typed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { EditorView } from '@codemirror/view'
import type { RequestInput, SkillView } from '../../src/shared/contract'
import { renderSkillMd } from '../../src/shared/skill-md'
import type { Skill } from '../../src/shared/skills'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { mockApi, renderApp, type ApiMock } from './render-app'

const SKILL = testSkill({
  rules: [
    testRule({
      pointers: [
        { run: 3, line: 12 },
        { run: 5, file: 'src/pages/index.html' }
      ]
    }),
    testRule({ id: 'g1', text: 'Read back every file you write', tier: 'guidance', evidence: [2, 4, 6, 8] }),
    testRule({ id: 'e1', text: 'If the page has no title, add one', tier: 'edge-case', evidence: [3, 6], guard: true })
  ]
})

/** A tiny skill store behind the mocked api: a save makes a version. */
function skillStore() {
  let skill: Skill = structuredClone(SKILL)
  const versions: SkillView['versions'] = [{ id: 'v1', number: 1, createdAt: '2025-01-01T00:00:00.000Z' }]
  const view = (): SkillView => ({ ...skillViewOf(skill), versions: [...versions] })
  return {
    get: view,
    save: ({ patch }: RequestInput<'saveSkill'>): SkillView => {
      const { markdown, ...rest } = patch
      skill = { ...skill, ...(rest as Partial<Skill>), updatedAt: new Date().toISOString() }
      if (markdown === null) delete skill.markdown
      else if (markdown !== undefined) skill.markdown = markdown
      versions.push({ id: `v${versions.length + 1}`, number: versions.length + 1, createdAt: skill.updatedAt })
      return view()
    }
  }
}

let api: ApiMock

function setup() {
  const store = skillStore()
  api = mockApi({ getSkill: () => store.get(), saveSkill: (input) => store.save(input), listVerifications: () => [] })
}

const saveButton = () => screen.getByTestId('save-skill') as HTMLButtonElement
const tier = (t: string) => screen.getByTestId(`tier-${t}`)
const cardOf = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement
const editor = () => EditorView.findFromDOM(screen.getByTestId('skill-text'))!
/** Type into the SKILL.md editor as CodeMirror's input handling does: a user transaction. */
const typeInEditor = (text: string, at = editor().state.doc.length) =>
  editor().dispatch({ changes: { from: at, insert: text }, userEvent: 'input.type' })

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('the SKILL.md composer', () => {
  it('shows the rules by tier with evidence badges into the review deck, and the text with its citations as badges', async () => {
    setup()
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    expect(within(tier('core')).getAllByTestId('rule-card')).toHaveLength(1)
    expect(within(tier('guidance')).getByDisplayValue('Read back every file you write')).toBeTruthy()
    expect(within(tier('edge-case')).getByText('guard')).toBeTruthy()

    const badges = within(cardOf('Run the build before finishing')).getAllByTestId('evidence-badge')
    expect(badges.map((b) => b.textContent)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    // run 3 opens at the trace line the analyst pointed to; the others at the run (the deck leads back to the rule)
    expect(badges[2].getAttribute('href')).toBe('/review/b1/3/line/12?from=skill%3As1%3Ac1')
    expect(badges[0].getAttribute('href')).toBe('/review/b1/1?from=skill%3As1%3Ac1')
    // run 5 opens at the output file the analyst pointed to
    expect(badges[4].getAttribute('href')).toBe('/review/b1/5/file/src/pages/index.html?from=skill%3As1%3Ac1')
    expect(badges[4].getAttribute('title')).toContain('src/pages/index.html')

    expect(editor().state.doc.toString()).toBe(renderSkillMd(SKILL))
    const preview = screen.getAllByTestId('skill-preview')[0]
    expect(within(preview).getByText('Landing pages')).toBeTruthy()
    const item = [...preview.querySelectorAll('li')].find((li) => li.textContent!.startsWith('Read back every file you write'))!
    expect([...item.querySelectorAll('.citation .run-badge')].map((a) => a.textContent)).toEqual(['2', '4', '6', '8'])
    expect(item.querySelector('.run-badge')!.getAttribute('href')).toBe('/review/b1/2')
    expect(preview.textContent).not.toContain('(runs 2, 4, 6, 8)')
    expect(saveButton().textContent).toBe('Saved')
    expect(saveButton().disabled).toBe(true)
  })

  it('says the tier thresholds the skill was tiered with, and the seed ones for an older skill', async () => {
    setup()
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    // a skill tiered before the thresholds scaled: the seed's
    expect(screen.getByTestId('tier-thresholds').textContent).toBe(
      "Tiers: core 8+, patterns 4-7, edge cases 2-3 (the seed's, for about 20 runs)"
    )
    expect(within(tier('core')).getByRole('heading').textContent).toMatch(/^Core rules \(8\+ runs\)/)
    cleanup()
    const tiers = { runs: 40, core: 16, guidance: 8, edgeCase: 4, guards: { runs: 10, core: 4, guidance: 3, edgeCase: 2, hardRuns: [] } }
    api = mockApi({ getSkill: () => skillViewOf({ ...structuredClone(SKILL), tiers }), listVerifications: () => [] })
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    expect(screen.getByTestId('tier-thresholds').textContent).toBe(
      'Tiers for 40 graded runs: core 16+, patterns 8-15, edge cases 4-7; guards, against 10 hard or adversarial runs: core 4+, patterns 3, edge cases 2'
    )
    expect(within(tier('core')).getByRole('heading').textContent).toMatch(/^Core rules \(16\+ runs\)/)
    expect(within(tier('guidance')).getByRole('heading').textContent).toMatch(/^Guidance \(8-15 runs\)/)
    expect(within(tier('edge-case')).getByRole('heading').textContent).toMatch(/\(4-7 runs\)/)
    expect(within(tier('discarded')).getByRole('heading').textContent).toMatch(/^Discarded \(1-3 runs,/)
  })

  it('editing the text makes it unsaved; saving sends it and makes a version; it is saved again', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    expect(screen.getByText('(from the rule cards)')).toBeTruthy()
    expect(screen.getByText('Versions (1): tick two to diff')).toBeTruthy()

    typeInEditor('\nAlways link the pricing page (run 5).\n')
    expect(await screen.findByText('edited by hand')).toBeTruthy()
    expect(screen.getByText('unsaved changes (kept if you close the app)')).toBeTruthy()
    expect(saveButton().textContent).toBe('Save version (Ctrl+S)')
    // the preview follows the text, with its citation as a badge
    const preview = screen.getAllByTestId('skill-preview')[0]
    expect(preview.textContent).toContain('Always link the pricing page')
    // kept for a reload (written by an effect, after the render that shows the change)
    await waitFor(() => expect(localStorage.getItem('t2s-skill-draft-s1')).toContain('Always link the pricing page'))

    await user.click(saveButton())
    await waitFor(() => expect(saveButton().textContent).toBe('Saved'))
    expect(api.saveSkill).toHaveBeenCalledTimes(1)
    const sent = api.saveSkill.mock.calls[0][0]
    expect(sent.skillId).toBe('s1')
    expect(sent.patch.markdown).toBe(`${renderSkillMd(SKILL)}\nAlways link the pricing page (run 5).\n`)
    expect(sent.patch.rules).toEqual(SKILL.rules)
    expect(screen.queryByText('unsaved changes (kept if you close the app)')).toBeNull()
    expect(screen.getByText('Versions (2): tick two to diff')).toBeTruthy()
    expect(localStorage.getItem('t2s-skill-draft-s1')).toBeNull()

    // Ctrl+S with nothing changed makes no version, and says so
    await user.keyboard('{Control>}s{/Control}')
    expect(api.saveSkill).toHaveBeenCalledTimes(1)
    expect(screen.getByTestId('save-info').textContent).toBe('Nothing changed since version 2: no new version.')
  })

  it('Ctrl+S in a rule card saves the edited rule; Undo takes an edit back', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    const field = screen.getByDisplayValue('Read back every file you write')
    await user.click(field)
    await user.keyboard(' twice')
    expect(saveButton().disabled).toBe(false)
    // the cards make the text (nothing edited by hand)
    expect(editor().state.doc.toString()).toContain('- Read back every file you write twice (runs 2, 4, 6, 8)')
    await user.click(screen.getByTestId('undo'))
    expect(screen.getByDisplayValue('Read back every file you write')).toBeTruthy()
    expect(saveButton().textContent).toBe('Saved')
    await user.click(screen.getByTestId('redo'))
    expect(screen.getByDisplayValue('Read back every file you write twice')).toBeTruthy()

    await user.click(screen.getByDisplayValue('Read back every file you write twice'))
    await user.keyboard('{Control>}s{/Control}')
    await waitFor(() => expect(api.saveSkill).toHaveBeenCalledTimes(1))
    expect(api.saveSkill.mock.calls[0][0].patch.rules!.find((r) => r.id === 'g1')!.text).toBe('Read back every file you write twice')
    expect(api.saveSkill.mock.calls[0][0].patch.markdown).toBeNull()
    await waitFor(() => expect(saveButton().textContent).toBe('Saved'))
  })

  it('a deleted card goes under Discarded, marked removed, and Restore puts it back where it was', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    await user.click(within(cardOf('Read back every file you write')).getByTestId('delete-rule'))
    expect(within(tier('guidance')).queryAllByTestId('rule-card')).toHaveLength(0)
    const removed = cardOf('Read back every file you write')
    expect(tier('discarded').contains(removed)).toBe(true)
    expect(removed.getAttribute('data-removed')).toBe('true')
    expect(within(removed).getByText('removed by you')).toBeTruthy()
    expect(editor().state.doc.toString()).not.toContain('Read back every file you write')

    await user.click(within(removed).getByTestId('restore-rule'))
    const back = cardOf('Read back every file you write')
    expect(tier('guidance').contains(back)).toBe(true)
    expect(back.getAttribute('data-removed')).toBeNull()
    // back as it was: nothing to save
    expect(saveButton().textContent).toBe('Saved')
    expect(api.saveSkill).not.toHaveBeenCalled()
  })

  it('shows what is wrong with the front matter as it is typed, and takes it away once fixed', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    expect(screen.queryByTestId('fm-problems')).toBeNull()
    expect(screen.getByText('Front matter follows the Agent Skills rules.')).toBeTruthy()

    const name = screen.getByTestId('fm-name')
    await user.clear(name)
    await user.type(name, 'Landing Pages')
    const problems = screen.getByTestId('fm-problems')
    expect(within(problems).getByText('name: use only lowercase letters, digits and hyphens')).toBeTruthy()
    await user.clear(screen.getByTestId('fm-description'))
    expect(within(screen.getByTestId('fm-problems')).getByText('description: is required')).toBeTruthy()
    expect(screen.queryByText('Front matter follows the Agent Skills rules.')).toBeNull()

    await user.clear(name)
    await user.paste('landing-pages')
    await user.click(screen.getByTestId('fm-description'))
    await user.paste('Build landing pages that work.')
    expect(screen.queryByTestId('fm-problems')).toBeNull()
    // back to what is saved
    expect(saveButton().textContent).toBe('Saved')
  })

  it('an unsaved draft comes back after a reload', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    await user.type(screen.getByTestId('fm-description'), ' Fast.')
    cleanup()

    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    expect((screen.getByTestId('fm-description') as HTMLInputElement).value).toBe('Build landing pages that work. Fast.')
    expect(screen.getByText('unsaved changes (kept if you close the app)')).toBeTruthy()
  })
})
