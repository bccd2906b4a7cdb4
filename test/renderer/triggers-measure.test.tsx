// @vitest-environment jsdom
/**
 * Measuring a skill's description on its triggers page (issue 23): the estimate (decisions, $, its
 * basis), Measure with repeats sent, progress from pushed triggersProgress events (done / total, $ so
 * far), Cancel, the result (recall and false-trigger rate with counts, by the shared scoresOf; per
 * query its runs and the decisions' kinds; the version and description measured), earlier
 * measurements newest first; a failed request said.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { connectEvents } from '../../src/renderer/src/data/cache'
import type { TriggersView } from '../../src/shared/triggers'
import { skillViewOf, testSkill } from '../support/builders'
import { AT, estimate, eventsOf, measure, optimisation, view } from './triggers-fixtures'
import { mockApi, renderApp } from './render-app'

afterEach(() => cleanup())

function setup(v: TriggersView = view()) {
  const api = mockApi({
    getTriggers: () => v,
    getSkill: () => ({ ...skillViewOf(testSkill()), versions: [{ id: 'ver1', number: 1, createdAt: AT }] }),
    estimateTriggers: ({ repeats }) => estimate({ repeats: repeats ?? 3, decisions: 4 * (repeats ?? 3), usd: 0.01 * 4 * (repeats ?? 3) }),
    measureTriggers: () => measure({ state: 'running', results: [], done: 0, total: 12, usd: 0 }),
    cancelTriggers: () => ({ cancelled: true })
  })
  return api
}

describe('measuring the description', () => {
  it('the estimate, Measure with the repeats, progress from pushed events, then the result', async () => {
    const api = setup()
    const push = eventsOf(api)
    const user = userEvent.setup()
    const app = renderApp('/triggers/s1')
    connectEvents(app.client, window.api)
    expect((await screen.findByTestId('measure-estimate-decisions')).textContent).toBe(
      '12 decisions (4 queries × 3 repeats; each run stopped as soon as Claude Code decides)'
    )
    expect(screen.getByTestId('measure-estimate-cost').textContent).toBe(
      'About $0.12 (at a default cost per decision: nothing of this skill measured yet)'
    )
    expect(screen.getByTestId('measure-estimate-cap').textContent).toBe('Cap: $10.00.')
    expect(api.estimateTriggers).toHaveBeenCalledWith({ skillId: 's1', repeats: 3, capUsd: 10 })

    // 2 runs per query instead
    const repeats = screen.getByTestId('triggers-repeats')
    await user.clear(repeats)
    await user.type(repeats, '2')
    await waitFor(() => expect(screen.getByTestId('measure-estimate-decisions').textContent).toMatch(/^8 decisions/))
    expect(screen.getByText('Not measured yet.')).toBeTruthy()

    await user.click(screen.getByTestId('measure'))
    await waitFor(() => expect(api.measureTriggers).toHaveBeenCalledWith({ skillId: 's1', repeats: 2, capUsd: 10 }))
    expect((await screen.findByTestId('measure-progress')).textContent).toBe('0 of 12 decisions · $0 so far')
    expect((screen.getByTestId('measure') as HTMLButtonElement).disabled).toBe(true)

    const half = measure({ state: 'running', results: measure().results.slice(0, 2), done: 6, usd: 0.06 })
    push('triggersProgress', { skillId: 's1', measure: half })
    await waitFor(() => expect(screen.getByTestId('measure-progress').textContent).toBe('6 of 12 decisions · $0.06 so far'))
    // what is measured so far shows already
    expect(screen.getByTestId('measure-recall').textContent).toBe('Recall: 2 of 2 should-trigger prompts loaded it (100%)')

    const asked = api.getTriggers.mock.calls.length
    push('triggersProgress', { skillId: 's1', measure: measure() })
    await waitFor(() => expect(screen.queryByTestId('measure-progress')).toBeNull())
    // ended: the view is read again (and the estimate, whose cost per decision is measured now)
    await waitFor(() => expect(api.getTriggers.mock.calls.length).toBeGreaterThan(asked))
  })

  it('the result: recall and false triggers with their counts, per query its runs and the kinds of decision, the description measured', async () => {
    setup(view({ measures: [measure()] }))
    renderApp('/triggers/s1')
    const result = await screen.findByTestId('measure-result')
    // by hand: q1 3/3 and q2 2/3 load it, q3 0/3 does not: 2 of 3; the near miss q4 loads it 2/3: 1 of 1
    expect(within(result).getByTestId('measure-recall').textContent).toBe('Recall: 2 of 3 should-trigger prompts loaded it (67%)')
    expect(within(result).getByTestId('measure-false').textContent).toBe('False triggers: 1 of 1 near miss loaded it (100%)')
    expect(within(result).getByTestId('measured-description').textContent).toBe('Description measured: Build landing pages that work.')
    expect(result.textContent).toContain('Version 1 · 3 runs per query')
    const rows = within(result).getAllByTestId('query-result')
    expect(rows.map((r) => within(r).getByTestId('query-rate').textContent)).toEqual(['3 of 3', '2 of 3', '0 of 3', '2 of 3'])
    expect(rows.map((r) => r.getAttribute('data-right'))).toEqual(['true', 'true', 'false', 'false'])
    expect(within(rows[2]).getByTestId('query-kinds').textContent).toBe('another tool 2 · another skill 1')
    expect(within(rows[1]).getByTestId('query-kinds').textContent).toBe('loaded it 2 · answered 1')
    // one dot per run, by its kind; what it called instead in its title
    const dots = rows[2].querySelectorAll('.dot')
    expect([...dots].map((d) => d.className)).toEqual(['dot dot-other-tool', 'dot dot-other-tool', 'dot dot-other-skill'])
    expect(dots[2].getAttribute('title')).toBe('another skill (web-pages)')
    // the prompt is text (its markup inert)
    expect(rows[1].querySelector('img')).toBeNull()
    expect(rows[1].textContent).toContain('<img src=x onerror=alert(1)>')
  })

  it('earlier measurements, newest first; one picked is shown; the optimiser’s own rounds are not listed', async () => {
    const older = measure({ id: 'm0', startedAt: '2026-01-01T10:00:00.000Z', description: 'Landing pages.', version: 1 })
    const newer = measure({
      id: 'm2',
      startedAt: '2026-01-03T10:00:00.000Z',
      version: 2,
      description: 'Build a landing page when asked for one.',
      results: measure().results.map((r) => ({
        ...r,
        decisions: r.decisions.map((d) => ({ ...d, kind: r.should ? ('loaded' as const) : ('answer' as const) }))
      }))
    })
    // the optimiser's round 1, measured in between: in its rounds table, not here
    const ofRound = measure({ id: 'om1', startedAt: '2026-01-02T12:00:00.000Z', version: 1 })
    setup(view({ measures: [older, ofRound, newer], optimisations: [optimisation()] }))
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    const list = await screen.findByTestId('measures')
    const rows = within(list).getAllByTestId('measure-row')
    expect(rows.map((r) => r.children[1].textContent)).toEqual(['version 2', 'version 1'])
    expect(rows.map((r) => [r.children[2].textContent, r.children[3].textContent])).toEqual([
      ['100% (3/3)', '0% (0/1)'],
      ['67% (2/3)', '100% (1/1)']
    ])
    expect(screen.getByTestId('measured-description').textContent).toBe('Description measured: Build a landing page when asked for one.')
    await user.click(within(rows[1]).getByTestId('show-measure'))
    expect(screen.getByTestId('measured-description').textContent).toBe('Description measured: Landing pages.')
  })

  it('Cancel stops it', async () => {
    const api = setup(view({ measures: [measure({ state: 'running', done: 3, usd: 0.03 })] }))
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    expect((await screen.findByTestId('measure-progress')).textContent).toBe('3 of 12 decisions · $0.03 so far')
    await user.click(screen.getByTestId('cancel-measure'))
    await waitFor(() => expect(api.cancelTriggers).toHaveBeenCalledWith({ skillId: 's1' }))
  })

  it('Ctrl+Enter measures; a request that fails is said', async () => {
    const api = setup()
    api.measureTriggers.mockImplementation(async () => {
      throw new Error('not built yet: measureTriggers')
    })
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('measure-estimate-decisions')
    await user.keyboard('{Control>}{Enter}{/Control}')
    expect((await screen.findByRole('alert')).textContent).toContain('not built yet: measureTriggers')
    expect(api.measureTriggers).toHaveBeenCalledTimes(1)
  })

  it('over the cap: refused before it starts, said', async () => {
    const api = setup()
    api.estimateTriggers.mockImplementation(async () => estimate({ usd: 14 }))
    renderApp('/triggers/s1')
    expect((await screen.findByTestId('measure-estimate-cap')).textContent).toBe('Over the cap of $10.00: raise the cap to start.')
    expect((screen.getByTestId('measure') as HTMLButtonElement).disabled).toBe(true)
  })
})
