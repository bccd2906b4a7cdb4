/**
 * One truth for every number. What the app means by each number it shows about a session or a run;
 * the batch page, the review deck, the gallery, compare, the session browser, the trace header, the
 * CLI's JSON and the analysts' context all show these, computed by the parser (traces/parse.ts) and
 * the fast summary (traces/summary.ts, held to agree with the parser) with the functions here.
 *
 * - **Turn**: one response of the model in the session's main conversation: an assistant message,
 *   counted once per API message id (Claude Code writes one line per content block), leaving out
 *   Claude Code's own `<synthetic>` messages (errors, interruptions) and sub-agents' responses (those
 *   are the sub-agent's turns). This is what `claude --max-turns` limits and what the `num_turns` of
 *   `claude -p`'s result lines add up to. A message a person typed is a *prompt*, not a turn.
 * - **Tool call**: every tool_use (and server_tool_use) block the model wrote, in the main
 *   conversation and in every sub-agent: the Agent/Task call that starts a sub-agent is one, and each
 *   of the sub-agent's own calls is one more.
 * - **Tool error**: every tool result marked as an error, main conversation and sub-agents.
 * - **Tokens**: all that every API response of the session processed: input + output + cache writes +
 *   cache reads, each response counted once (its last line carries the final output count), main
 *   conversation and sub-agents.
 * - **Cost** (USD): Claude Code's own figure where it reported one: the `totalCostUSD` of the last
 *   `cost-state` record Claude Code writes into the session file when it stops (the same number as
 *   the `total_cost_usd` of `claude -p`'s result line), unless the conversation went on after it. It
 *   covers the main conversation, sub-agents and Claude Code's own side requests. Otherwise it is
 *   estimated from tokens: every response (main conversation and sub-agents) priced at its model's
 *   list prices in src/shared/models.ts (input, output, 5-minute and 1-hour cache writes, cache reads,
 *   a long-prompt rate where the model has one); a model the table cannot price adds 0.
 *   `costSource` says which: 'claude-code' or 'estimated'. Costs are rounded to a billionth of a
 *   dollar, so the same responses give the same number whatever order they are added in.
 *
 * While a run is going its batch row shows live numbers from the stream by the same definitions and
 * prices (an estimate: the stream carries each message before its final output count; once a result
 * line came, Claude Code's figure). When it ends (done, failed, cancelled, or interrupted at a
 * restart) its stored numbers are replaced by those of its trace, so every screen shows the same.
 * - **Duration** (of a run): wall time from the start of its `claude` to its exit (`progress.elapsedMs`),
 *   what the batch page shows; the deck, the gallery, compare and the verification report show the same.
 *   (A session added from the browser, not run by the app, has no such time: its session time stands in.)
 * - **Session time**: from a session's first record to its last. Shorter than the run's duration
 *   (claude's start-up and exit are outside it); it is what a session not run by the app has, named
 *   "session time" wherever it is shown (the session browser, the trace header), never "duration".
 */
import { z } from 'zod'
import type { Usage } from './trace'

export const COST_SOURCES = ['claude-code', 'estimated'] as const
export const CostSourceSchema = z.enum(COST_SOURCES)
export type CostSource = z.infer<typeof CostSourceSchema>

export const COST_SOURCE_LABEL: Record<CostSource, string> = {
  'claude-code': "Claude Code's figure",
  estimated: 'estimated from tokens at list prices'
}

/** The numbers of one session (or run), by the definitions above. */
export const NumbersSchema = z.object({
  turns: z.number(),
  toolCalls: z.number(),
  toolErrors: z.number(),
  tokens: z.number(),
  costUsd: z.number(),
  costSource: CostSourceSchema
})
export type Numbers = z.infer<typeof NumbersSchema>

/** A run's duration, the one figure every screen shows (see above). */
export const runDurationMs = (run: { progress: { elapsedMs: number } }): number => run.progress.elapsedMs

export const DURATION_TITLE = "the run's wall time, from the start of its claude to its exit"
export const SESSION_TIME_TITLE =
  "session time: from the session's first record to its last (a run's duration also counts claude's start-up and exit)"

export const totalTokens = (u: Usage): number => u.input + u.output + u.cacheRead + u.cacheCreation

/** A cost rounded to a billionth of a dollar (list prices have at most three decimals per million tokens). */
export const roundUsd = (usd: number): number => (Number.isFinite(usd) && usd > 0 ? Math.round(usd * 1e9) / 1e9 : 0)

/** A cost Claude Code could have written: a finite number from 0 to a million dollars. */
export const isReportedCost = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e6

/** The `totalCostUSD` of a `cost-state` record, if it is one with a plausible figure. */
export function reportedCostOf(rec: { type?: unknown; totalCostUSD?: unknown }): number | undefined {
  return rec.type === 'cost-state' && isReportedCost(rec.totalCostUSD) ? rec.totalCostUSD : undefined
}

/** A session's cost: Claude Code's figure when there is one, else the estimate from its tokens. */
export function sessionCost(reported: number | undefined, estimatedUsd: number): { costUsd: number; costSource: CostSource } {
  return isReportedCost(reported)
    ? { costUsd: roundUsd(reported), costSource: 'claude-code' }
    : { costUsd: roundUsd(estimatedUsd), costSource: 'estimated' }
}
