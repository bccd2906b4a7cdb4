/**
 * What an analysis will cost, before it runs: from the size of the prompt the analysts will read
 * (built exactly as for the real run, without calling a model), the chosen models' prices
 * (src/shared/models.ts, cache rates included), prompt caching, an allowance for the answers, and
 * the merge. Each request is priced on its own (a long-prompt rate depends on one request's size).
 * Pure; Electron-free.
 *
 * Per group of runs (one group unless the runs are analysed in groups):
 * - API: the first analyst writes the shared prefix to the cache (the model's cache-write price,
 *   1.25x input for most), the other three read it (its cache-read price, 0.1x input for most); each
 *   analyst's own instructions are plain input; each answers about OUTPUT_ALLOWANCE tokens.
 * - claude -p: Claude Code caches each analyst's prompt as one block, so each of the four writes its
 *   own (prefix and instructions at the cache-write price); the answers as above.
 * The merge reads the analysts' answers (about their output allowance) plus MERGE_PROMPT_OVERHEAD and
 * answers about OUTPUT_ALLOWANCE; with several groups, each group's rules are merged first, then the
 * groups' results together. The support check (support.ts) is at most one call per graded run with the
 * check model: the shared prefix (cached as the analysts' is) and the run's capped evidence.
 */
import type { AnalysisEstimate } from '../../shared/analysis'
import type { Usage } from '../../shared/trace'
import { costUsd, isPriced } from '../traces/pricing'

/** Tokens one analyst's answer is expected to take (its cap is 16k; answers are usually far shorter). */
export const OUTPUT_ALLOWANCE = 3000
/** Tokens of the merge prompt besides the rules: the task, the instructions, the tool. */
export const MERGE_PROMPT_OVERHEAD = 1000
/** Drill-down rounds an analyst is expected to use (it may use up to DEFAULT_MAX_ROUNDS). */
export const EXPECTED_ROUNDS = 3
/** Tokens one drill-down round is expected to add: the trace range, file or screenshot it read. */
export const TOKENS_PER_ROUND = 6000
/** Tokens of the model's calls in one round (the tool calls themselves). */
const ROUND_OUTPUT = 300
const ANALYSTS = 4

export interface EstimateInput {
  model: string
  mergeModel: string
  via: 'api' | 'claude-cli'
  /** per group of runs: tokens of the prefix every analyst reads (system, tool, shared context) */
  groups: { promptTokens: number }[]
  /** tokens of one analyst's own instructions (after the cache marker) */
  instructionTokens: number
  outputAllowance?: number
  /** drill-down rounds each analyst is expected to use, and the tokens each adds */
  rounds?: { expected: number; tokensPerRound: number }
  /**
   * the support check after the merge: at most one call per graded run with its model; each reads the
   * shared prefix (the task and the rules: cached) and that run's evidence (`runTokens`, capped)
   */
  support?: { model: string; prefixTokens: number; runTokens: number[]; outputAllowance: number }
}

const zero = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 })
const add = (a: Usage, b: Partial<Usage>) => {
  for (const k of Object.keys(a) as (keyof Usage)[]) a[k] += b[k] ?? 0
}

export function estimateAnalysisCost(
  i: EstimateInput
): Pick<AnalysisEstimate, 'analysts' | 'merge' | 'support' | 'usd' | 'basis' | 'outputAllowance'> {
  const out = i.outputAllowance ?? OUTPUT_ALLOWANCE
  // every request, priced one by one
  const analystCalls: Partial<Usage>[] = []
  const rounds = i.rounds?.expected ?? 0
  const perRound = i.rounds?.tokensPerRound ?? 0
  for (const g of i.groups) {
    for (let k = 0; k < ANALYSTS; k++) {
      // the first request: the shared prefix written to the cache (the first analyst) or read from it
      const firstOut = rounds ? ROUND_OUTPUT : out
      if (i.via === 'api')
        analystCalls.push(
          k === 0
            ? { cacheCreation: g.promptTokens, input: i.instructionTokens, output: firstOut }
            : { cacheRead: g.promptTokens, input: i.instructionTokens, output: firstOut }
        )
      else analystCalls.push({ cacheCreation: g.promptTokens + i.instructionTokens, output: firstOut })
      // each round of looking closer: the conversation so far read from the cache, the new results written to it
      for (let r = 1; r <= rounds; r++)
        analystCalls.push({
          cacheRead: g.promptTokens + i.instructionTokens + (r - 1) * (perRound + ROUND_OUTPUT),
          cacheCreation: perRound + ROUND_OUTPUT,
          output: r === rounds ? out : ROUND_OUTPUT
        })
    }
  }
  const mergeCalls: Partial<Usage>[] = []
  const mergeOnce = (answersIn: number) => mergeCalls.push({ input: answersIn * out + MERGE_PROMPT_OVERHEAD, output: out })
  if (i.groups.length > 1) {
    for (let g = 0; g < i.groups.length; g++) mergeOnce(ANALYSTS)
    mergeOnce(i.groups.length)
  } else mergeOnce(ANALYSTS)

  const part = (model: string, calls: Partial<Usage>[]) => {
    const usage = zero()
    let usd = 0
    for (const c of calls) {
      const u = { ...zero(), ...c }
      add(usage, u)
      usd += costUsd(model, u)
    }
    return { ...usage, usd: isPriced(model) ? usd : null }
  }
  const analysts = part(i.model, analystCalls)
  const merge = part(i.mergeModel, mergeCalls)
  // the support check: the first call writes the prefix to the cache, the others read it (API); through
  // claude -p each call caches its own prompt
  const sc = i.support
  const support = sc
    ? {
        ...part(
          sc.model,
          sc.runTokens.map((t, k) =>
            i.via === 'api'
              ? { [k === 0 ? 'cacheCreation' : 'cacheRead']: sc.prefixTokens, input: t, output: sc.outputAllowance }
              : { cacheCreation: sc.prefixTokens + t, output: sc.outputAllowance }
          )
        ),
        model: sc.model,
        calls: sc.runTokens.length
      }
    : undefined
  const unpriced = [
    ...new Set(
      [analysts.usd === null ? i.model : null, merge.usd === null ? i.mergeModel : null, support?.usd === null ? sc!.model : null].filter(
        (x): x is string => !!x
      )
    )
  ]
  const each = `${rounds ? `${rounds} rounds of looking closer (about ${perRound.toLocaleString('en-US')} tokens each), ` : ''}about ${out.toLocaleString('en-US')} tokens out each, plus the merge${support ? ` and the support check (at most ${support.calls} calls to ${support.model}, one per cited run)` : ''}`
  const how =
    i.via === 'api'
      ? `the first analyst writes the context to the prompt cache, the other three read it from there (at ${i.model}'s cache prices), ${each}`
      : `through claude -p each analyst caches its own prompt (at ${i.model}'s cache-write price; a subscription bills differently), ${each}`
  return {
    analysts,
    merge,
    ...(support ? { support } : {}),
    usd: analysts.usd === null || merge.usd === null || support?.usd === null ? null : analysts.usd + merge.usd + (support?.usd ?? 0),
    outputAllowance: out,
    basis: unpriced.length ? `no price known for ${unpriced.join(' or ')}: tokens only` : how
  }
}
