// @vitest-environment jsdom
/**
 * Checking the claude binary starts a process: the batch form asks once the path typed has settled
 * (CLAUDE_CHECK_DELAY_MS), never once per keystroke. Fake timers: nothing here waits for real time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { CLAUDE_CHECK_DELAY_MS } from '../../src/renderer/src/features/run-settings/useRunSettingsForm'
import { sandboxAvailable } from '../support/builders'
import { mockApi, renderApp } from './render-app'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

describe('the claude check in the batch form', () => {
  it('is asked once the path has stopped changing, not per keystroke', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const api = mockApi({
      listTasks: () => [{ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: '', updatedAt: '' }],
      getModelAccess: () => ({ hasKey: true, source: 'env', baseUrl: null, canStoreKey: false }),
      getVariations: () => [],
      listBatches: () => [],
      checkSandbox: sandboxAvailable,
      checkClaude: ({ path }) => ({ ok: true, path: path ?? 'claude', version: `2.1.0 (${path ?? 'on PATH'})`, install: '' })
    })
    renderApp('/task/t1')
    // (no findBy: its polling runs on the timers faked here)
    await act(() => vi.advanceTimersByTimeAsync(CLAUDE_CHECK_DELAY_MS))
    const field = screen.getByTestId('claude-path')
    // the one on PATH, once
    expect(api.checkClaude.mock.calls).toEqual([[{}]])
    expect(screen.getByTestId('claude-check').textContent).toBe('✓ 2.1.0 (on PATH)')

    const typed = '/opt/claude/bin/claude'
    // one change per keystroke, as typing makes them (user-event's waits run on real timers only)
    for (let i = 1; i <= typed.length; i++) {
      fireEvent.change(field, { target: { value: typed.slice(0, i) } })
      // a keystroke well within the delay of the one before it
      await act(() => vi.advanceTimersByTimeAsync(CLAUDE_CHECK_DELAY_MS / 4))
    }
    expect(api.checkClaude).toHaveBeenCalledTimes(1)
    // until it is checked, the form says it is checking (and cannot start)
    expect(screen.getByTestId('claude-check').textContent).toBe('Checking claude…')
    expect((screen.getByTestId('start-batch') as HTMLButtonElement).disabled).toBe(true)

    await act(() => vi.advanceTimersByTimeAsync(CLAUDE_CHECK_DELAY_MS))
    expect(api.checkClaude.mock.calls).toEqual([[{}], [{ path: typed }]])
    // its answer, through the cache's (timer-scheduled) notification
    await act(() => vi.advanceTimersByTimeAsync(10))
    expect(screen.getByTestId('claude-check').textContent).toBe(`✓ 2.1.0 (${typed})`)
  })
})
