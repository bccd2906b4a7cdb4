/**
 * `trace <id>` in words: the conversation as a person reads it. Each turn, the user's prompt, the
 * assistant's text, each tool call with its one telling argument and the first lines of its result
 * (errors marked), and a sub-agent's conversation indented under the call that started it. Every line
 * begins with a label of ours (`user:`, `tool Bash:`, `| ` for a continued text), and all of it is
 * inert, so nothing from the session can print a line of its own. `--json` has every event whole.
 */
import type { SubagentTrace, ToolResult, Trace, TraceEvent } from '../../shared/trace'
import { inline } from './inert'

/** Lines of a text block at most; the rest is counted. */
const TEXT_LINES = 20
/** Lines of a tool's result at most. */
const RESULT_LINES = 3
/** Characters of one printed line at most. */
const WIDTH = 200

/** The one argument that says what a tool call did (a file, a command, a pattern...). */
export function keyArgument(input: unknown): string {
  if (!input || typeof input !== 'object') return typeof input === 'string' ? input : ''
  const o = input as Record<string, unknown>
  for (const k of ['file_path', 'command', 'pattern', 'path', 'url', 'description', 'query', 'prompt', 'notebook_path', 'skill']) {
    if (typeof o[k] === 'string' && o[k]) return o[k] as string
  }
  const first = Object.values(o).find((v) => typeof v === 'string')
  return typeof first === 'string' ? first : ''
}

const pad = (depth: number) => '  '.repeat(depth)

/** A text block under its label: its first line beside it, the next ones as `| …`, at most `max`. */
function block(depth: number, label: string, text: string, max = TEXT_LINES): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => inline(l, WIDTH))
  while (lines.length && !lines[lines.length - 1]) lines.pop()
  while (lines.length && !lines[0]) lines.shift()
  if (!lines.length) return [`${pad(depth)}${label}`.trimEnd()]
  const shown = lines.slice(0, max)
  const more = lines.length - shown.length
  return [
    `${pad(depth)}${label} ${shown[0]}`.trimEnd(),
    ...shown.slice(1).map((l) => `${pad(depth)}| ${l}`.trimEnd()),
    ...(more ? [`${pad(depth)}| … ${more} more line${more === 1 ? '' : 's'} (--json has them all)`] : [])
  ]
}

const resultLines = (depth: number, r: ToolResult | undefined): string[] =>
  !r
    ? [`${pad(depth)}(no result)`]
    : block(
        depth,
        r.isError ? 'ERROR:' : 'ok:',
        r.text || (r.images.length ? `(${r.images.length} image${r.images.length === 1 ? '' : 's'})` : '(empty)'),
        RESULT_LINES
      )

function eventsText(events: TraceEvent[], subagents: SubagentTrace[], depth: number, shown: Set<string>, main: boolean): string[] {
  const out: string[] = []
  let turn = -1
  for (const e of events) {
    switch (e.kind) {
      case 'user': {
        if (e.isMeta) break
        // a real prompt starts a turn; anything else the user side holds is context Claude Code added
        if (main && e.turn !== turn) {
          turn = e.turn
          if (out.length) out.push('')
          out.push(`${pad(depth)}--- prompt ${e.turn} ---`)
          out.push(...block(depth, 'user:', e.text))
        } else if (!main && out.length === 0) out.push(...block(depth, 'user:', e.text))
        else out.push(...block(depth, 'context:', e.text, 1))
        if (e.images.length) out.push(`${pad(depth)}| (${e.images.length} image${e.images.length === 1 ? '' : 's'})`)
        break
      }
      case 'assistant':
        if (e.text.trim()) out.push(...block(depth, 'assistant:', e.text))
        break
      case 'thinking':
        out.push(`${pad(depth)}thinking: ${e.redacted ? '(redacted)' : inline(e.text, 120)}`)
        break
      case 'tool_call': {
        out.push(`${pad(depth)}tool ${inline(e.name, 80)}: ${inline(keyArgument(e.input), 160)}`.trimEnd())
        const sub = e.subagentId ? subagents.find((s) => s.agentId === e.subagentId) : subagents.find((s) => s.parentToolUseId === e.id)
        if (sub && !shown.has(sub.agentId)) {
          shown.add(sub.agentId)
          out.push(...subagentText(sub, subagents, depth + 1, shown))
        }
        out.push(...resultLines(depth + 1, e.result))
        break
      }
      case 'tool_result':
        out.push(`${pad(depth)}result of a call not in the trace:`, ...resultLines(depth + 1, e.result))
        break
      case 'compaction':
        out.push(`${pad(depth)}(context compacted${e.preTokens ? ` at ${e.preTokens.toLocaleString('en-US')} tokens` : ''})`)
        break
      case 'system':
        if (e.level === 'error' || e.level === 'warning')
          out.push(...block(depth, `system ${e.level === 'error' ? 'ERROR' : 'warning'}:`, e.text, 3))
        break
      case 'malformed':
        out.push(`${pad(depth)}ERROR: line ${e.line} is not JSON (${inline(e.error, 120)})`)
        break
      default:
        // Claude Code's bookkeeping (meta), summaries and records it does not know: --json has them
        break
    }
  }
  return out
}

function subagentText(s: SubagentTrace, all: SubagentTrace[], depth: number, shown: Set<string>): string[] {
  const what = [s.agentType, s.description].filter(Boolean).map((x) => inline(x!, 120))
  return [
    `${pad(depth)}sub-agent ${inline(s.agentId, 80)}${what.length ? ` (${what.join(': ')})` : ''}:`,
    ...eventsText(s.events, all, depth + 1, shown, false)
  ]
}

export function traceText(trace: Trace): string {
  const t = trace.totals
  const n = (x: number) => x.toLocaleString('en-US')
  const head = [
    `session ${inline(trace.sessionId)}${trace.cwd ? ` in ${inline(trace.cwd, 300)}` : ''}${trace.fromArchive ? ' (from the archive)' : ''}`,
    `${n(t.turns)} turn${t.turns === 1 ? '' : 's'}, ${n(t.toolCalls)} tool call${t.toolCalls === 1 ? '' : 's'} (${n(t.toolErrors)} error${t.toolErrors === 1 ? '' : 's'}), ${n(t.tokens)} tokens, $${t.costUsd.toFixed(4)}${t.costSource === 'estimated' ? ' (estimated)' : ''}${trace.models.length ? `, ${trace.models.map((m) => inline(m, 60)).join(', ')}` : ''}${trace.subagents.length ? `, ${trace.subagents.length} sub-agent${trace.subagents.length === 1 ? '' : 's'}` : ''}`
  ]
  const shown = new Set<string>()
  const body = eventsText(trace.events, trace.subagents, 0, shown, true)
  const rest = trace.subagents.filter((s) => !shown.has(s.agentId))
  const tail = rest.length
    ? ['', 'sub-agents no call above started:', ...rest.flatMap((s) => subagentText(s, trace.subagents, 1, shown))]
    : []
  return [...head, '', ...(body.length ? body : ['(no conversation in this session)']), ...tail].join('\n')
}
