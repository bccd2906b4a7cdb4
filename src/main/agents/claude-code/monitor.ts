/**
 * Reading a run of `claude -p`: its live stream-json folded into progress, and why it ended.
 */
import { messageCostUsd, type PricedUsage } from '../../../shared/models'
import { isReportedCost, sessionCost, totalTokens } from '../../../shared/numbers'
import type { RunProgress } from '../../../shared/runs'
import type { AgentExit } from '../driver'
import { SYNTHETIC_MODEL, usageOf } from '../../traces/records'
import { parseLine, type ClaudeMessage } from './stream'

/** The final `result` line of a stream. */
export interface StreamResult {
  subtype: string
  isError: boolean
  result?: string
  numTurns?: number
  costUsd?: number
}

/**
 * Folds stream-json lines into live progress, by the definitions of src/shared/numbers.ts: turns are
 * the main conversation's messages, tool calls, tokens and cost include sub-agents' (the stream
 * carries them with a parent_tool_use_id). The cost is estimated from tokens at the same list prices
 * as a trace's (the stream has each message before its final output count, so it runs a little
 * low) until a result line brings Claude Code's own figure. When the run ends, the runner replaces
 * all of it with the numbers of the run's trace.
 */
export class StreamTracker {
  readonly progress: RunProgress = { turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, costSource: 'estimated', elapsedMs: 0 }
  result: StreamResult | null = null
  sessionId: string | undefined
  private readonly usage = new Map<string, { usage: PricedUsage; model: string }>()
  private readonly turnIds = new Set<string>()
  private readonly callIds = new Set<string>()
  private anon = 0
  /** Claude Code's cost from the last result line, unless messages came after it */
  private reported: number | undefined

  /** One line of stream-json (see StreamReader for a byte stream). */
  line(text: string): void {
    const p = parseLine(text)
    if (p.kind === 'message') this.message(p.message)
  }

  /** One typed message of the stream. */
  message(m: ClaudeMessage): void {
    if (m.type === 'system' && m.subtype === 'init') this.sessionId = m.session_id
    if (m.type === 'assistant' && m.message.model !== SYNTHETIC_MODEL) {
      const id = m.message.id ?? `#anon-${this.anon++}`
      if (!m.parent_tool_use_id) {
        this.turnIds.add(id)
        this.progress.turns = this.turnIds.size
      }
      for (const b of m.message.content) {
        if (b.type === 'tool_use' || b.type === 'server_tool_use') {
          this.callIds.add(b.id ?? `#call-${this.callIds.size}`)
          this.progress.toolCalls = this.callIds.size
          if (!m.parent_tool_use_id) this.progress.currentTool = String(b.name)
        }
      }
      const u = usageOf(m.message.usage)?.usage
      const prev = this.usage.get(id)
      if (u && !(prev && prev.usage.output > u.output)) this.usage.set(id, { usage: u, model: m.message.model ?? prev?.model ?? '' })
      this.reported = undefined
      this.total()
    }
    if (m.type === 'user' && !m.parent_tool_use_id) this.progress.currentTool = undefined
    if (m.type === 'result') {
      const cost = isReportedCost(m.total_cost_usd) ? m.total_cost_usd : undefined
      this.result = { subtype: m.subtype, isError: !!m.is_error, result: m.result, numTurns: m.num_turns, costUsd: cost }
      if (cost !== undefined) this.reported = cost
      this.progress.currentTool = undefined
      this.total()
    }
  }

  private total(): void {
    let tokens = 0
    let usd = 0
    for (const { usage, model } of this.usage.values()) {
      tokens += totalTokens(usage)
      usd += messageCostUsd(model, usage)
    }
    this.progress.tokens = tokens
    Object.assign(this.progress, sessionCost(this.reported, usd))
  }
}

/** Why a run ended, in one line. */
export function explain(o: AgentExit & { result: StreamResult | null }): { ok: boolean; reason?: string } {
  if (o.cancelled) return { ok: false, reason: 'cancelled' }
  if (o.timedOutMs) return { ok: false, reason: `timed out after ${Math.round(o.timedOutMs / 1000)} s` }
  const lastErr = o.stderr.trim().split('\n').filter(Boolean).pop()?.slice(0, 300)
  // claude refused to start without its sandbox (failIfUnavailable): say so, not "error during execution"
  const noSandbox = o.stderr.match(/sandbox required but unavailable:\s*([^\n]*)/i)
  if (noSandbox) return { ok: false, reason: `Claude Code could not start its sandbox: ${noSandbox[1].trim().slice(0, 300)}` }
  const r = o.result
  if (r) {
    if (r.subtype === 'success' && !r.isError) return { ok: true }
    if (r.subtype === 'error_max_turns') return { ok: false, reason: `hit the turn limit (${o.settings.maxTurns} turns)` }
    if (/budget/i.test(r.subtype)) return { ok: false, reason: `hit the spending cap ($${o.settings.maxBudgetUsd})` }
    const text = (r.result ?? '').trim().split('\n')[0]
    if (/api key|authenticat|401|login/i.test(text + (lastErr ?? '')))
      return { ok: false, reason: `authentication failed: ${text || lastErr}` }
    return { ok: false, reason: `${r.subtype.replace(/_/g, ' ')}${text ? `: ${text.slice(0, 200)}` : ''}` }
  }
  if (o.code !== 0) {
    if (lastErr && /api key|authenticat|401|login/i.test(lastErr)) return { ok: false, reason: `authentication failed: ${lastErr}` }
    return { ok: false, reason: `claude exited with ${o.code ?? o.signal}${lastErr ? `: ${lastErr}` : ''}` }
  }
  return { ok: false, reason: 'the stream stopped before a result' }
}
