/**
 * `trace2skill report` in words, on constructed verifications: the result is the first thing said,
 * interim figures are said as such, no trigger verdict after one run, a small p is not rounded away,
 * and once the verification was deepened the next step is the new version's verification.
 */
import { describe, expect, it } from 'vitest'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { ArmStats, VerificationView } from '../../src/shared/verify'
import { reportText } from '../../src/main/cli/commands/report'

const rate = (passed: number, n: number) => ({ passed, n, rate: n ? passed / n : null, ci: n ? { low: 0.1, high: 0.9 } : null })
const arm = (a: 'with' | 'without', patch: Partial<ArmStats> = {}): ArmStats => ({
  arm: a,
  label: a === 'with' ? 'version 1' : 'no skill',
  runs: 40,
  finished: 40,
  graded: 40,
  passRate: rate(30, 40),
  allGraded: rate(30, 40),
  costUsd: 10,
  meanCostUsd: 0.25,
  meanTurns: 4,
  meanToolErrors: 0,
  meanDurationMs: 10_000,
  trigger: a === 'with' ? { invoked: 40, runs: 40, rate: 1, elsewhere: 0 } : null,
  ...patch
})

const view = (patch: { report?: Partial<NonNullable<VerificationView['report']>>; deepenAnalysisId?: string } = {}): VerificationView => ({
  verification: {
    id: 'ver1',
    skillId: 's1',
    skillName: 'landing-page',
    version: { id: 'x1', number: 1 },
    against: null,
    source: 'fresh',
    heldOut: true,
    learnedFrom: [],
    repeats: 1,
    settings: RunSettingsSchema.parse({}),
    variations: Array.from({ length: 40 }, (_, i) => ({ difficulty: 'normal' as const, prompt: `p${i}` })),
    batchId: 'vb',
    arms: {},
    phase: 'created',
    explanations: {},
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...(patch.deepenAnalysisId ? { deepenAnalysisId: patch.deepenAnalysisId } : {})
  },
  status: { stage: 'complete', runs: 80, queued: 0, running: 0, collecting: 0, finished: 80, unfinished: 0, graded: 80, costUsd: 20 },
  report: {
    complete: true,
    runs: 80,
    finished: 80,
    graded: 80,
    arms: { with: arm('with'), without: arm('without', { passRate: rate(20, 40), allGraded: rate(20, 40) }) },
    comparison: { pairs: 40, with: rate(30, 40), without: rate(20, 40), difference: 0.25, fixed: ['v1'], broken: [], ties: 39, p: 0.00317 },
    byDifficulty: [],
    pairs: [],
    warnings: [],
    ...patch.report
  },
  batchName: 'Verify landing-page v1'
})

describe('report in words', () => {
  it('says the result first, with its p (not rounded to 0)', () => {
    const lines = reportText(view()).split('\n')
    expect(lines[2]).toBe('result: version 1 against no skill: +25 points over 40 pairs graded in both arms, p = 0.003')
  })

  it('after 1 of 80 runs: the cost so far, the trigger count with no verdict', () => {
    const text = reportText(
      view({
        report: {
          complete: false,
          finished: 1,
          graded: 1,
          arms: {
            with: arm('with', { finished: 1, graded: 1, costUsd: 0.25, trigger: { invoked: 0, runs: 1, rate: 0, elsewhere: 0 } }),
            without: arm('without', { finished: 0, graded: 0, costUsd: 0, meanCostUsd: null })
          },
          comparison: { pairs: 0, with: rate(0, 0), without: rate(0, 0), difference: null, fixed: [], broken: [], ties: 0, p: 1 }
        }
      })
    )
    expect(text).toContain('result: none yet: no pair is graded in both arms')
    expect(text).toMatch(
      /^ {2}version 1: 40 runs, 1 finished, 1 graded .*; cost \$0\.2500 so far \(\$0\.2500 a run\); .*; skill loaded in 0 of 1 run so far \(too few to judge\)$/m
    )
  })

  it('once deepened, offers the new version’s verification, not deepen', () => {
    const text = reportText(view({ deepenAnalysisId: 'a1' }), { deepenedInto: 2 })
    expect(text).toMatch(/^next: trace2skill verify landing-page --version 2 \(/m)
    expect(text).not.toContain('trace2skill deepen')
    // before deepening, deepen is the next step
    expect(reportText(view())).toMatch(/trace2skill deepen ver1/)
  })

  it('when the skill rarely loads, points at trace2skill triggers and optimize; not when it loads, nor before a verdict', () => {
    const low = reportText(
      view({
        report: { arms: { with: arm('with', { trigger: { invoked: 12, runs: 40, rate: 0.3, elsewhere: 0 } }), without: arm('without') } }
      })
    )
    expect(low).toMatch(
      /^the skill rarely loads \(version 1 in 30% of its runs\): `trace2skill triggers landing-page --version 1` measures when its description makes Claude Code load it .*`trace2skill optimize landing-page --version 1` .*$/m
    )
    expect(reportText(view())).not.toContain('trace2skill triggers')
    // one run is no verdict
    const early = reportText(
      view({
        report: {
          arms: { with: arm('with', { finished: 1, trigger: { invoked: 0, runs: 1, rate: 0, elsewhere: 0 } }), without: arm('without') }
        }
      })
    )
    expect(early).not.toContain('trace2skill triggers')
  })

  it('while blind, the low-trigger warning brings the same pointer', () => {
    const v = view()
    const blind: VerificationView = {
      ...v,
      report: null,
      blind: { graded: 3, runs: 80, warnings: [{ kind: 'low-trigger', text: 'Claude Code loaded version 1 in only 2 of 40 runs.' }] }
    }
    expect(reportText(blind)).toMatch(/^the skill rarely loads: `trace2skill triggers landing-page --version 1` /m)
  })
})
