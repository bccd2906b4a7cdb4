/**
 * Pure helpers of the verify screens (step 5): pass rates, the paired test and where a verification
 * is, in words; the points of the pass-rate chart. Unit-tested through the components that use them.
 */
import { armLabel, type Arm, type ComparisonInfo, type PassRateInfo, type VerificationView, type VerifyStatus } from '@shared/verify'
import { count, fmtCost } from './format'

/** 0.8 → "80%". */
export const pct = (x: number) => `${Math.round(x * 100)}%`

/** "80% (4 of 5) · 95% CI 38–96%", or why there is no rate yet. */
export function fmtPassRate(r: PassRateInfo): string {
  if (r.rate === null || !r.n) return 'none graded yet'
  const ci = r.ci ? ` · 95% CI ${Math.round(r.ci.low * 100)}–${Math.round(r.ci.high * 100)}%` : ''
  return `${pct(r.rate)} (${r.passed} of ${r.n})${ci}`
}

/** "80% (4 of 5)": a rate without its interval (lists). */
export const fmtRateShort = (r: PassRateInfo) => (r.rate === null || !r.n ? '—' : `${pct(r.rate)} (${r.passed} of ${r.n})`)

/** A difference of pass rates: "+40 percentage points", "no difference". */
export function fmtDifference(d: number | null): string {
  if (d === null) return '—'
  const points = Math.round(d * 100)
  if (points === 0) return 'no difference'
  return `${points > 0 ? '+' : '−'}${Math.abs(points)} percentage point${Math.abs(points) === 1 ? '' : 's'}`
}

/** A p-value as people read it: 0.625 → "0.63", 0.0312 → "0.031". */
export const fmtP = (p: number) => (p < 0.001 ? '< 0.001' : p < 0.1 ? p.toFixed(3) : p.toFixed(2))

/**
 * A probability as a share of the time, never rounded to 0% (or 100%) when it is not: 0.0039 → "0.4%",
 * 0.0312 → "3.1%", 0.625 → "63%", below 0.001 → "less than 0.1%".
 */
export function fmtChance(p: number): string {
  if (p < 0.001) return 'less than 0.1%'
  const x = p * 100
  if (x < 10) return `${x.toFixed(1)}%`
  if (p < 1 && x >= 99.5) return `${Math.min(x, 99.9).toFixed(1)}%`
  return `${Math.round(x)}%`
}

/** What the exact sign test on the pairs that came out differently says, in plain words. */
export function pWords(c: ComparisonInfo, withLabel: string): string {
  const differ = c.fixed.length + c.broken.length
  if (!c.pairs) return 'No pair is graded in both arms yet.'
  if (!differ) return `All ${count(c.pairs, 'pair')} graded in both arms came out the same: nothing tells the two arms apart.`
  const chance = fmtChance(c.p)
  const verdict =
    c.p < 0.01
      ? 'Very unlikely to be chance.'
      : c.p < 0.05
        ? 'Unlikely to be chance (below the usual 5%).'
        : c.p < 0.1
          ? 'Suggestive, but it could be chance: more pairs would tell.'
          : 'That could well be chance: more variations or repeats would tell.'
  return `If ${withLabel} made no difference, a split at least this uneven (either way) would come up ${chance} of the time: exact sign test on the ${count(differ, 'pair')} that came out differently (${c.fixed.length} fixed, ${c.broken.length} broken), p = ${fmtP(c.p)}. ${verdict}`
}

export const STAGE_WORDS: Record<VerifyStatus['stage'], string> = {
  building: 'Building the candidates',
  generating: 'Writing fresh variations',
  running: 'Running',
  grading: 'Grading',
  complete: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted'
}

/** Where a verification is, in one line: "7 of 20 finished · 3 running · 10 queued · graded 4 of 20 · $1.20 so far". */
export function statusLine(s: VerifyStatus): string {
  if (s.stage === 'building') return 'The candidates are being built from the batch; the runs start when they are ready.'
  if (s.stage === 'generating') return 'The fresh variations are being written; the runs start when they are ready.'
  if (!s.runs) return s.stage === 'complete' ? '' : 'No runs yet.'
  const parts = [
    `${s.finished} of ${s.runs} finished`,
    s.running ? `${s.running} running` : '',
    s.collecting ? `${s.collecting} collecting outputs` : '',
    s.queued ? `${s.queued} queued` : '',
    s.unfinished ? `${count(s.unfinished, 'run')} did not finish well` : '',
    `graded ${s.graded} of ${s.runs}`,
    `${fmtCost(s.costUsd)} ${s.stage === 'complete' ? 'in all' : 'so far'}`
  ]
  return parts.filter(Boolean).join(' · ')
}

/** How an arm is named beside its runs: "with version 2", "no skill", "with version 1". */
export const armName = (view: VerificationView | { verification: VerificationView['verification'] }, arm: Arm) => {
  const label = armLabel(view.verification, arm)
  return label === 'no skill' ? label : `with ${label}`
}

export interface ChartPoint {
  version: number
  arm: Arm
  /** "no skill", "version 1"... (the baseline) or "version 2" */
  label: string
  rate: number
  low: number
  high: number
  passed: number
  n: number
  verificationId: string
}

/**
 * The pass rate per skill version, for the chart: per version, its newest verification with pairs
 * graded in both arms (complete or not), both arms. `list` is newest first (as listVerifications
 * answers).
 */
export function chartPoints(list: VerificationView[]): ChartPoint[] {
  const seen = new Set<number>()
  const out: ChartPoint[] = []
  for (const view of list) {
    const version = view.verification.version.number
    const r = view.report
    if (seen.has(version) || !r || r.arms.with.passRate.rate === null || r.arms.without.passRate.rate === null) continue
    seen.add(version)
    for (const arm of ['with', 'without'] as const) {
      const p = r.arms[arm].passRate
      out.push({
        version,
        arm,
        label: armLabel(view.verification, arm),
        rate: p.rate!,
        low: p.ci?.low ?? p.rate!,
        high: p.ci?.high ?? p.rate!,
        passed: p.passed,
        n: p.n,
        verificationId: view.verification.id
      })
    }
  }
  return out.sort((a, b) => a.version - b.version || (a.arm === 'with' ? -1 : 1))
}
