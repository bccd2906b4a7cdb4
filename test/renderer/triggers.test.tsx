// @vitest-environment jsdom
/**
 * A skill's triggers page (issue 23), its query set: two lists (should load it / should not), each
 * prompt inert with its source; add, remove, flip, edit, undo (Ctrl+Z), save (the request's payload);
 * near misses written with a busy state; rivals named first (same-name as a warning); a failed
 * request said.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { TriggersView } from '../../src/shared/triggers'
import { skillViewOf, testSkill } from '../support/builders'
import { deferred, estimate, QUERIES, view } from './triggers-fixtures'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

const prompts = (list: string) =>
  within(screen.getByTestId(list))
    .queryAllByTestId('query-prompt')
    .map((p) => p.textContent)

function setup(v: TriggersView = view()) {
  let saved = v
  const api = mockApi({
    getTriggers: () => saved,
    getSkill: () => skillViewOf(testSkill()),
    estimateTriggers: () => estimate(),
    saveTriggerQueries: ({ queries }) => (saved = { ...saved, queries, reviewedAt: '2026-01-03T00:00:00.000Z' })
  })
  return { api }
}

describe('the query set', () => {
  it('two lists, each prompt as inert text with its source', async () => {
    setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('triggers-page')
    expect(prompts('should-list')).toEqual([QUERIES[0].prompt, QUERIES[1].prompt, QUERIES[2].prompt])
    expect(prompts('should-not-list')).toEqual(['Fix the typo in the landing page README'])
    // a prompt's markup is text, never an element
    expect(document.querySelector('.trigger-queries img')).toBeNull()
    expect(
      within(screen.getByTestId('should-list'))
        .getAllByTestId('query-source')
        .map((b) => b.textContent)
    ).toEqual(['batch', 'verification', 'batch'])
    expect(within(screen.getByTestId('should-not-list')).getByTestId('query-source').textContent).toBe('near-miss variation')
    expect(screen.getByTestId('queries-reviewed').textContent).toMatch(/^Not reviewed yet/)
    expect(screen.getByTestId('save-queries').textContent).toBe('Saved')
    // nothing done yet: nothing to undo
    expect((screen.getByTestId('undo-query') as HTMLButtonElement).disabled).toBe(true)
  })

  it('add, flip, edit, remove, undo with Ctrl+Z, then save: the set sent as edited, unsaved said until then', async () => {
    const { api } = setup()
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('triggers-page')

    // add a near miss
    await user.type(screen.getByTestId('add-query-text'), 'Write unit tests for the landing page form')
    await user.click(screen.getByTestId('add-should-not'))
    await user.click(screen.getByTestId('add-query'))
    expect(prompts('should-not-list')).toEqual(['Fix the typo in the landing page README', 'Write unit tests for the landing page form'])
    expect((screen.getByTestId('add-query-text') as HTMLTextAreaElement).value).toBe('')
    expect(screen.getByTestId('queries-unsaved').textContent).toBe('unsaved changes: measuring uses the saved set')
    // measuring would not measure the edits: it waits for the save
    expect((screen.getByTestId('measure') as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByTestId('measure').title).toBe('Save the set first: measuring uses the saved set.')
    const added = within(screen.getByTestId('should-not-list')).getAllByTestId('query-row')[1]
    expect(within(added).getByTestId('query-source').textContent).toBe('yours')

    // an empty prompt or one already there is refused, said
    await user.type(screen.getByTestId('add-query-text'), 'Build a landing page for a bakery')
    await user.click(screen.getByTestId('add-query'))
    expect(screen.getByTestId('query-problem').textContent).toBe('That prompt is in the set already.')
    await user.clear(screen.getByTestId('add-query-text'))

    // flip the dentist prompt to "should not"
    const dentist = within(screen.getByTestId('should-list')).getAllByTestId('query-row')[2]
    await user.click(within(dentist).getByTestId('query-flip'))
    expect(prompts('should-list')).toEqual([QUERIES[0].prompt, QUERIES[1].prompt])
    expect(prompts('should-not-list')).toContain('Landing page for a dentist, one screen')

    // edit the bakery prompt
    const bakery = within(screen.getByTestId('should-list')).getAllByTestId('query-row')[0]
    await user.click(within(bakery).getByTestId('query-edit'))
    const box = within(bakery).getByTestId('query-edit-text')
    await user.clear(box)
    await user.type(box, 'Build a landing page for a bakery in Lyon')
    await user.click(within(bakery).getByTestId('query-edit-done'))
    expect(prompts('should-list')[0]).toBe('Build a landing page for a bakery in Lyon')

    // remove the README near miss
    const readme = within(screen.getByTestId('should-not-list'))
      .getAllByTestId('query-row')
      .find((r) => r.textContent?.includes('README'))!
    await user.click(within(readme).getByTestId('query-remove'))
    expect(prompts('should-not-list')).not.toContain('Fix the typo in the landing page README')

    // Ctrl+Z (outside a text field) takes back the last change, then the one before
    ;(document.activeElement as HTMLElement | null)?.blur()
    await user.keyboard('{Control>}z{/Control}')
    expect(prompts('should-not-list')).toContain('Fix the typo in the landing page README')
    await user.keyboard('{Control>}z{/Control}')
    expect(prompts('should-list')[0]).toBe('Build a landing page for a bakery')
    expect((screen.getByTestId('undo-query') as HTMLButtonElement).disabled).toBe(false)
    // ...and the edit again, with the button
    await user.click(within(screen.getByTestId('should-list')).getAllByTestId('query-row')[0].querySelector('[data-testid=query-edit]')!)
    const again = screen.getByTestId('query-edit-text')
    await user.clear(again)
    await user.type(again, 'Build a landing page for a bakery in Lyon')
    await user.click(screen.getByTestId('query-edit-done'))

    await user.click(screen.getByTestId('save-queries'))
    await waitFor(() => expect(api.saveTriggerQueries).toHaveBeenCalledTimes(1))
    const sent = api.saveTriggerQueries.mock.calls[0][0]
    expect(sent.skillId).toBe('s1')
    expect(sent.queries.map((q) => [q.prompt, q.should, q.source])).toEqual([
      ['Build a landing page for a bakery in Lyon', true, 'batch'],
      [QUERIES[1].prompt, true, 'verification'],
      ['Landing page for a dentist, one screen', false, 'batch'],
      ['Fix the typo in the landing page README', false, 'near-miss'],
      ['Write unit tests for the landing page form', false, 'person']
    ])
    // the ones it had keep their ids (and where they came from); the new one has its own
    expect(sent.queries.slice(0, 4).map((q) => q.id)).toEqual(['q1', 'q2', 'q3', 'q4'])
    expect(sent.queries[0].variationId).toBe('v1')
    expect(sent.queries[4].id).toMatch(/^person-/)
    await waitFor(() => expect(screen.queryByTestId('queries-unsaved')).toBeNull())
    expect(screen.getByTestId('save-queries').textContent).toBe('Saved')
    expect(screen.getByTestId('queries-reviewed').textContent).toMatch(/^Your set, saved /)
  })

  it('Ctrl+S saves the set; a save that fails is said and the edits are kept', async () => {
    const { api } = setup()
    api.saveTriggerQueries.mockImplementation(async () => {
      throw new Error('a query is empty')
    })
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('triggers-page')
    await user.click(within(screen.getByTestId('should-not-list')).getByTestId('query-flip'))
    await user.keyboard('{Control>}s{/Control}')
    expect((await screen.findByRole('alert')).textContent).toContain('a query is empty')
    expect(api.saveTriggerQueries).toHaveBeenCalledTimes(1)
    expect(prompts('should-list')).toContain('Fix the typo in the landing page README')
    expect(screen.getByTestId('queries-unsaved')).toBeTruthy()
  })

  it('Ctrl+Enter in the new query box adds it (it does not measure); a set main tidies on save leaves nothing unsaved', async () => {
    const { api } = setup()
    // main answers the set as it keeps it: the prompts tidied
    api.saveTriggerQueries.mockImplementation(async ({ queries }) =>
      view({ queries: queries.map((q) => ({ ...q, prompt: q.prompt.replace(/\s+/g, ' ') })), reviewedAt: '2026-01-03T00:00:00.000Z' })
    )
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('measure-estimate-decisions')
    await user.type(screen.getByTestId('add-query-text'), 'A landing  page for a gym')
    await user.keyboard('{Control>}{Enter}{/Control}')
    expect(prompts('should-list')).toContain('A landing  page for a gym')
    expect(api.measureTriggers).not.toHaveBeenCalled()
    await user.click(screen.getByTestId('save-queries'))
    await waitFor(() => expect(prompts('should-list')).toContain('A landing page for a gym'))
    expect(screen.queryByTestId('queries-unsaved')).toBeNull()
    expect(screen.getByTestId('save-queries').textContent).toBe('Saved')
  })

  it('"Write N near misses": the count sent, busy while the writer works, its near misses shown', async () => {
    const { api } = setup()
    const written = deferred<TriggersView>()
    api.writeNearMisses.mockImplementation(written.fn)
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('triggers-page')
    const count = screen.getByTestId('near-miss-count')
    await user.clear(count)
    await user.type(count, '2')
    const button = screen.getByTestId('write-near-misses') as HTMLButtonElement
    expect(button.textContent).toBe('Write 2 near misses')
    await user.click(button)
    await waitFor(() => expect(button.textContent).toBe('Writing near misses…'))
    expect(button.disabled).toBe(true)
    expect(api.writeNearMisses).toHaveBeenCalledWith({ skillId: 's1', count: 2 })
    written.resolve(
      view({
        queries: [
          ...QUERIES,
          { id: 'w1', prompt: 'Translate the landing page copy to French', should: false, source: 'writer' },
          { id: 'w2', prompt: 'Review the landing page analytics numbers', should: false, source: 'writer' }
        ]
      })
    )
    await waitFor(() =>
      expect(prompts('should-not-list')).toEqual([
        'Fix the typo in the landing page README',
        'Translate the landing page copy to French',
        'Review the landing page analytics numbers'
      ])
    )
    expect(button.textContent).toBe('Write 2 near misses')
    // written into the saved set: nothing unsaved
    expect(screen.queryByTestId('queries-unsaved')).toBeNull()
  })

  it('near misses that cannot be written: the error said', async () => {
    const { api } = setup()
    api.writeNearMisses.mockImplementation(async () => {
      throw new Error('not built yet: writeNearMisses')
    })
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await user.click(await screen.findByTestId('write-near-misses'))
    expect((await screen.findByRole('alert')).textContent).toContain('not built yet: writeNearMisses')
  })
})

describe('rivals', () => {
  it('named before measuring: the same-name skill first, as a warning; competing skills with their counts', async () => {
    setup(
      view({
        rivals: [
          {
            kind: 'competes',
            name: 'web-pages',
            where: 'user',
            path: '/home/me/.claude/skills/web-pages',
            description: 'Make web pages and landing pages.',
            queries: 2,
            message: 'Its description matches 2 of your should-trigger prompts as well as yours.'
          },
          {
            kind: 'same-name',
            name: 'landing-pages',
            where: 'project',
            path: '/work/site/.claude/skills/landing-pages',
            description: 'Old landing pages.',
            message: 'Claude Code loads that one instead of yours in that project.'
          },
          {
            kind: 'competes',
            name: 'marketing',
            where: 'project',
            path: '/work/site/.claude/skills/marketing',
            description: 'Marketing copy.',
            queries: 5,
            message: 'Its description matches 5 of your should-trigger prompts as well as yours.'
          }
        ]
      })
    )
    renderApp('/triggers/s1')
    const rivals = await screen.findByTestId('trigger-rivals')
    const same = within(rivals).getByTestId('rival-same-name')
    expect(same.getAttribute('role')).toBe('alert')
    expect(same.textContent).toBe(
      "Shadowed: a skill of the same name in a project's skills folder. Claude Code loads that one instead of yours in that project. /work/site/.claude/skills/landing-pages"
    )
    // the warning before the list, which is by how many queries each competes for
    const items = within(rivals).getAllByTestId('rival-competes')
    expect(same.compareDocumentPosition(items[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(items.map((i) => within(i).getByTestId('rival-queries').textContent)).toEqual([
      ' · competes for 5 should-trigger prompts',
      ' · competes for 2 should-trigger prompts'
    ])
    expect(items[0].textContent).toContain("marketing (a project's skills folder)")
    // and before the queries and Measure
    expect(rivals.compareDocumentPosition(screen.getByTestId('trigger-measure')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
  })

  it('none: said', async () => {
    setup()
    renderApp('/triggers/s1')
    expect((await screen.findByTestId('no-rivals')).textContent).toBe('No installed skill has its name or competes for its queries.')
  })
})
