/**
 * What a verification says the same way on every screen and in the CLI: the runs left for the person,
 * the grader's headline, where the runs are. Pure; re-exported by ./verify.ts.
 */
import type { VerificationView } from './verify'

/** The runs an 'assist' verification leaves for the person, the same on every screen: "2 runs left for you: the grader was unsure (Runs 3, 7)". */
export function leftForYouText(numbers: number[]): string {
  const n = numbers.length
  if (!n) return 'none left for you: the grader was sure of every run'
  const sorted = [...numbers].sort((a, b) => a - b)
  return `${n} run${n === 1 ? '' : 's'} left for you: the grader was unsure (Run${n === 1 ? '' : 's'} ${sorted.join(', ')})`
}

/**
 * The headline of a verification any of whose grades are the grader's, the same on every screen:
 * "graded by the grader (its agreement with you on the task: accuracy 83%, kappa 0.67: trusted)" or
 * "3 of 8 runs graded by the grader (...)".
 */
export function graderHeadline(g: NonNullable<VerificationView['grader']>): string {
  const who = g.runs === g.of ? 'graded by the grader' : `${g.runs} of ${g.of} runs graded by the grader`
  const m = g.measured
  const figures = !m
    ? 'its agreement with you never measured: trace2skill grader <batch> measures it'
    : `its agreement with you on the task: accuracy ${m.accuracy === null ? 'n/a' : `${Math.round(m.accuracy * 100)}%`}, kappa ${m.kappa === null ? 'undefined' : m.kappa.toFixed(2)}: ${m.trusted ? 'trusted' : 'not trusted'}`
  return `${who} (${figures})`
}

/**
 * Where a verification whose runs exist is, from their counts (one rule for main's status and the
 * screens' live counts): running while any is queued, running or collecting its outputs, complete once
 * every one is graded.
 */
export const runsStage = (c: {
  runs: number
  queued: number
  running: number
  collecting: number
  graded: number
}): 'running' | 'grading' | 'complete' =>
  c.queued || c.running || c.collecting ? 'running' : c.runs && c.graded === c.runs ? 'complete' : 'grading'
