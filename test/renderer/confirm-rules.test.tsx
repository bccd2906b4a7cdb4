// @vitest-environment jsdom
/**
 * Confirmed rules in the composer: each rule card of the version confirmed shows its badge ("confirmed
 * 2/2", "unconfirmed 0/2", "harmful: broke a good variation") with the runs behind it; a rule not
 * under test has none, nor does any card when the confirmation was of an older version (its history
 * lists it at that version). "Remove the harmful rules" takes them out as Delete does (Undo brings them
 * back). "Confirm rules…" shows the estimate (the rules the cap leaves) and starts what it says.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { confirmResults, type ConfirmEstimate, type ConfirmRun } from '../../src/shared/confirm'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { VerificationView } from '../../src/shared/verify'
import { skillViewOf, testRule, testSkill } from '../support/builders'
import { connectEvents } from '../../src/renderer/src/data/cache'
import { mockApi, renderApp } from './render-app'

const SKILL = testSkill({
  rules: [
    testRule({ id: 'A', text: 'Keep the page to three calm cards', evidence: [1, 2] }),
    testRule({ id: 'B', text: 'Name the business in the first heading', evidence: [3] }),
    testRule({ id: 'C', text: 'Add a loud deal card for every offer', evidence: [4, 5] }),
    testRule({ id: 'D', text: 'Use the brand colour for the call to action', evidence: [5, 6] })
  ]
})
const VIEW = { ...skillViewOf(SKILL), versions: [{ id: 'v1', number: 1, createdAt: SKILL.createdAt }] }
const OLDER = {
  ...VIEW,
  versions: [
    { id: 'v1', number: 1, createdAt: SKILL.createdAt },
    { id: 'v2', number: 2, createdAt: SKILL.updatedAt }
  ]
}

const run = (rule: string, number: number, expect: 'fix' | 'keep', label: 'good' | 'bad'): ConfirmRun & { rule: string } => ({
  rule,
  runId: `x${number}`,
  number,
  expect,
  variation: 0,
  prompt: 'p',
  state: 'done',
  label
})
const RESULTS = confirmResults(
  { id: 'v1', number: 1 },
  SKILL.rules.slice(0, 3).map((r) => ({ id: r.id, text: r.text })),
  [
    run('A', 4, 'fix', 'good'),
    run('A', 1, 'fix', 'good'),
    run('A', 7, 'keep', 'good'),
    run('B', 2, 'fix', 'bad'),
    run('B', 6, 'fix', 'bad'),
    run('B', 8, 'keep', 'good'),
    run('C', 3, 'fix', 'good'),
    run('C', 5, 'keep', 'bad')
  ]
)
const CONFIRMATION: VerificationView = {
  verification: {
    id: 'c1',
    kind: 'confirm',
    confirm: {
      batchId: 'b1',
      perRule: 2,
      goodPerRule: 1,
      rules: SKILL.rules.slice(0, 3).map((r) => ({ id: r.id, text: r.text, badRuns: r.evidence, fix: [0], keep: [1] }))
    },
    skillId: 's1',
    skillName: 'landing-pages',
    version: { id: 'v1', number: 1 },
    against: null,
    source: 'batch',
    heldOut: false,
    learnedFrom: ['b1'],
    repeats: 1,
    settings: RunSettingsSchema.parse({}),
    variations: [],
    batchId: 'cb1',
    arms: {},
    phase: 'created',
    explanations: {},
    createdAt: '2026-12-07T12:00:00.000Z',
    updatedAt: '2026-12-07T12:00:00.000Z'
  },
  status: { stage: 'complete', runs: 8, queued: 0, running: 0, collecting: 0, finished: 8, unfinished: 0, graded: 8, costUsd: 1 },
  report: null,
  batchName: 'Confirm the rules of landing-pages v1 #1',
  confirm: RESULTS
}
const ESTIMATE: ConfirmEstimate = {
  version: { id: 'v1', number: 1 },
  batchId: 'b1',
  rules: [
    { id: 'A', text: SKILL.rules[0].text, fix: 2, keep: 1 },
    { id: 'B', text: SKILL.rules[1].text, fix: 1, keep: 1 }
  ],
  left: [{ id: 'C', text: SKILL.rules[2].text, runs: 2 }],
  kept: 1,
  runs: 5,
  wanted: 7,
  cap: 5,
  costPerRunUsd: 0.3,
  usd: 1.5,
  basis: '5 runs at $0.300',
  settings: RunSettingsSchema.parse({}),
  flagged: 0,
  warnings: ['1 rule would be left (7 runs wanted, the cap is 5): raise the cap to test it too']
}

const cardOf = (text: string) => screen.getByDisplayValue(text).closest('[data-testid="rule-card"]') as HTMLElement
afterEach(cleanup)

describe('confirmed rules in the composer', () => {
  it('each card of the version confirmed shows its badge and runs; Remove the harmful rules takes C out, Undo brings it back', async () => {
    localStorage.clear()
    mockApi({
      getSkill: () => VIEW,
      listVerifications: (input) => (input.kind === 'confirm' ? [CONFIRMATION] : []),
      getBatch: () => {
        throw new Error('no batch here')
      }
    })
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    const badge = async (text: string) => (await within(cardOf(text)).findByTestId('confirm-badge')).textContent
    expect(await badge('Keep the page to three calm cards')).toBe('confirmed 2/2')
    expect(await badge('Name the business in the first heading')).toBe('unconfirmed 0/2')
    expect(await badge('Add a loud deal card for every offer')).toBe('harmful: broke a good variation')
    // not drawn from bad runs: not under test, no badge
    expect(within(cardOf('Use the brand colour for the call to action')).queryByTestId('confirm-badge')).toBeNull()
    // the runs behind A: the deck's numbers, the re-run failures then the good variation
    const runs = within(cardOf('Keep the page to three calm cards')).getAllByTestId('confirm-run')
    expect(runs.map((r) => [r.textContent, r.getAttribute('data-grade')])).toEqual([
      ['1', 'good'],
      ['4', 'good'],
      ['7', 'good']
    ])
    // the history: the confirmation at its version, with counts and its batch
    const listed = within(screen.getByTestId('versions')).getByTestId('version-confirmation')
    expect(listed.textContent).toMatch(
      /Rules confirmed .*: 1 confirmed, 1 unconfirmed, 1 harmful · Confirm the rules of landing-pages v1 #1/
    )

    await user.click(within(screen.getByTestId('confirm-results')).getByTestId('remove-harmful'))
    const c = cardOf('Add a loud deal card for every offer')
    expect(c.getAttribute('data-removed')).toBe('true')
    expect(c.getAttribute('data-tier')).toBe('discarded')
    expect(cardOf('Name the business in the first heading').getAttribute('data-removed')).toBeNull()
    await user.click(screen.getByTestId('undo'))
    await waitFor(() => expect(cardOf('Add a loud deal card for every offer').getAttribute('data-removed')).toBeNull())
  })

  it('a confirmation of an older version puts no badge on the cards; its history lists it at version 1', async () => {
    localStorage.clear()
    mockApi({
      getSkill: () => OLDER,
      listVerifications: (input) => (input.kind === 'confirm' ? [CONFIRMATION] : []),
      getBatch: () => {
        throw new Error('no batch here')
      }
    })
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    await screen.findByTestId('confirm-latest')
    expect(screen.queryAllByTestId('rule-confirmed')).toEqual([])
    // the results panel is there, without the remove button (its version is not the one edited)
    expect(screen.getByTestId('confirm-results')).toBeTruthy()
    expect(screen.queryByTestId('remove-harmful')).toBeNull()
    expect(screen.getAllByTestId('version-confirmation')).toHaveLength(1)
  })

  it('Confirm rules… shows the estimate and the rules the cap leaves; raised, it starts what it says', async () => {
    localStorage.clear()
    const api = mockApi({
      getSkill: () => VIEW,
      listVerifications: () => [],
      estimateConfirmation: (input) =>
        (input.cap ?? 40) >= 7
          ? {
              ...ESTIMATE,
              rules: [...ESTIMATE.rules, { id: 'C', text: SKILL.rules[2].text, fix: 1, keep: 1 }],
              left: [],
              runs: 7,
              cap: input.cap!,
              warnings: []
            }
          : ESTIMATE,
      startConfirmation: () => ({ ...CONFIRMATION, confirm: undefined, status: { ...CONFIRMATION.status, stage: 'running' } })
    })
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    await user.click(screen.getByTestId('confirm-rules-open'))
    // at the default cap (40) every rule fits
    await waitFor(() => expect(screen.getByTestId('confirm-start').textContent).toBe('Start 7 runs'))
    expect(api.estimateConfirmation.mock.calls[0][0]).toEqual({ skillId: 's1', perRule: 2, cap: 40 })
    const cap = screen.getByLabelText('Cap (runs)')
    await user.clear(cap)
    await user.type(cap, '5')
    await waitFor(() =>
      expect(screen.getByTestId('confirm-estimate').textContent).toMatch(/3 rules drawn from bad runs, 5 runs, about \$1\.50/)
    )
    expect(screen.getByTestId('confirm-left').textContent).toBe('left (over the cap): Add a loud deal card for every offer')
    expect((screen.getByTestId('confirm-start') as HTMLButtonElement).disabled).toBe(true)
    await user.clear(cap)
    await user.type(cap, '7')
    await waitFor(() => expect(screen.getByTestId('confirm-start').textContent).toBe('Start 7 runs'))
    expect(screen.queryByTestId('confirm-left')).toBeNull()
    await user.click(screen.getByTestId('confirm-start'))
    await waitFor(() => expect(api.startConfirmation).toHaveBeenCalledTimes(1))
    expect(api.startConfirmation.mock.calls[0][0]).toEqual({ skillId: 's1', perRule: 2, cap: 7 })
  })

  it("a confirmation's page says what it is and shows its results, not a two-arm report", async () => {
    mockApi({
      getVerification: () => CONFIRMATION,
      listVerifications: () => [],
      getBatch: () => {
        throw new Error('no batch here')
      }
    })
    renderApp('/verification/c1')
    const page = await screen.findByTestId('verification')
    expect(within(page).getByRole('heading', { level: 1 }).textContent).toBe('Confirm the rules of landing-pages: version 1')
    expect(page.textContent).toMatch(/3 rules drawn from bad runs, each installed alone/)
    expect(page.textContent).not.toMatch(/against no skill|per arm/)
    const rows = within(screen.getByTestId('confirm-report')).getAllByTestId('confirm-rule')
    expect(rows.map((r) => within(r).getByTestId('confirm-badge').textContent)).toEqual([
      'confirmed 2/2',
      'unconfirmed 0/2',
      'harmful: broke a good variation'
    ])
  })

  it("the grader's last grade brings the results to the cards without a reload", async () => {
    localStorage.clear()
    const running = {
      ...CONFIRMATION,
      verification: {
        ...CONFIRMATION.verification,
        grade: 'auto' as const,
        autoGrade: { state: 'running' as const, done: 6, total: 8, costUsd: 0, model: 'm', failed: [] }
      },
      confirm: undefined,
      blind: { graded: 6, runs: 8, warnings: [] }
    }
    let graded = false
    const api = mockApi({
      getSkill: () => VIEW,
      // as the server answers: every kind without one, else that kind's
      listVerifications: (input) => (!input.kind || input.kind === 'confirm' ? [graded ? CONFIRMATION : running] : []),
      getBatch: () => {
        throw new Error('no batch here')
      }
    })
    const listeners = new Map<string, (p: unknown) => void>()
    api.on.mockImplementation((event: string, fn: (p: unknown) => void) => {
      listeners.set(event, fn)
      return () => {}
    })
    const app = renderApp('/skill/s1')
    connectEvents(app.client, window.api)
    await screen.findByTestId('confirm-latest')
    expect(screen.queryAllByTestId('rule-confirmed')).toEqual([])
    graded = true
    const on = listeners.get('verificationProgress')!
    act(() => on({ verification: { ...running.verification, autoGrade: { ...running.verification.autoGrade, state: 'done', done: 8 } } }))
    await waitFor(() => expect(screen.getAllByTestId('rule-confirmed')).toHaveLength(3))
  })
})
