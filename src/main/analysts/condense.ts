/**
 * What the analysts read of each run, as text at given limits (cuts.ts): its header and signals, every
 * step (the agent's words, tool inputs and results, sub-agent transcripts in full or summarized), its
 * final answer, the final content of every file it left (what the person graded), and its screenshots
 * as planned. fit.ts fits the runs to the model's window with it. Pure; Electron-free.
 */
import type { RunMetrics } from '../../shared/signals'
import type { SubagentTrace, Trace, TraceEvent } from '../../shared/trace'
import type { OutputEvidence, ShotEvidence } from './evidence'
import { fitSize, imageTokens, partCount, partHeight } from './image-size'
import type { Limits } from './cuts'

export interface RunForAnalysis {
  number: number
  difficulty?: string
  prompt: string
  label: 'good' | 'bad' | null
  feedback: string
  state: string
  /** why it failed, was cancelled or interrupted (the run's one line) */
  reason?: string
  result?: string
  trace: Trace | null
  metrics: RunMetrics | null
  /** the files the run left (RunEvidence); none when not loaded */
  outputs?: OutputEvidence[]
  shots?: ShotEvidence[]
}

/** Rough token count: about four characters per token for English and code. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4)

export const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim()
const n = (x: number) => x.toLocaleString('en-US')

/** A text cut to `max` characters, keeping its head and tail (newlines kept). */
export function headTail(text: string, max: number): { text: string; cut: number } {
  const t = text.trim()
  if (t.length <= max) return { text: t, cut: 0 }
  const head = Math.ceil(max * 0.6)
  const tail = max - head
  return { text: `${t.slice(0, head)} […${t.length - max} chars…] ${t.slice(t.length - tail)}`, cut: t.length - max }
}

const KEY_ARGS = [
  'file_path',
  'path',
  'pattern',
  'glob',
  'command',
  'description',
  'url',
  'query',
  'subagent_type',
  'prompt',
  'old_string',
  'new_string',
  'content'
]

/** The arguments that say what a call did, on one line: file paths, commands, patterns; long text cut (sub-agent summaries, live lines). */
export function keyArgs(input: unknown, max: number): string {
  if (!input || typeof input !== 'object') return ''
  const o = input as Record<string, unknown>
  const parts: string[] = []
  for (const k of KEY_ARGS) {
    if (!(k in o)) continue
    const v = o[k]
    const s = typeof v === 'string' ? v : JSON.stringify(v)
    const limit = k === 'content' || k === 'old_string' || k === 'new_string' || k === 'prompt' ? Math.min(max, 80) : max
    parts.push(`${k}=${JSON.stringify(oneLine(headTail(s, limit).text))}${k === 'content' ? ` (${s.length} chars)` : ''}`)
  }
  if (!parts.length) parts.push(oneLine(headTail(JSON.stringify(o) ?? '', max).text))
  return parts.join(', ')
}

/**
 * How a screenshot will be shown (image-size.ts, as images.ts makes it): a tall page in parts (part 0
 * is the top, what a person sees first), scaled down (never up) to the API's long edge and `maxTokens`.
 */
export function planImage(width: number, height: number, maxTokens: number, part = 0) {
  const ph = partHeight(width)
  const top = part * ph
  const h = Math.max(1, Math.min(height, top + ph) - top)
  const size = fitSize(width, h, maxTokens)
  return { ...size, tokens: imageTokens(size.width, size.height), parts: partCount(width, height), top, bottom: top + h }
}

/** A screenshot the shared context shows, as planned (the image itself is made when the analysis starts). */
export interface PlannedShot {
  run: number
  label: 'desktop' | 'mobile'
  file: string
  maxTokens: number
  tokens: number
  /** one line for the model and for people */
  note: string
}

export interface FittedRun {
  number: number
  text: string
  tokens: number
  shots: PlannedShot[]
  stepsOmitted: number
}

type Step = { text: string; error: boolean }

/** The lines of a list of events at the given limits; sub-agents inline (full) or summarized. Shared with the drill-down's trace reader. */
export function renderEvents(events: TraceEvent[], subagents: SubagentTrace[], L: Limits, prefix = 'L'): Step[] {
  const steps: Step[] = []
  const subs = new Map(subagents.map((s) => [s.parentToolUseId ?? s.agentId, s]))
  const cut = (s: string, max: number) => headTail(s, max).text
  const indent = (s: string, pad: string) => s.replace(/\n/g, `\n${pad}`)
  const tag = (line: number) => `[${prefix}${line}]`
  const inputText = (input: unknown): string => {
    if (input === undefined || input === null) return ''
    const cutStrings = (v: unknown): unknown =>
      typeof v === 'string'
        ? cut(v, L.input)
        : Array.isArray(v)
          ? v.map(cutStrings)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x)]))
            : v
    return JSON.stringify(cutStrings(input)) ?? ''
  }
  for (const e of events) {
    if (e.kind === 'assistant' && e.text.trim())
      steps.push({ text: `${tag(e.line)} assistant: ${indent(cut(e.text, L.assistant), '  ')}`, error: false })
    else if (e.kind === 'thinking' && e.text.trim() && !e.redacted)
      steps.push({ text: `${tag(e.line)} thinking: ${indent(cut(e.text, L.thinking), '  ')}`, error: false })
    else if (e.kind === 'user' && !e.isMeta && e.text.trim() && e.turn > 1)
      steps.push({ text: `${tag(e.line)} user: ${indent(cut(e.text, L.assistant), '  ')}`, error: false })
    else if (e.kind === 'tool_call') {
      const r = e.result
      const outcome = !r ? 'no result' : r.isError ? `ERROR: ${cut(r.text, L.error)}` : `ok: ${cut(r.text, L.result)}`
      const lines = [`${tag(e.line)} ${e.name} ${indent(inputText(e.input), '    ')}`, `    -> ${indent(outcome, '    ')}`]
      const sub = subs.get(e.id) ?? (e.subagentId ? subs.get(e.subagentId) : undefined)
      if (sub) {
        if (L.subagents === 'full') {
          lines.push(
            `    [sub-agent ${sub.agentId}${sub.description ? ` "${oneLine(sub.description)}"` : ''}: its transcript follows; its lines are in its own file]`
          )
          for (const s of renderEvents(sub.events, [], L, `${sub.agentId} L`)) lines.push(`    ${indent(s.text, '    ')}`)
          lines.push(`    [end of sub-agent ${sub.agentId}]`)
        } else {
          const calls = sub.events.filter((x) => x.kind === 'tool_call') as Extract<TraceEvent, { kind: 'tool_call' }>[]
          const errors = calls.filter((c) => c.result?.isError)
          const last = [...sub.events].reverse().find((x) => x.kind === 'assistant' && x.text.trim()) as
            Extract<TraceEvent, { kind: 'assistant' }> | undefined
          lines.push(
            `    [sub-agent ${sub.agentId}${sub.description ? ` "${oneLine(sub.description)}"` : ''}: ${calls.length} tool calls (${[...new Set(calls.map((c) => c.name))].join(', ') || 'none'}), ${errors.length} errors${errors.length ? `: ${errors.map((c) => `${c.name}: ${oneLine(cut(c.result?.text ?? '', 160))}`).join('; ')}` : ''}${last ? `; ended: ${oneLine(cut(last.text, Math.max(100, L.assistant / 2)))}` : ''}]`
          )
        }
      }
      steps.push({ text: lines.join('\n'), error: !!r?.isError || lines.some((l) => l.includes('-> ERROR:')) })
    } else if (e.kind === 'tool_result' && e.result.isError)
      steps.push({ text: `${tag(e.line)} (orphan result) ERROR: ${cut(e.result.text, L.error)}`, error: true })
    else if (e.kind === 'compaction') steps.push({ text: `${tag(e.line)} (context compacted)`, error: false })
    else if (e.kind === 'system' && e.level === 'error')
      steps.push({ text: `${tag(e.line)} system error: ${cut(e.text, L.error)}`, error: true })
  }
  return steps
}

function shotsOf(run: RunForAnalysis, L: Limits): PlannedShot[] {
  if (!L.shotTokens) return []
  const shown = (run.shots ?? []).filter((s) => s.label === 'desktop' || L.mobile)
  // the budget is per run: several pages share it
  const each = Math.max(100, Math.floor(L.shotTokens / Math.max(1, shown.length)))
  return shown.map((s) => {
    const p = planImage(s.width, s.height, each)
    return {
      run: run.number,
      label: s.label,
      file: s.file,
      maxTokens: each,
      tokens: p.tokens,
      note: `Run ${run.number}, ${s.label} screenshot of ${s.html}: ${p.parts > 1 ? `the top ${n(p.bottom)} px of ${n(s.height)} (part 1 of ${p.parts})` : `the whole page (${n(s.height)} px)`}, shown at ${n(p.width)}×${n(p.height)}`
    }
  })
}

/** One run at the given limits: its header, its steps, its final answer, its files; and its screenshots as planned. */
export function renderRun(run: RunForAnalysis, L: Limits): FittedRun {
  const head = [
    `=== Run ${run.number}${run.difficulty ? ` (${run.difficulty})` : ''}: ${run.label ? `graded ${run.label}` : 'not graded'}${run.feedback ? ` - ${JSON.stringify(run.feedback)}` : ''}`,
    `Prompt: ${headTail(run.prompt, 4000).text}`,
    run.state !== 'done' ? `Run state: ${run.state}${run.reason ? ` (${oneLine(run.reason).slice(0, 300)})` : ''}` : null,
    run.metrics
      ? `Signals: ${run.metrics.turns} turns, ${run.metrics.toolCalls} tool calls, ${run.metrics.toolErrors} tool errors${run.metrics.errors.length ? ` (${[...new Set(run.metrics.errors.map((e) => e.kind))].join(', ')})` : ''}, ${Math.round(run.metrics.durationMs / 1000)} s session time, ${run.metrics.tokens} tokens`
      : null
  ].filter(Boolean) as string[]
  const steps = run.trace
    ? renderEvents(run.trace.events, run.trace.subagents, L)
    : [{ text: '(no trace: the run left no readable session)', error: false }]
  let stepsOmitted = 0
  let body = steps.map((s) => s.text)
  if (steps.length > L.maxSteps) {
    // Keep the start and the end, where runs set out and where they land; errors in between stay.
    const keepHead = Math.ceil(L.maxSteps / 2)
    const keepTail = L.maxSteps - keepHead
    const middle = steps.slice(keepHead, steps.length - keepTail)
    const errors = middle.filter((s) => s.error)
    stepsOmitted = middle.length - errors.length
    body = [
      ...steps.slice(0, keepHead).map((s) => s.text),
      `[… ${stepsOmitted} steps without errors left out: read them with read_trace …]`,
      ...errors.map((s) => s.text),
      ...steps.slice(steps.length - keepTail).map((s) => s.text)
    ]
  }
  const answer = run.result ? [`Final answer: ${headTail(run.result, L.assistant).text}`] : []
  const outputs = run.outputs ?? []
  const files = outputs.length
    ? [
        `Files the run left (their final content: what the person graded):`,
        ...outputs.map((f) => {
          const what = `--- ${f.path} (${f.status}, ${n(f.bytes)} bytes`
          if (f.status === 'deleted') return `${what}) ---`
          if (f.binary || f.text === undefined) return `${what}, ${f.binary ? 'binary' : 'not readable'}: not shown) ---`
          const t = headTail(f.text, L.output)
          const more = f.truncated ? `, only the first ${n(f.text.length)} characters read` : ''
          return `${what}${t.cut ? `, cut to head and tail` : ''}${more}) ---\n${t.text}\n--- end of ${f.path} ---`
        })
      ]
    : []
  const shots = shotsOf(run, L)
  const text = [...head, ...body, ...answer, ...files].join('\n')
  return { number: run.number, text, tokens: estimateTokens(text), shots, stepsOmitted }
}
