// @vitest-environment jsdom
/**
 * Hand-made variations are not lost to one click: "Regenerate all", a deleted variation and a
 * regenerated one can be undone, from the toast's Undo button or with Ctrl+Z (outside text fields),
 * and the keys help lists Ctrl+Z while there is something to undo. Each variation is numbered on screen.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Variation } from '../../src/shared/runs'
import { sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

function setup() {
  let saved: Variation[] = [
    { id: 'v1', taskId: 't1', difficulty: 'hard', prompt: 'My own pasted prompt one' },
    { id: 'v2', taskId: 't1', difficulty: 'easy', prompt: 'My own pasted prompt two' }
  ]
  const put = (list: { id?: string; difficulty: Variation['difficulty']; prompt: string }[]) =>
    (saved = list.map((v, i) => ({ id: v.id ?? `new-${i}`, taskId: 't1', difficulty: v.difficulty, prompt: v.prompt })))
  const api = mockApi({
    listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => saved,
    saveVariations: ({ variations }) => put(variations),
    generateVariations: () =>
      put(Array.from({ length: 20 }, (_, i) => ({ id: `g${i + 1}`, difficulty: 'normal' as const, prompt: `Generated prompt ${i + 1}` }))),
    regenerateVariation: ({ variationId }) => put(saved.map((v) => (v.id === variationId ? { ...v, prompt: 'A fresh generated one' } : v))),
    listBatches: () => [],
    checkSandbox: sandboxAvailable,
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.0', install: '' })
  })
  return { api, saved: () => saved }
}

const prompts = () => screen.getAllByTestId('variation-row').map((r) => (within(r).getByRole('textbox') as HTMLTextAreaElement).value)

describe('undo on the variations', () => {
  it('takes back "Regenerate all" from the toast, with the pasted variations and their ids', async () => {
    const { api, saved } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(prompts()).toEqual(['My own pasted prompt one', 'My own pasted prompt two']))
    // every variation carries its number
    expect(screen.getAllByTestId('variation-number').map((n) => n.textContent)).toEqual(['1', '2'])

    await user.click(screen.getByTestId('generate-variations'))
    await waitFor(() => expect(prompts()).toHaveLength(20))
    const toast = await screen.findByTestId('undo-toast')
    expect(toast.textContent).toMatch(/Replaced 2 variations with 20 new ones/)

    await user.click(within(toast).getByRole('button', { name: 'Undo' }))
    await waitFor(() => expect(prompts()).toEqual(['My own pasted prompt one', 'My own pasted prompt two']))
    expect(saved().map((v) => [v.id, v.difficulty])).toEqual([
      ['v1', 'hard'],
      ['v2', 'easy']
    ])
    expect(api.saveVariations).toHaveBeenCalledTimes(1)
    expect(screen.queryByTestId('undo-toast')).toBeNull()
  })

  it('takes back a delete and a regenerated prompt with Ctrl+Z, latest first, and the keys help lists it', async () => {
    const { saved } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(prompts()).toHaveLength(2))
    // nothing to undo yet: Ctrl+Z is not among the keys of this page
    await user.keyboard('?')
    const hereNow = () =>
      [...screen.getByTestId('help-here').querySelectorAll('[data-shortcut]')].map((r) => r.getAttribute('data-shortcut'))
    expect(hereNow()).not.toContain('variations.undo')
    await user.keyboard('{Escape}')

    await user.click(within(screen.getAllByTestId('variation-row')[1]).getByTitle('Regenerate this one'))
    await waitFor(() => expect(prompts()).toEqual(['My own pasted prompt one', 'A fresh generated one']))
    await user.click(within(screen.getAllByTestId('variation-row')[0]).getByTitle('Delete'))
    await waitFor(() => expect(prompts()).toEqual(['A fresh generated one']))
    expect((await screen.findByTestId('undo-toast')).textContent).toMatch(/Deleted variation 1/)

    await user.keyboard('?')
    expect(hereNow()).toContain('variations.undo')
    await user.keyboard('{Escape}')

    await user.keyboard('{Control>}z{/Control}')
    await waitFor(() => expect(prompts()).toEqual(['My own pasted prompt one', 'A fresh generated one']))
    expect(saved()[0].id).toBe('v1')
    expect((await screen.findByTestId('undo-toast')).textContent).toMatch(/Regenerated variation 2/)
    await user.keyboard('{Control>}z{/Control}')
    await waitFor(() => expect(prompts()).toEqual(['My own pasted prompt one', 'My own pasted prompt two']))
    expect(screen.queryByTestId('undo-toast')).toBeNull()
  })

  it('leaves Ctrl+Z to the text while a prompt is being typed', async () => {
    const { api } = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    await waitFor(() => expect(prompts()).toHaveLength(2))
    await user.click(within(screen.getAllByTestId('variation-row')[0]).getByTitle('Delete'))
    await waitFor(() => expect(prompts()).toHaveLength(1))
    await user.click(screen.getAllByTestId('variation-row')[0].querySelector('textarea')!)
    await user.keyboard('{Control>}z{/Control}')
    expect(prompts()).toHaveLength(1)
    expect(api.saveVariations).toHaveBeenCalledTimes(1)
  })
})
