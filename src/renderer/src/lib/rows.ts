/**
 * The trace viewer's rows: the timeline flattened (turn headers, events, and the events of expanded
 * sub-agents nested under their call) so one virtualized list renders any session.
 */
import type { SubagentTrace, ToolCallEvent, Trace, TraceEvent } from '@shared/trace'
import { spanMs, timeOf } from './format'

export type Row =
  | { key: string; type: 'turn'; turn: number; depth: number }
  | { key: string; type: 'event'; event: TraceEvent; depth: number; agentId?: string }
  | { key: string; type: 'subagent-start'; agentId: string; description?: string; agentType?: string; depth: number }
  | { key: string; type: 'subagent-end'; agentId: string; depth: number }

export interface RowFilter {
  /** show thinking blocks */
  thinking: boolean
  /** show meta/system/unknown rows */
  meta: boolean
  /** only tool calls whose result is an error (and prompts, for context) */
  errorsOnly: boolean
  /** text to find; events not containing it are hidden when `onlyMatches` */
  query: string
}

/** Claude Code's bookkeeping records (attachments, request logs...) are hidden until asked for. */
export const defaultFilter: RowFilter = { thinking: true, meta: false, errorsOnly: false, query: '' }

const QUIET = new Set(['meta', 'system', 'unknown', 'summary'])

export const isError = (e: TraceEvent) =>
  (e.kind === 'tool_call' && !!e.result?.isError) || (e.kind === 'tool_result' && e.result.isError) || e.kind === 'malformed'

/** The text of an event that search looks in. */
export function eventText(e: TraceEvent): string {
  switch (e.kind) {
    case 'user':
    case 'assistant':
    case 'thinking':
    case 'summary':
    case 'system':
      return e.text
    case 'tool_call':
      return `${e.name} ${JSON.stringify(e.input ?? '')} ${e.result?.text ?? ''}`
    case 'tool_result':
      return e.result.text
    case 'compaction':
      return e.summary ?? ''
    case 'malformed':
      return e.text
    default:
      return JSON.stringify(e.raw ?? '')
  }
}

function keep(e: TraceEvent, f: RowFilter): boolean {
  if (e.kind === 'thinking' && !f.thinking) return false
  if (QUIET.has(e.kind) && !f.meta) return false
  if (f.errorsOnly && !(isError(e) || (e.kind === 'user' && !e.isMeta))) return false
  return true
}

export function flattenRows(trace: Trace, expanded: ReadonlySet<string>, filter: RowFilter = defaultFilter): Row[] {
  const subs = new Map<string, SubagentTrace>(trace.subagents.map((s) => [s.agentId, s]))
  const rows: Row[] = []
  const walk = (events: TraceEvent[], depth: number, agentId: string | undefined, seen: Set<string>) => {
    let turn = -1
    for (const [i, e] of events.entries()) {
      if (depth === 0 && e.turn !== turn && e.turn > 0) {
        turn = e.turn
        rows.push({ key: `turn-${turn}`, type: 'turn', turn, depth })
      }
      const call = e.kind === 'tool_call' ? (e as ToolCallEvent) : null
      const sub = call?.subagentId ? subs.get(call.subagentId) : undefined
      const subHasErrors = !!sub && sub.events.some(isError)
      if (keep(e, filter) || (filter.errorsOnly && subHasErrors))
        rows.push({ key: `${agentId ?? 'main'}-${i}-${e.line}`, type: 'event', event: e, depth, agentId })
      if (sub && expanded.has(sub.agentId) && !seen.has(sub.agentId)) {
        const next = new Set(seen).add(sub.agentId)
        rows.push({
          key: `start-${sub.agentId}`,
          type: 'subagent-start',
          agentId: sub.agentId,
          description: sub.description,
          agentType: sub.agentType,
          depth: depth + 1
        })
        walk(sub.events, depth + 1, sub.agentId, next)
        rows.push({ key: `end-${sub.agentId}`, type: 'subagent-end', agentId: sub.agentId, depth: depth + 1 })
      }
    }
  }
  walk(trace.events, 0, undefined, new Set())
  return rows
}

/** Indexes of rows whose event matches a query (case-insensitive). */
export function matchingRows(rows: Row[], query: string): number[] {
  const q = query.trim().toLowerCase()
  if (!q) return []
  const out: number[] = []
  rows.forEach((r, i) => {
    if (r.type === 'event' && eventText(r.event).toLowerCase().includes(q)) out.push(i)
  })
  return out
}

/** The next row index after `from` that satisfies `pred`, wrapping around; -1 if none. */
export function nextIndex(rows: Row[], from: number, pred: (r: Row) => boolean): number {
  for (let k = 1; k <= rows.length; k++) {
    const i = (from + k) % rows.length
    if (pred(rows[i])) return i
  }
  return -1
}

/** The one argument that says what a tool call did. */
export function keyArgument(name: string, input: unknown): string {
  if (!input || typeof input !== 'object') return ''
  const o = input as Record<string, unknown>
  for (const k of ['file_path', 'command', 'pattern', 'path', 'url', 'description', 'query', 'prompt', 'notebook_path']) {
    if (typeof o[k] === 'string' && o[k]) return String(o[k])
  }
  void name
  const first = Object.values(o).find((v) => typeof v === 'string')
  return typeof first === 'string' ? first : ''
}

/** Totals the trace header shows. */
export function traceStats(trace: Trace) {
  let toolCalls = 0
  let errors = 0
  let turns = 0
  const count = (events: TraceEvent[]) => {
    for (const e of events) {
      if (e.kind === 'tool_call') toolCalls++
      if (isError(e) && e.kind !== 'malformed') errors++
      turns = Math.max(turns, e.turn)
    }
  }
  count(trace.events)
  const mainTurns = turns
  trace.subagents.forEach((s) => count(s.events))
  // a record with a bad time is left out, so it cannot spoil the start or the duration
  const ts = trace.events.map((e) => e.ts).filter((t): t is string => timeOf(t) !== null)
  const start = ts[0]
  const end = ts[ts.length - 1]
  const tokens = trace.usage.input + trace.usage.output + trace.usage.cacheRead + trace.usage.cacheCreation
  return { toolCalls, errors, turns: mainTurns, start, end, durationMs: spanMs(start, end) ?? 0, tokens }
}
