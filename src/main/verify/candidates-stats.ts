/**
 * The table of a candidates verification (issue 22), from its runs, their grades and how each run used
 * its candidate: for no skill and each candidate, the pass rate over the variation-repeats graded in
 * every arm with its Wilson 95% interval; the paired difference against no skill and against each
 * other candidate (fixed, broken, ties, the exact sign test: ./stats.ts); the trigger rate; the cost.
 * And the suggestion, by the paired test only: a candidate is eligible when it beats no skill (a
 * positive difference, p < 0.05); the only eligible one, or the eligible one that beats every other
 * eligible one (p < 0.05), is suggested; otherwise none, and a sentence saying why. Pure; Electron-free.
 */
import { pText, SUGGEST_P, type CandidatesTable, type Paired } from '../../shared/candidates'
import { isFinished, type Run } from '../../shared/runs'
import { pairKey, type SkillUse, type Verification } from '../../shared/verify'
import { comparePairs, passRate, signTest } from './stats'

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null)
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const points = (d: number) => `${d >= 0 ? '+' : ''}${Math.round(d * 100)} points`

/** The fewest pairs that disagree (all one way) with which the exact two-sided sign test can reach p < `alpha`. */
export function minDiscordant(alpha = SUGGEST_P): number {
  let n = 1
  while (signTest(n, 0) >= alpha) n++
  return n
}

/** a against b over the same pairs (true: good). */
function paired(a: boolean[], b: boolean[]): Paired {
  const c = comparePairs(a.map((x, i) => ({ key: String(i), with: x, without: b[i] })))
  return { pairs: c.pairs, difference: c.difference, fixed: c.fixed.length, broken: c.broken.length, ties: c.ties, p: c.p }
}

/**
 * The table. `uses`: per finished run, how it used its candidate's skill (null: its trace could not
 * be read; a run of no skill is not looked at).
 */
export function buildCandidatesTable(v: Verification, runs: Run[], uses: Map<string, SkillUse | null>): CandidatesTable {
  const candidates = v.candidates ?? []
  const n = candidates.length
  // arm index: 0..n-1 a candidate, n no skill
  const armOf = (slot: Verification['arms'][string]) => (slot.arm === 'without' ? n : (slot.candidate ?? -1))
  const byId = new Map(runs.map((r) => [r.id, r]))
  const groups = new Map<string, (Run | undefined)[]>()
  const runsOfArm: Run[][] = Array.from({ length: n + 1 }, () => [])
  for (const [runId, slot] of Object.entries(v.arms)) {
    const arm = armOf(slot)
    const run = byId.get(runId)
    if (arm < 0 || arm > n || !run) continue
    const key = pairKey(slot.variation, slot.repeat, v.repeats)
    const g = groups.get(key) ?? Array.from({ length: n + 1 }, () => undefined)
    g[arm] = run
    groups.set(key, g)
    runsOfArm[arm].push(run)
  }
  const graded = (r: Run | undefined) => !!r && isFinished(r.state) && !!r.feedback?.label
  // the variation-repeats graded in every arm, in the order of their keys (v1, v2... then repeats)
  const complete = [...groups.values()].filter((g) => g.every(graded))
  const good = (arm: number) => complete.map((g) => g[arm]!.feedback!.label === 'good')
  const pairs = complete.length

  const rowOf = (arm: number) => {
    const list = runsOfArm[arm]
    const done = list.filter((r) => isFinished(r.state))
    const read = arm === n ? [] : done.map((r) => uses.get(r.id)).filter((u): u is SkillUse => !!u)
    const invoked = read.filter((u) => u.invoked && u.from !== 'elsewhere').length
    const c = arm === n ? null : candidates[arm]
    return {
      candidate: c ? arm : null,
      versionId: c ? c.id : null,
      label: c ? `version ${c.number}` : 'no skill',
      runs: list.length,
      graded: list.filter(graded).length,
      passRate: passRate(good(arm).filter(Boolean).length, pairs),
      vsNone: c ? paired(good(arm), good(n)) : null,
      trigger: c ? { invoked, runs: read.length, rate: read.length ? invoked / read.length : null } : null,
      costUsd: list.reduce((s, r) => s + r.progress.costUsd, 0),
      meanCostUsd: mean(done.map((r) => r.progress.costUsd))
    }
  }
  const rows = [rowOf(n), ...candidates.map((_, i) => rowOf(i))]
  const matrix = candidates.map((_, i) => candidates.map((_, j) => (i === j ? null : paired(good(i), good(j)))))
  const { suggested, why } = suggest(
    candidates.map((c) => `version ${c.number}`),
    rows.slice(1).map((r) => r.vsNone!),
    matrix,
    pairs
  )
  return {
    pairs,
    rows,
    matrix,
    suggested,
    why,
    complete: !!runs.length && runs.every((r) => isFinished(r.state) && !!r.feedback?.label)
  }
}

/**
 * Which candidate to suggest, by the paired test only: eligible are those that beat no skill (a
 * positive difference, p < 0.05); the only eligible one, or the eligible one that beats every other
 * eligible one (p < 0.05), is suggested. Otherwise none, and why.
 */
export function suggest(
  labels: string[],
  vsNone: Paired[],
  matrix: (Paired | null)[][],
  pairs: number
): { suggested: number | null; why: string } {
  const need = minDiscordant()
  if (!pairs) return { suggested: null, why: 'No variation is graded in every arm yet: nothing to compare.' }
  const beats = (c: Paired) => c.difference !== null && c.difference > 0 && c.p < SUGGEST_P
  const eligible = vsNone.flatMap((c, i) => (beats(c) ? [i] : []))
  const against = (i: number, c: Paired) =>
    `${labels[i]} beats no skill (${points(c.difference!)}: fixed ${c.fixed}, broke ${c.broken}, ${pText(c.p)})`
  if (eligible.length === 1) {
    const i = eligible[0]
    return { suggested: i, why: `${against(i, vsNone[i])}, and it is the only candidate that does.` }
  }
  if (eligible.length > 1) {
    const top = eligible.find((i) => eligible.every((j) => j === i || beats(matrix[i][j]!)))
    if (top !== undefined)
      return {
        suggested: top,
        why: `${against(top, vsNone[top])}, and beats ${eligible
          .filter((j) => j !== top)
          .map((j) => `${labels[j]} (${pText(matrix[top][j]!.p)})`)
          .join(', ')}, which beat no skill too.`
      }
    return {
      suggested: null,
      why: `${eligible.map((i) => labels[i]).join(' and ')} beat no skill, but none of them beats the others by the paired test (p < ${SUGGEST_P}): ${pairs < need ? `with ${plural(pairs, 'pair')} the exact test cannot tell them apart; it needs at least ${need} pairs where they disagree` : 'more variations or repeats would tell them apart'}.`
    }
  }
  if (pairs < need)
    return {
      suggested: null,
      why: `Too few runs to tell them apart: with ${plural(pairs, 'pair')} the exact test cannot reach p < ${SUGGEST_P}; it needs at least ${need} pairs where they disagree.`
    }
  const best = vsNone.reduce((b, c, i) => ((c.difference ?? -1) > (vsNone[b].difference ?? -1) ? i : b), 0)
  const c = vsNone[best]
  return {
    suggested: null,
    why: `None beats no skill yet (by the paired test, p < ${SUGGEST_P}): the best, ${labels[best]}, is ${points(c.difference ?? 0)} (fixed ${c.fixed}, broke ${c.broken}, ${pText(c.p)}).`
  }
}
