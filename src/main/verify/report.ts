/**
 * A verification's report, from its runs and their grades: pass rate per arm with a 95% interval, the
 * paired difference with the exact sign test on the pairs that disagree, the same by difficulty, cost,
 * turns, tool errors and duration per arm, the variations the skill fixed and broke, and whether
 * Claude Code loaded the skill (the trigger rate). Pure; Electron-free.
 */
import { isFinished, type Run } from '../../shared/runs'
import type { RunMetrics } from '../../shared/signals'
import {
  armLabel,
  runsStage,
  pairKey,
  triggerLow,
  type Arm,
  type ArmStats,
  type SkillUse,
  type Verification,
  type VerifyPair,
  type VerifyReport,
  type VerifyStatus,
  type VerifyWarning
} from '../../shared/verify'
import { compareByDifficulty, comparePairs, passRate, type Pair } from './stats'

export interface RunFacts {
  metrics: RunMetrics | null
  /** how the arm's skill (or, for no skill, a same-name one) was used; null when the trace could not be read */
  use: SkillUse | null
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null)
const pct = (x: number) => `${Math.round(x * 100)}%`
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Where a verification is: one word and counts (runs come from its batch, once it has one). */
export function verificationStatus(v: Verification, runs: Run[]): VerifyStatus {
  const count = (f: (r: Run) => boolean) => runs.filter(f).length
  const finished = count((r) => isFinished(r.state))
  const graded = count((r) => isFinished(r.state) && !!r.feedback?.label)
  const base = {
    runs: runs.length,
    queued: count((r) => r.state === 'queued'),
    running: count((r) => r.state === 'running' && !r.collecting),
    collecting: count((r) => r.state === 'running' && !!r.collecting),
    finished,
    unfinished: count((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted'),
    graded,
    costUsd: runs.reduce((n, r) => n + r.progress.costUsd, 0)
  }
  return { stage: v.phase === 'created' ? runsStage(base) : v.phase, ...base }
}

/** The pairs: each variation and repeat with its run in each arm. */
export function pairsOf(v: Verification, runs: Run[], facts: Map<string, RunFacts>): VerifyPair[] {
  const byId = new Map(runs.map((r) => [r.id, r]))
  const pairs = new Map<string, VerifyPair>()
  for (const [runId, slot] of Object.entries(v.arms)) {
    const key = pairKey(slot.variation, slot.repeat, v.repeats)
    const variation = v.variations[slot.variation]
    if (!variation) continue
    const pair = pairs.get(key) ?? {
      key,
      variation: slot.variation,
      repeat: slot.repeat,
      difficulty: variation.difficulty,
      prompt: variation.prompt,
      with: null,
      without: null
    }
    const run = byId.get(runId)
    if (run)
      pair[slot.arm] = {
        runId,
        number: run.number,
        state: run.state,
        label: isFinished(run.state) ? (run.feedback?.label ?? null) : null,
        text: run.feedback?.text ?? '',
        use: facts.get(runId)?.use ?? null
      }
    pairs.set(key, pair)
  }
  return [...pairs.values()].sort((a, b) => a.repeat - b.repeat || a.variation - b.variation)
}

export function buildReport(v: Verification, runs: Run[], facts: Map<string, RunFacts>, opts: { shadow?: string } = {}): VerifyReport {
  const pairs = pairsOf(v, runs, facts)
  const graded: Pair[] = pairs
    .filter((p) => p.with?.label && p.without?.label)
    .map((p) => ({ key: p.key, difficulty: p.difficulty, with: p.with!.label === 'good', without: p.without!.label === 'good' }))
  const comparison = comparePairs(graded)
  const armRuns = (arm: Arm) => runs.filter((r) => v.arms[r.id]?.arm === arm)
  const warnings: VerifyWarning[] = []
  const warn = (kind: VerifyWarning['kind'], text: string) => void warnings.push({ kind, text })

  const statsOf = (arm: Arm): ArmStats => {
    const list = armRuns(arm)
    const done = list.filter((r) => isFinished(r.state))
    const labelled = done.filter((r) => r.feedback?.label)
    const metrics = done.map((r) => facts.get(r.id)?.metrics).filter((m): m is RunMetrics => !!m)
    const hasSkill = arm === 'with' || !!v.against
    const uses = done.map((r) => facts.get(r.id)?.use).filter((u): u is SkillUse => !!u)
    return {
      arm,
      label: armLabel(v, arm),
      runs: list.length,
      finished: done.length,
      graded: labelled.length,
      passRate: arm === 'with' ? comparison.with : comparison.without,
      allGraded: passRate(labelled.filter((r) => r.feedback!.label === 'good').length, labelled.length),
      costUsd: list.reduce((n, r) => n + r.progress.costUsd, 0),
      meanCostUsd: mean(done.map((r) => r.progress.costUsd)),
      meanTurns: mean(done.map((r) => r.progress.turns)),
      meanToolErrors: mean(metrics.map((m) => m.toolErrors)),
      meanDurationMs: mean(done.map((r) => r.progress.elapsedMs)),
      trigger: hasSkill
        ? {
            invoked: uses.filter((u) => u.invoked && u.from !== 'elsewhere').length,
            runs: uses.length,
            rate: uses.length ? uses.filter((u) => u.invoked && u.from !== 'elsewhere').length / uses.length : null,
            elsewhere: uses.filter((u) => u.invoked && u.from === 'elsewhere').length
          }
        : null
    }
  }
  const arms = { with: statsOf('with'), without: statsOf('without') }

  if (!v.heldOut)
    warn(
      'not-held-out',
      'These variations are the ones the skill was learned from (not held out): the skill has seen them, so the gain is likely overstated. Verify on fresh variations to know.'
    )
  if (opts.shadow) warn('shadow', opts.shadow)
  for (const arm of ['with', 'without'] as const) {
    const t = arms[arm].trigger
    if (!t || !t.runs) continue
    const which = arm === 'with' ? `version ${v.version.number}` : `version ${v.against!.number}`
    if (triggerLow(arms[arm]) && t.rate !== null)
      warn(
        'low-trigger',
        `Claude Code loaded ${which} in only ${t.invoked} of ${plural(t.runs, 'run')} that had it (${pct(t.rate)}): a skill it does not load does nothing. The description decides when Claude Code loads a skill: say in it what the task looks like and the words such prompts use (the composer's description), save, and verify again.`
      )
    if (t.elsewhere)
      warn(
        'elsewhere',
        `In ${plural(t.elsewhere, 'run')} with ${which}, Claude Code loaded another skill named ${v.skillName} instead (from outside the run's folder, such as your own skills folder): those runs did not test this version.`
      )
  }
  if (!v.against) {
    const stray = armRuns('without').filter((r) => facts.get(r.id)?.use?.invoked).length
    if (stray)
      warn(
        'stray',
        `${plural(stray, 'run')} without the skill still loaded a skill named ${v.skillName} (from outside the run's folder): the comparison is not against no skill there.`
      )
  }
  const unfinished = runs.filter((r) => !isFinished(r.state)).length
  const ungraded = runs.filter((r) => isFinished(r.state) && !r.feedback?.label).length
  if (unfinished || ungraded)
    warn(
      'partial',
      `${[unfinished ? `${plural(unfinished, 'run')} still to finish` : '', ungraded ? `${plural(ungraded, 'run')} not graded yet` : ''].filter(Boolean).join(', ')}: the figures are over the ${plural(comparison.pairs, 'pair')} graded in both arms so far.`
    )
  else if (comparison.pairs && comparison.pairs < 10)
    warn(
      'few-pairs',
      `Only ${plural(comparison.pairs, 'pair')}: the intervals are wide, and only a large difference can show. More variations or repeats narrow them.`
    )

  const byDifficulty = [...compareByDifficulty(graded)].map(([difficulty, c]) => ({ difficulty, ...c }))
  const finished = runs.filter((r) => isFinished(r.state)).length
  return {
    complete: !!runs.length && finished === runs.length && runs.every((r) => !!r.feedback?.label),
    runs: runs.length,
    finished,
    graded: runs.filter((r) => isFinished(r.state) && !!r.feedback?.label).length,
    arms,
    comparison,
    byDifficulty,
    pairs,
    warnings
  }
}
