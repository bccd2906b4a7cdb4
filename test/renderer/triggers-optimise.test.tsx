// @vitest-environment jsdom
/**
 * Optimising a skill's description on its triggers page (issue 23): rounds (default 5) and the
 * estimate sent, Start, progress per round from pushed events, Cancel; the rounds table (each
 * description in full a click away, recall and false-trigger rate on the training and held-out
 * splits), the pick highlighted with why; "Save as a new version", then the link to the composer; a
 * saved one says so.
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

const versions = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `ver${i + 1}`, number: i + 1, createdAt: AT }))

function setup(v: TriggersView) {
  let current = v
  const api = mockApi({
    getTriggers: () => current,
    getSkill: () => ({ ...skillViewOf(testSkill()), versions: versions(current.optimisations.some((o) => o.savedVersionId) ? 2 : 1) }),
    estimateTriggers: ({ rounds }) => estimate(rounds ? { decisions: 12 * 2 * (rounds + 1), usd: 1.44 } : {}),
    optimizeDescription: () => optimisation({ state: 'running', done: [], best: undefined, bestWhy: undefined, usd: 0 }),
    cancelTriggers: () => ({ cancelled: true }),
    saveOptimisedDescription: () => {
      current = { ...current, optimisations: current.optimisations.map((o) => ({ ...o, savedVersionId: 'ver2' })) }
      return { ...skillViewOf(testSkill()), versions: versions(2) }
    }
  })
  return api
}

describe('optimising the description', () => {
  it('the rounds table: both splits per round, the full description a click away, the pick highlighted with why', async () => {
    setup(view({ optimisations: [optimisation()] }))
    renderApp('/triggers/s1')
    const table = await screen.findByTestId('rounds')
    const rows = within(table).getAllByTestId('round-row')
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(["0: the version's own", '1', '2Picked'])
    // round 1 wins on training, round 2 on the held-out split: the pick is round 2
    expect(rows[1].getAttribute('data-picked')).toBeNull()
    expect(rows[2].getAttribute('data-picked')).toBe('true')
    const cells = (r: HTMLElement) =>
      ['round-train-recall', 'round-train-false', 'round-test-recall', 'round-test-false'].map(
        (id) => within(r).getByTestId(id).textContent
      )
    expect(cells(rows[0])).toEqual(['50% (1/2)', '100% (1/1)', '0% (0/1)', '—'])
    expect(cells(rows[1])).toEqual(['100% (2/2)', '0% (0/1)', '0% (0/1)', '—'])
    expect(cells(rows[2])).toEqual(['50% (1/2)', '0% (0/1)', '100% (1/1)', '—'])
    // a long description: one line in the table, in full when opened
    const full =
      'Build a landing page (a one-screen marketing page for a business) when asked for a landing page; not for editing READMEs or fixing typos in docs.'
    expect(within(rows[2]).getByTestId('round-summary').querySelector('.round-line')!.textContent).toBe(`${full.slice(0, 139)}…`)
    expect(within(rows[2]).getByTestId('round-description').textContent).toBe(full)
    expect(screen.getByTestId('best-why').textContent).toBe(
      'Picked: round 2. picked by the held-out split: round 2 loads 1 of 1 held-out should-trigger prompts and 0 near misses'
    )
  })

  it('Save as a new version, then the link to the composer; a saved one says so', async () => {
    const api = setup(view({ optimisations: [optimisation()] }))
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    const save = await screen.findByTestId('save-optimised')
    expect(save.textContent).toBe('Save round 2 as a new version')
    await user.click(save)
    await waitFor(() => expect(api.saveOptimisedDescription).toHaveBeenCalledWith({ optimisationId: 'o1' }))
    const saved = await screen.findByTestId('optimise-saved')
    expect(saved.textContent).toBe('Saved as version 2. Open it in the composer →')
    expect(within(saved).getByTestId('open-composer').getAttribute('href')).toBe('/skill/s1')
    expect(screen.queryByTestId('save-optimised')).toBeNull()

    // opened again later: saved already, said (no second save offered)
    cleanup()
    setup(view({ optimisations: [optimisation({ savedVersionId: 'ver2' })] }))
    renderApp('/triggers/s1')
    // (until the skill's versions are read, it says "Saved as a new version")
    await waitFor(() => expect(screen.getByTestId('optimise-saved').textContent).toBe('Saved as version 2. Open it in the composer →'))
    expect(screen.queryByTestId('save-optimised')).toBeNull()
  })

  it('none beat the version: said, nothing to save', async () => {
    setup(view({ optimisations: [optimisation({ best: 0, bestWhy: 'no round did better on the held-out split' })] }))
    renderApp('/triggers/s1')
    expect((await screen.findByTestId('best-why')).textContent).toBe(
      "None beat the version's own description. no round did better on the held-out split"
    )
    expect(screen.queryByTestId('save-optimised')).toBeNull()
  })

  it('Start with the rounds, progress per round from pushed events, Cancel', async () => {
    const api = setup(view({ measures: [measure()] }))
    const push = eventsOf(api)
    const user = userEvent.setup()
    const app = renderApp('/triggers/s1')
    connectEvents(app.client, window.api)
    expect((await screen.findByTestId('optimise-estimate-decisions')).textContent).toBe(
      'At most 144 decisions (4 queries × 3 repeats, each round measured on both splits; each run stopped as soon as Claude Code decides)'
    )
    expect(api.estimateTriggers).toHaveBeenCalledWith({ skillId: 's1', repeats: 3, rounds: 5, capUsd: 10 })
    const rounds = screen.getByTestId('optimise-rounds')
    await user.clear(rounds)
    await user.type(rounds, '3')
    await waitFor(() => expect(api.estimateTriggers).toHaveBeenLastCalledWith({ skillId: 's1', repeats: 3, rounds: 3, capUsd: 10 }))
    await user.click(screen.getByTestId('optimise'))
    await waitFor(() => expect(api.optimizeDescription).toHaveBeenCalledWith({ skillId: 's1', repeats: 3, rounds: 3, capUsd: 10 }))
    expect((await screen.findByTestId('optimise-progress')).textContent).toBe("measuring the version's own description first · $0 so far")

    // round 0 and 1 measured, round 2 being measured
    const o = optimisation({
      state: 'running',
      rounds: 3,
      done: optimisation().done.slice(0, 2),
      best: undefined,
      bestWhy: undefined,
      usd: 0.4
    })
    push('triggersProgress', { skillId: 's1', optimisation: o })
    push('triggersProgress', { skillId: 's1', measure: measure({ id: 'om2', state: 'running', done: 5, total: 12, results: [] }) })
    await waitFor(() =>
      expect(screen.getByTestId('optimise-progress').textContent).toBe('1 of 3 rounds done · this round: 5 of 12 decisions · $0.40 so far')
    )
    expect(within(screen.getByTestId('rounds')).getAllByTestId('round-row')).toHaveLength(2)
    // the measurement under way is the round's: not the Measure panel's
    expect(screen.queryByTestId('measure-progress')).toBeNull()
    expect((screen.getByTestId('measure') as HTMLButtonElement).disabled).toBe(true)
    await user.click(screen.getByTestId('cancel-optimise'))
    await waitFor(() => expect(api.cancelTriggers).toHaveBeenCalledWith({ skillId: 's1' }))
  })

  it('a start that fails is said', async () => {
    const api = setup(view())
    api.optimizeDescription.mockImplementation(async () => {
      throw new Error('not built yet: optimizeDescription')
    })
    const user = userEvent.setup()
    renderApp('/triggers/s1')
    await screen.findByTestId('optimise-estimate-decisions')
    await user.click(screen.getByTestId('optimise'))
    expect((await screen.findByRole('alert')).textContent).toContain('not built yet: optimizeDescription')
  })
})
