/**
 * How much of the runs one analyst reads at once: the model's window less room for the answer, the
 * prompt and the rounds of looking closer; and the groups runs are analysed in when they do not fit one
 * context (their rules consolidated afterwards). Pure; Electron-free.
 */
import { modelInfo } from '../../shared/models'
import type { RunForAnalysis } from './condense'
import { DEFAULT_MAX_ROUNDS } from './drill'
import { fitRuns } from './fit'

/** The model's context window in tokens: the catalog's (src/shared/models.ts), else 1M for a `[1m]` id, else 200k. */
export function contextWindow(model: string): number {
  const known = modelInfo(model)?.contextWindow
  if (known) return known
  return /\b1m\b|\[1m\]|-1m$/i.test(model) ? 1_000_000 : 200_000
}
/** Room kept for the answer (16k), the system prompt, tools and instructions (6k), and each drill-down round (10k). */
const ANSWER_ROOM = 16_000
const PROMPT_ROOM = 6000
const ROUND_ROOM = 10_000
/**
 * Tokens of evidence (text and images) one analyst reads at once: the model's window less room for the
 * answer, the prompt around the evidence and the drill-down rounds, with a margin for the rough token
 * estimate (four characters a token).
 */
export function contextBudget(model: string, maxRounds = DEFAULT_MAX_ROUNDS): number {
  return Math.floor((contextWindow(model) - ANSWER_ROOM - PROMPT_ROOM - maxRounds * ROUND_ROOM) * 0.85)
}
/** More runs than this are analysed in groups, whose rules are then consolidated. */
export const MAX_RUNS_PER_CONTEXT = 30
const GROUP_SIZE = 10
/** What an analysis in groups says about it (among its warnings; the CLI prints it as a plain note). */
export const groupsNote = (runs: number, groups: number) => `${runs} runs were analysed in ${groups} groups; their rules were consolidated.`

/** Groups of runs for the analysts: one when they fit, else small groups mixing good and bad. */
export function groupRuns<R extends RunForAnalysis>(list: R[], budget: number, opts: { mobile?: boolean } = {}): R[][] {
  const whole = fitRuns(list, budget, opts)
  if (!whole.overBudget && list.length <= MAX_RUNS_PER_CONTEXT) return [list]
  const groups = Math.ceil(list.length / GROUP_SIZE)
  const out: R[][] = Array.from({ length: groups }, () => [])
  list.forEach((r, i) => out[i % groups].push(r))
  return out
}
