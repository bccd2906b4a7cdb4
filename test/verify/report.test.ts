/**
 * The report on constructed verifications where the answer is known by hand: pairs only where both
 * runs are graded, per-arm means, trigger rates for both arms when the comparison is another version,
 * the warnings (not held out, low trigger, shadowed, a stray load without the skill, ungraded runs),
 * and the stage.
 */
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src/shared/runs'
import { triggerJudged, type SkillUse, type Verification } from '../../src/shared/verify'
import { buildReport, verificationStatus, type RunFacts } from '../../src/main/verify/report'

const base = (over: Partial<Verification> = {}): Verification => ({
  id: 'v',
  skillId: 's',
  skillName: 'landing-page',
  version: { id: 'v2', number: 2 },
  against: null,
  source: 'fresh',
  heldOut: true,
  learnedFrom: [],
  repeats: 1,
  settings: {} as Verification['settings'],
  variations: [
    { difficulty: 'easy', prompt: 'a' },
    { difficulty: 'hard', prompt: 'b' },
    { difficulty: 'hard', prompt: 'c' }
  ],
  arms: {},
  phase: 'created',
  explanations: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over
})

let n = 0
function run(label: 'good' | 'bad' | null, o: Partial<Run> = {}): Run {
  n++
  return {
    id: `r${n}`,
    batchId: 'b',
    number: n,
    prompt: 'p',
    repeat: 1,
    state: 'done',
    sessionId: `s${n}`,
    progress: { turns: 4, toolCalls: 2, tokens: 100, costUsd: 0.1, elapsedMs: 1000 },
    files: [],
    screenshots: [],
    imported: false,
    ...(label ? { feedback: { label, text: '', updatedAt: '' } } : {}),
    ...o
  }
}

/** runs for pairs: [with, without] grades per variation */
function build(grades: ['good' | 'bad' | null, 'good' | 'bad' | null][], v = base(), uses: (SkillUse | null)[] = []) {
  const runs: Run[] = []
  const arms: Verification['arms'] = {}
  const facts = new Map<string, RunFacts>()
  grades.forEach(([w, wo], i) => {
    const a = run(w, { progress: { turns: 5, toolCalls: 3, tokens: 1, costUsd: 0.2, elapsedMs: 2000 } })
    const b = run(wo)
    arms[a.id] = { arm: 'with', variation: i, repeat: 1 }
    arms[b.id] = { arm: 'without', variation: i, repeat: 1 }
    runs.push(a, b)
    facts.set(a.id, { metrics: null, use: uses[i * 2] ?? { invoked: true, how: 'skill-tool', from: 'project' } })
    facts.set(b.id, { metrics: null, use: uses[i * 2 + 1] ?? { invoked: false } })
  })
  return { v: { ...v, arms }, runs, facts }
}

describe('the verification report', () => {
  it('pairs only where both runs are graded; per-arm means; by difficulty', () => {
    const { v, runs, facts } = build([
      ['good', 'bad'],
      ['good', null],
      ['bad', 'good']
    ])
    const r = buildReport(v, runs, facts)
    expect(r.comparison).toMatchObject({ pairs: 2, fixed: ['v1'], broken: ['v3'], ties: 0, p: 1 })
    expect(r.comparison.with).toMatchObject({ passed: 1, n: 2 })
    expect(r.arms.with.allGraded).toMatchObject({ passed: 2, n: 3 })
    expect(r.arms.with.meanTurns).toBe(5)
    expect(r.arms.without.meanTurns).toBe(4)
    expect(r.arms.with.costUsd).toBeCloseTo(0.6, 12)
    expect(r.arms.with.meanDurationMs).toBe(2000)
    expect(r.byDifficulty.map((d) => [d.difficulty, d.pairs])).toEqual([
      ['easy', 1],
      ['hard', 1]
    ])
    expect(r.complete).toBe(false)
    expect(r.warnings.map((w) => w.text).join(' ')).toMatch(/1 run not graded yet: the figures are over the 2 pairs graded in both arms/)
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'grading', runs: 6, finished: 6, graded: 5 })
  })

  it('against another version: both arms have a trigger rate; a low one is flagged with what to do', () => {
    const { v, runs, facts } = build(
      [
        ['good', 'good'],
        ['good', 'bad'],
        ['good', 'good']
      ],
      base({ against: { id: 'v1', number: 1 } }),
      [
        { invoked: true, from: 'project' },
        { invoked: false },
        { invoked: true, from: 'project' },
        { invoked: false },
        { invoked: false },
        { invoked: true, from: 'project' }
      ]
    )
    const r = buildReport(v, runs, facts)
    expect(r.arms.with.trigger).toEqual({ invoked: 2, runs: 3, rate: 2 / 3, elsewhere: 0 })
    expect(r.arms.without.trigger).toEqual({ invoked: 1, runs: 3, rate: 1 / 3, elsewhere: 0 })
    expect(r.arms.without.label).toBe('version 1')
    const said = r.warnings.map((w) => w.text).join('\n')
    expect(said).toMatch(/loaded version 2 in only 2 of 3 runs that had it \(67%\)/)
    expect(said).toMatch(/loaded version 1 in only 1 of 3 runs that had it \(33%\)/)
    expect(r.complete).toBe(true)
    expect(verificationStatus(v, runs).stage).toBe('complete')
  })

  it('says when the runs are not held out, shadowed, or loaded a stray skill without it', () => {
    const { v, runs, facts } = build(
      [
        ['good', 'bad'],
        ['good', 'bad']
      ],
      base({ heldOut: false }),
      [{ invoked: true, from: 'elsewhere' }, { invoked: true, from: 'elsewhere' }, { invoked: true, from: 'project' }, { invoked: false }]
    )
    const r = buildReport(v, runs, facts, { shadow: 'Your own skills folder has a skill named landing-page' })
    const said = r.warnings.map((w) => w.text).join('\n')
    expect(said).toMatch(/not held out/)
    expect(said).toMatch(/Your own skills folder/)
    expect(said).toMatch(/In 1 run with version 2, Claude Code loaded another skill named landing-page instead/)
    expect(said).toMatch(/1 run without the skill still loaded a skill named landing-page/)
    expect(r.arms.with.trigger).toEqual({ invoked: 1, runs: 2, rate: 0.5, elsewhere: 1 })
    // each with its kind, so the screens can put the low trigger rate first
    expect(r.warnings.map((w) => w.kind)).toEqual(['not-held-out', 'shadow', 'low-trigger', 'elsewhere', 'stray', 'few-pairs'])
  })

  it('stages: running while runs are queued or running; before the batch, the phase', () => {
    const { v, runs } = build([['good', 'bad']])
    runs[0].state = 'running'
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'running', running: 1, finished: 1 })
    runs[0].state = 'interrupted'
    // graded as it is, it counts; a run again is graded again
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'complete', unfinished: 1 })
    delete runs[0].feedback
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'grading', unfinished: 1, graded: 1 })
    expect(verificationStatus({ ...v, phase: 'generating' }, []).stage).toBe('generating')
    expect(verificationStatus({ ...v, phase: 'interrupted' }, []).stage).toBe('interrupted')
  })

  it('counts as running only runs whose claude is alive; one collecting its outputs is counted apart, still in the running stage', () => {
    const { v, runs } = build([
      ['good', 'bad'],
      ['good', 'bad']
    ])
    for (const r of runs) delete r.feedback
    runs[0].state = 'running'
    runs[1].state = 'running'
    runs[1].collecting = true
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'running', running: 1, collecting: 1, finished: 2 })
    runs[0].collecting = true
    expect(verificationStatus(v, runs)).toMatchObject({ stage: 'running', running: 0, collecting: 2 })
  })
})

describe('no verdict before there is enough to judge', () => {
  /** 40 pairs (80 runs): the first `done` pairs finished (graded), the with-skill runs never loading the skill */
  function early(done: number) {
    const grades = Array.from({ length: 40 }, (_, i) => (i < done ? (['good', 'bad'] as const) : ([null, null] as const)))
    const { v, runs, facts } = build(
      grades.map(([a, b]) => [a, b]),
      base({ variations: Array.from({ length: 40 }, (_, i) => ({ difficulty: 'normal' as const, prompt: `p${i}` })) }),
      Array.from({ length: 80 }, () => ({ invoked: false }))
    )
    runs.forEach((r, i) => {
      if (Math.floor(i / 2) >= done) r.state = 'queued'
    })
    return buildReport(v, runs, facts)
  }

  it('after 1 of 80 runs, no low-trigger warning: 1 run is not enough to say the skill is rarely loaded', () => {
    const r = early(1)
    expect(r.arms.with.trigger).toMatchObject({ invoked: 0, runs: 1 })
    expect(triggerJudged(r.arms.with)).toBe(false)
    expect(r.warnings.map((w) => w.kind)).not.toContain('low-trigger')
    expect(early(4).warnings.map((w) => w.kind)).not.toContain('low-trigger')
  })

  it('once 5 with-skill runs have finished, a low trigger rate is said', () => {
    const r = early(5)
    expect(triggerJudged(r.arms.with)).toBe(true)
    expect(r.warnings.find((w) => w.kind === 'low-trigger')?.text).toMatch(/loaded version 2 in only 0 of 5 runs that had it \(0%\)/)
  })

  it('an arm of fewer than 5 runs is judged once all of them have finished', () => {
    const { v, runs, facts } = build(
      [
        ['good', 'bad'],
        ['good', 'bad']
      ],
      base(),
      [{ invoked: false }, { invoked: false }, { invoked: false }, { invoked: false }]
    )
    runs[2].state = 'queued'
    expect(buildReport(v, runs, facts).warnings.map((w) => w.kind)).not.toContain('low-trigger')
    runs[2].state = 'done'
    expect(buildReport(v, runs, facts).warnings.map((w) => w.kind)).toContain('low-trigger')
  })
})
