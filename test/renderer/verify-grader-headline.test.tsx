// @vitest-environment jsdom
/**
 * The report page of a verification graded by the grader (issue 21): its headline says so beside the
 * result, with the grader's last measured agreement on the task (or that it never was), the same
 * sentence as the CLI's report; a verification the person graded says nothing of the grader.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen } from '@testing-library/react'
import type { SkillView } from '../../src/shared/contract'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { ArmStats, VerificationView, VerifyReport } from '../../src/shared/verify'
import { batchStatus } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const rate = (passed: number, n: number) => ({ passed, n, rate: passed / n, ci: null })
const arm = (a: 'with' | 'without'): ArmStats => ({
  arm: a,
  label: a === 'with' ? 'version 1' : 'no skill',
  runs: 2,
  finished: 2,
  graded: 2,
  passRate: a === 'with' ? rate(2, 2) : rate(0, 2),
  allGraded: a === 'with' ? rate(2, 2) : rate(0, 2),
  costUsd: 0.2,
  meanCostUsd: 0.1,
  meanTurns: 3,
  meanToolErrors: 0,
  meanDurationMs: 60_000,
  trigger: a === 'with' ? { invoked: 2, runs: 2, rate: 1, elsewhere: 0 } : null
})
const report: VerifyReport = {
  complete: true,
  runs: 4,
  finished: 4,
  graded: 4,
  arms: { with: arm('with'), without: arm('without') },
  comparison: { pairs: 2, with: rate(2, 2), without: rate(0, 2), difference: 1, fixed: [], broken: [], ties: 0, p: 0.5 },
  byDifficulty: [],
  pairs: [],
  warnings: []
}
const view = (grader: VerificationView['grader']): VerificationView => ({
  verification: {
    id: 'ver1',
    skillId: 's1',
    skillName: 'landing-page',
    version: { id: 'ver-1', number: 1 },
    against: null,
    source: 'pasted',
    heldOut: true,
    learnedFrom: [],
    taskId: 't1',
    repeats: 1,
    settings: RunSettingsSchema.parse({ maxTurns: 10, permission: 'accept-edits' }),
    variations: [{ difficulty: 'normal', prompt: 'a dentist' }],
    batchId: 'vb',
    arms: {},
    phase: 'created',
    explanations: {},
    grade: 'auto',
    createdAt: '2025-01-03T00:00:00.000Z',
    updatedAt: '2025-01-03T00:00:00.000Z'
  },
  status: { stage: 'complete', runs: 4, queued: 0, running: 0, collecting: 0, finished: 4, graded: 4, unfinished: 0, costUsd: 0.4 },
  report,
  batchName: 'Verify landing-page v1 against no skill #1',
  ...(grader ? { grader } : {})
})
const skillView = (): SkillView =>
  ({
    skill: {
      id: 's1',
      batchIds: [],
      frontMatter: { name: 'landing-page', description: 'd' },
      title: 'Landing',
      whenToUse: '',
      rules: [],
      conflicts: [],
      setAside: [],
      createdAt: '',
      updatedAt: ''
    },
    skillMd: '',
    edgeCasesMd: '',
    versions: [{ id: 'ver-1', number: 1, createdAt: '2025-01-01T00:00:00.000Z' }],
    problems: []
  }) as unknown as SkillView

function open(v: VerificationView) {
  mockApi({
    getSkill: () => skillView(),
    getBatch: ({ batchId }) => ({
      batch: {
        id: batchId,
        name: 'b',
        createdAt: '',
        settings: RunSettingsSchema.parse({ maxTurns: 10, permission: 'accept-edits' }),
        runIds: []
      },
      runs: [],
      status: batchStatus({ batchId, total: 0, done: 0 })
    }),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 0, signals: [] } }),
    listVerifications: () => [],
    getVerification: () => v
  })
  renderApp('/verification/ver1')
}

afterEach(() => cleanup())

describe("the report's headline when the grader graded", () => {
  it('says every run was graded by the grader, with its measured agreement beside the result', async () => {
    open(view({ runs: 4, of: 4, measured: { graderId: 'g1', trusted: true, accuracy: 10 / 12, kappa: 2 / 3 } }))
    const line = await screen.findByTestId('grader-headline')
    expect(line.textContent).toBe('Graded by the grader (its agreement with you on the task: accuracy 83%, kappa 0.67: trusted).')
    expect(screen.getByTestId('report-headline').contains(line)).toBe(true)
  })

  it('says how many of the runs, and that the grader was never measured, as a warning', async () => {
    open(view({ runs: 3, of: 4, measured: null }))
    const line = await screen.findByTestId('grader-headline')
    expect(line.textContent).toBe(
      '3 of 4 runs graded by the grader (its agreement with you never measured: trace2skill grader <batch> measures it).'
    )
    expect(line.className).toContain('notice-error')
  })

  it('says nothing of the grader when the person graded every run', async () => {
    open(view(undefined))
    await screen.findByTestId('report-headline')
    expect(screen.queryByTestId('grader-headline')).toBeNull()
  })
})
