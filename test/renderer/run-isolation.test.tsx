// @vitest-environment jsdom
/**
 * The batch form says what runs are kept from before the first run: the template's Claude Code files
 * and that its settings will not load, what reads no preset confines and what is denied; the opt-in to
 * the user's own Claude Code settings is off by default, warns when on, reaches the batch's settings,
 * and the batch page says so.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestOutput } from '../../src/shared/contract'
import { emptyProgress, RunSettingsSchema, type RunSettings } from '../../src/shared/runs'
import { batchStatus, sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

/** batch b1 as it starts: its one run queued */
const QUEUED = batchStatus({ batchId: 'b1', total: 1, queued: 1 })
afterEach(() => cleanup())

function setup() {
  let settings: RunSettings | undefined
  const api = mockApi({
    listTasks: () => [
      { id: 't1', name: 'Landing page', text: 'Build a landing page.', templateDir: '/home/me/template', createdAt: '', updatedAt: '' }
    ],
    getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
    getVariations: () => [{ id: 'v1', taskId: 't1', difficulty: 'normal', prompt: 'Build it.' }],
    listBatches: () => [],
    checkSandbox: sandboxAvailable,
    checkClaude: () => ({ ok: true, path: 'claude', version: '2.1.330', install: '' }),
    inspectTemplate: () => ({
      dir: '/home/me/template',
      entries: [
        { path: '.claude/settings.json', kind: 'settings', loaded: false, detail: 'hooks: SessionStart, PreToolUse; allow rules: Write' },
        { path: '.claude/skills/landing-page', kind: 'skill', loaded: true }
      ]
    }),
    createBatch: (input) => {
      settings = RunSettingsSchema.parse(input.settings)
      return { id: 'b1', taskId: 't1', name: 'Landing page #1', createdAt: '2025-01-01T00:00:00.000Z', settings, runIds: ['r1'] }
    },
    startBatch: () => QUEUED,
    getBatch: (): RequestOutput<'getBatch'> => ({
      batch: {
        id: 'b1',
        taskId: 't1',
        name: 'Landing page #1',
        createdAt: '2025-01-01T00:00:00.000Z',
        settings: settings!,
        runIds: ['r1']
      },
      runs: [
        {
          id: 'r1',
          batchId: 'b1',
          number: 1,
          prompt: 'Build it.',
          repeat: 1,
          state: 'queued',
          sessionId: 's1',
          progress: emptyProgress(),
          files: [],
          screenshots: [],
          imported: false
        }
      ],
      status: QUEUED
    }),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 1, signals: [] } })
  })
  return { api, settings: () => settings }
}

describe('the batch form and what runs are kept from', () => {
  it('lists the template’s Claude Code files before the first run, and which do not load', async () => {
    setup()
    renderApp('/task/t1')
    const list = await screen.findByTestId('template-claude')
    expect(list.textContent).toContain('.claude/settings.json (hooks: SessionStart, PreToolUse; allow rules: Write): not loaded')
    expect(list.textContent).toContain('.claude/skills/landing-page: loaded')
    expect(list.textContent).toMatch(/never load in a run/)
    // what no preset confines, in plain words, and what is denied all the same
    const reads = screen.getByTestId('reads-note').textContent ?? ''
    expect(reads).toMatch(/^No preset confines reads/)
    expect(reads).toMatch(/~\/\.ssh.*~\/\.aws.*Claude Code’s login and your other sessions.*trace2skill’s data folder/)
  })

  it('uses the person’s own Claude Code settings only when asked, and the batch page says so', async () => {
    const { api, settings } = setup()
    const app = renderApp('/task/t1')
    const user = userEvent.setup()
    const box = (await screen.findByTestId('my-claude-settings')) as HTMLInputElement
    expect(box.checked).toBe(false)
    expect(screen.queryByTestId('my-claude-settings-on')).toBeNull()
    await user.click(box)
    expect(screen.getByTestId('my-claude-settings-on').textContent).toMatch(/every hook runs outside the sandbox/)
    const start = screen.getByTestId('start-batch') as HTMLButtonElement
    await waitFor(() => expect(start.disabled).toBe(false))
    await user.click(start)
    await waitFor(() => expect(api.createBatch).toHaveBeenCalledTimes(1))
    expect(settings()?.useMyClaudeSettings).toBe(true)
    await waitFor(() => expect(app.pathname()).toBe('/batch/b1'))
    expect((await screen.findByTestId('batch-claude-settings')).textContent).toMatch(
      /your own Claude Code settings \(hooks, allow rules, MCP servers\) are used/
    )
  })

  it('off by default: the batch is made without the person’s settings', async () => {
    const { api, settings } = setup()
    renderApp('/task/t1')
    const user = userEvent.setup()
    const start = (await screen.findByTestId('start-batch')) as HTMLButtonElement
    await waitFor(() => expect(start.disabled).toBe(false))
    await user.click(start)
    await waitFor(() => expect(api.createBatch).toHaveBeenCalledTimes(1))
    expect(settings()?.useMyClaudeSettings).toBeUndefined()
    expect((await screen.findByTestId('batch-claude-settings')).textContent).toMatch(/are not used/)
  })
})
