// @vitest-environment jsdom
/**
 * The candidates screens (issue 22): the table with each arm's pass rate and interval, its difference
 * against no skill with p, trigger rate and cost, the pairwise matrix, the suggested one highlighted (or
 * the sentence why none), and Promote calling promoteSkillVersion with the version; the building
 * progress; the setup's estimate with its cap, and making them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import type { CandidatesTable } from '../../src/shared/candidates'
import type { CandidatesEstimate } from '../../src/shared/candidates-estimate'
import type { SkillView } from '../../src/shared/contract'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { VerificationView } from '../../src/shared/verify'
import { skillViewOf, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const settings = RunSettingsSchema.parse({ maxTurns: 10, permission: 'accept-edits' })
const paired = (fixed: number, broken: number, pairs: number, p: number) => ({
  pairs,
  difference: (fixed - broken) / pairs,
  fixed,
  broken,
  ties: pairs - fixed - broken,
  p
})
const rate = (passed: number, n: number, ci: [number, number]) => ({ passed, n, rate: passed / n, ci: { low: ci[0], high: ci[1] } })
const table = (suggested: number | null, why: string): CandidatesTable => ({
  pairs: 6,
  complete: true,
  suggested,
  why,
  rows: [
    {
      candidate: null,
      versionId: null,
      label: 'no skill',
      runs: 6,
      graded: 6,
      passRate: rate(0, 6, [0, 0.39]),
      vsNone: null,
      trigger: null,
      costUsd: 0.6,
      meanCostUsd: 0.1
    },
    {
      candidate: 0,
      versionId: 'v2',
      label: 'version 2',
      runs: 6,
      graded: 6,
      passRate: rate(2, 6, [0.1, 0.7]),
      vsNone: paired(2, 0, 6, 0.5),
      trigger: { invoked: 6, runs: 6, rate: 1 },
      costUsd: 0.9,
      meanCostUsd: 0.15
    },
    {
      candidate: 1,
      versionId: 'v3',
      label: 'version 3',
      runs: 6,
      graded: 6,
      passRate: rate(6, 6, [0.61, 1]),
      vsNone: paired(6, 0, 6, 0.03125),
      trigger: { invoked: 5, runs: 6, rate: 5 / 6 },
      costUsd: 1.2,
      meanCostUsd: 0.2
    }
  ],
  matrix: [
    [null, paired(0, 4, 6, 0.125)],
    [paired(4, 0, 6, 0.125), null]
  ]
})
const view = (over: Partial<VerificationView['verification']> = {}, t?: CandidatesTable): VerificationView => ({
  verification: {
    id: 'c1',
    kind: 'candidates',
    candidates: [
      { id: 'v2', number: 2, name: 'landing-page' },
      { id: 'v3', number: 3, name: 'landing-page' }
    ],
    skillId: 's1',
    skillName: 'landing-page',
    version: { id: 'v2', number: 2 },
    against: null,
    source: 'fresh',
    heldOut: true,
    learnedFrom: ['b1'],
    repeats: 1,
    settings,
    variations: Array.from({ length: 6 }, (_, i) => ({ difficulty: 'normal' as const, prompt: `p${i}` })),
    batchId: 'vb',
    arms: {},
    phase: 'created',
    explanations: {},
    createdAt: '2025-01-03T00:00:00.000Z',
    updatedAt: '2025-01-03T00:00:00.000Z',
    ...over
  },
  status: {
    stage: t ? 'complete' : 'building',
    runs: t ? 18 : 0,
    queued: 0,
    running: 0,
    collecting: 0,
    finished: t ? 18 : 0,
    graded: t ? 18 : 0,
    unfinished: 0,
    costUsd: 2.7
  },
  report: null,
  ...(t ? { candidates: t } : {})
})
const skillView = () =>
  ({
    skill: {
      id: 's1',
      batchIds: ['b1'],
      frontMatter: { name: 'landing-page', description: 'd' },
      title: '',
      whenToUse: '',
      rules: [],
      conflicts: [],
      setAside: [],
      createdAt: '',
      updatedAt: ''
    },
    skillMd: '',
    edgeCasesMd: '',
    versions: [1, 2, 3].map((n) => ({ id: `v${n}`, number: n, createdAt: '2025-01-01T00:00:00.000Z' })),
    problems: []
  }) as unknown as SkillView

afterEach(() => cleanup())

describe('the candidates page', () => {
  it('shows the table, highlights the suggested one with why, and Promote calls promoteSkillVersion with its version', async () => {
    const api = mockApi({
      getVerification: () =>
        view({}, table(1, 'version 3 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.')),
      promoteSkillVersion: () => skillViewOf(testSkill())
    })
    const promote = api.promoteSkillVersion
    renderApp('/candidates/c1')
    const rows = await screen.findAllByTestId('candidate-row')
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['no skill', 'version 2', 'version 3Suggested'])
    expect(rows[2].getAttribute('data-suggested')).toBe('true')
    expect(within(rows[2]).getByTestId('candidate-pass').textContent).toBe('100% (6 of 6) · 95% CI 61–100%')
    expect(within(rows[2]).getByTestId('candidate-vs-none').textContent).toBe('+100 percentage points · fixed 6, broke 0 · p = 0.031')
    expect(within(rows[1]).getByTestId('candidate-vs-none').textContent).toBe('+33 percentage points · fixed 2, broke 0 · p = 0.50')
    expect(within(rows[2]).getByTestId('candidate-trigger').textContent).toBe('5 of 6 (83%)')
    expect(within(rows[0]).getByTestId('candidate-trigger').textContent).toBe('—')
    expect(screen.getByTestId('candidates-why').textContent).toBe(
      'Suggested: version 3. version 3 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.'
    )
    const matrix = screen.getByTestId('candidates-matrix')
    expect(within(matrix).getAllByRole('row')[2].textContent).toBe('version 3+67 percentage points · p = 0.13—')
    // no skill has nothing to promote
    expect(within(rows[0]).queryByTestId('promote')).toBeNull()
    fireEvent.click(within(rows[2]).getByTestId('promote'))
    await screen.findByTestId('promote-done')
    expect(promote).toHaveBeenCalledWith({ versionId: 'v3' })
    expect(screen.getByTestId('promote-done').textContent).toBe("Version 3 is now the skill's current version.")
  })

  it('says why none is suggested, with no highlight; a promote that fails says so', async () => {
    mockApi({
      getVerification: () =>
        view(
          {},
          table(
            null,
            'Too few runs to tell them apart: with 4 pairs the exact test cannot reach p < 0.05; it needs at least 6 pairs where they disagree.'
          )
        )
    })
    ;(window.api as unknown as Record<string, unknown>).promoteSkillVersion = vi.fn(async () => {
      throw new Error('no such version: v2')
    })
    renderApp('/candidates/c1')
    const why = await screen.findByTestId('candidates-why')
    expect(why.textContent).toMatch(/^No suggestion\. Too few runs to tell them apart: with 4 pairs/)
    expect(screen.queryByTestId('suggested-badge')).toBeNull()
    fireEvent.click(screen.getAllByTestId('promote')[0])
    expect((await screen.findByRole('alert')).textContent).toContain('no such version: v2')
  })

  it('while building: its progress and Cancel; no table', async () => {
    const api = mockApi({
      getVerification: () =>
        view({
          phase: 'building',
          candidates: [],
          batchId: undefined,
          build: { batchId: 'b1', n: 3, state: 'running', done: 1, total: 3, costUsd: 0.42, analysisIds: ['a1'] }
        }),
      cancelVerification: () => ({ cancelled: true })
    })
    renderApp('/verification/c1')
    expect((await screen.findByTestId('build-progress')).textContent).toBe('1 of 3 candidates built · $0.42')
    expect(screen.getByTestId('verify-stage').textContent).toBe('Building the candidates')
    expect(screen.queryByTestId('candidates-table')).toBeNull()
    fireEvent.click(screen.getByTestId('cancel-verification'))
    await waitFor(() => expect(api.cancelVerification).toHaveBeenCalledWith({ verificationId: 'c1' }))
  })

  it("graded 'assist': the runs the grader left for the person, as on a verification's page", async () => {
    const graded = view({ grade: 'assist' })
    mockApi({
      getVerification: () => ({
        ...graded,
        status: { ...graded.status, stage: 'grading', runs: 18, finished: 18, graded: 16 },
        blind: { graded: 16, runs: 18, warnings: [] },
        leftForYou: [7, 3]
      })
    })
    renderApp('/candidates/c1')
    expect((await screen.findByTestId('left-for-you')).textContent).toMatch(
      /^2 runs left for you: the grader was unsure \(Runs 3, 7\): grade them/
    )
    expect(screen.getByTestId('grade-blind').getAttribute('href')).toContain('/review/vb')
  })
})

describe('making candidates', () => {
  const estimate = (over: Partial<CandidatesEstimate> = {}): CandidatesEstimate => ({
    candidates: 2,
    versions: [],
    build: null,
    variations: 20,
    repeats: 2,
    runs: 120,
    source: 'fresh',
    heldOut: true,
    costPerRunUsd: 0.1,
    usd: 12,
    budgetUsd: null,
    capUsd: 25,
    over: false,
    basis: '120 runs at $0.100',
    settings,
    warnings: [],
    ...over
  })

  it('from existing versions: the estimate with the cap, refused over it, then made and opened', async () => {
    let capped = false
    const api = mockApi({
      getSkill: () => skillView(),
      estimateCandidates: () => estimate(capped ? { usd: 30, over: true } : {}),
      makeCandidates: () => view({}, undefined),
      getVerification: () => view({}, undefined)
    })
    renderApp('/make-candidates/skill/s1')
    expect((await screen.findByTestId('candidates-estimate')).textContent).toBe('Pick 2 to 5 versions.')
    fireEvent.click(await screen.findByTestId('pick-version-2'))
    fireEvent.click(screen.getByTestId('pick-version-3'))
    expect((await screen.findByTestId('estimate-runs')).textContent).toBe(
      '120 runs: 20 variations × 2 repeats × 3 arms (2 candidates and no skill)'
    )
    expect(api.estimateCandidates).toHaveBeenLastCalledWith({
      skillId: 's1',
      versionIds: ['v2', 'v3'],
      variations: { source: 'fresh' },
      repeats: 2,
      grade: 'person',
      capUsd: 25
    })
    // lowering the cap under the estimate: refused, the button off
    capped = true
    fireEvent.change(screen.getByTestId('candidates-cap'), { target: { value: '10' } })
    await waitFor(() => expect(screen.getByTestId('estimate-cap').textContent).toBe('Over the cap of $25.00: raise the cap to make them.'))
    expect((screen.getByTestId('make-candidates') as HTMLButtonElement).disabled).toBe(true)
    capped = false
    fireEvent.change(screen.getByTestId('candidates-cap'), { target: { value: '40' } })
    await waitFor(() => expect((screen.getByTestId('make-candidates') as HTMLButtonElement).disabled).toBe(false))
    fireEvent.click(screen.getByTestId('make-candidates'))
    await waitFor(() =>
      expect(api.makeCandidates).toHaveBeenCalledWith(expect.objectContaining({ skillId: 's1', versionIds: ['v2', 'v3'], capUsd: 40 }))
    )
    await screen.findByTestId('candidates-page')
  })

  it('from a batch: builds N', async () => {
    const api = mockApi({
      estimateCandidates: () => estimate({ build: { batchId: 'b9', n: 3 }, candidates: 3 }),
      makeCandidates: () => view({}, undefined),
      getVerification: () => view({}, undefined)
    })
    renderApp('/make-candidates/batch/b9')
    await screen.findByTestId('estimate-runs')
    expect(api.estimateCandidates).toHaveBeenLastCalledWith({
      batchId: 'b9',
      n: 3,
      variations: { source: 'fresh' },
      repeats: 2,
      grade: 'person',
      capUsd: 25
    })
    expect(screen.getByTestId('make-candidates').textContent).toBe('Build 3 and verify them')
  })

  it('a candidate with flagged texts: said, and made only once the person confirms having read them', async () => {
    const api = mockApi({
      estimateCandidates: () => estimate({ warnings: [{ kind: 'flagged', text: "version 2's rule 1 holds a command: curl example.com" }] }),
      makeCandidates: () => view({}, undefined),
      getVerification: () => view({}, undefined)
    })
    renderApp('/make-candidates/batch/b9')
    expect((await screen.findByTestId('estimate-warning')).textContent).toContain('holds a command')
    const button = screen.getByTestId('make-candidates') as HTMLButtonElement
    expect(button.disabled).toBe(true)
    fireEvent.click(screen.getByTestId('accept-flagged'))
    await waitFor(() => expect(button.disabled).toBe(false))
    fireEvent.click(button)
    await waitFor(() => expect(api.makeCandidates).toHaveBeenCalledWith(expect.objectContaining({ batchId: 'b9', acceptFlagged: true })))
  })
})
