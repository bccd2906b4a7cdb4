// @vitest-environment jsdom
/**
 * The web mode's dead ends: a folder field has no dialog behind a "Choose…" there, so it offers the
 * sub-folders of what is typed (listFolders) and says so in place; the desktop app keeps its dialog.
 * A permission preset that cannot work here says why, beside it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { mockApi, renderApp, type Handlers } from './render-app'

const available = { available: true }
const ROOT_REASON = 'Claude Code refuses full access (bypassPermissions) when it runs as root: run trace2skill as a normal user'

function setup(more: Handlers = {}) {
  return mockApi({
    listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => [],
    listBatches: () => [],
    checkSandbox: () => ({
      platform: 'linux',
      presets: { sandboxed: available, 'accept-edits': available, 'full-access': { available: false, reason: ROOT_REASON } },
      defaultPreset: 'sandboxed',
      summary: 'Sandboxed'
    }),
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.0', install: '' }),
    listFolders: ({ path }) =>
      path.startsWith('/srv/te')
        ? { parent: '/srv', names: ['templates', 'test-data'], more: false }
        : { parent: '/', names: [], more: false, missing: true as const },
    ...more
  })
}

afterEach(() => cleanup())

describe('folder fields in the web mode', () => {
  it('suggest the sub-folders of the path typed, and say so instead of offering a dialog that cannot open', async () => {
    const api = setup()
    const user = userEvent.setup()
    renderApp('/task/t1')
    const field = await screen.findByLabelText('Template folder')
    expect(screen.queryByRole('button', { name: 'Choose…' })).toBeNull()
    expect(field.getAttribute('placeholder')).toMatch(/type it: folders are suggested/)
    await user.type(field, '/srv/te')
    const list = document.getElementById(field.getAttribute('list')!)!
    await waitFor(() => expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['/srv/templates/', '/srv/test-data/']))
    // asked for the path as it settled
    expect(api.listFolders.mock.calls.at(-1)?.[0]).toEqual({ path: '/srv/te' })
  })

  it('keep the dialog in the desktop app', async () => {
    const api = setup({
      getAppInfo: () => ({ version: '0', mode: 'electron', configDir: '/home/me/.claude', dataDir: '/home/me/.t2s', notices: [] }),
      pickFolder: () => ({ path: '/home/me/template' })
    })
    const user = userEvent.setup()
    renderApp('/task/t1')
    await user.click(await screen.findByRole('button', { name: 'Choose…' }))
    await waitFor(() => expect((screen.getByLabelText('Template folder') as HTMLInputElement).value).toBe('/home/me/template'))
    expect(api.pickFolder).toHaveBeenCalledTimes(1)
  })
})

describe('a preset that cannot work here', () => {
  it('says why beside it', async () => {
    setup()
    renderApp('/task/t1')
    const why = await screen.findByTestId('preset-why-full-access')
    expect(why.textContent).toContain(`Not available here: ${ROOT_REASON}.`)
  })
})
