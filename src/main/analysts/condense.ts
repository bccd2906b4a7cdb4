/**
 * The condensed trace: what the analysts read of each run. It keeps the run's prompt, the
 * assistant's words, every tool call with its key arguments, results cut to head and tail, every
 * error, and sub-agent summaries; the per-run signals go in too. The whole context is fitted to a
 * token budget by cutting harder in steps; what was cut is reported. Electron-free and pure.
 */
import type { RunMetrics } from '../../shared/signals'
import type { Trace, TraceEvent } from '../../shared/trace'

export interface RunForAnalysis {
  number: number
  difficulty?: string
  prompt: string
  label: 'good' | 'bad' | null
  feedback: string
  state: string
  result?: string
  trace: Trace | null
  metrics: RunMetrics | null
}

/** How hard to cut: text and result limits in characters. Level 0 keeps the most. */
const LEVELS = [
  { assistant: 2000, result: 600, args: 300, errors: 1500 },
  { assistant: 900, result: 300, args: 200, errors: 800 },
  { assistant: 400, result: 160, args: 120, errors: 400 },
  { assistant: 200, result: 80, args: 80, errors: 240 }
]

/** Rough token count: about four characters per token for English and code. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4)

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim()

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

/** The arguments that say what a call did, short: file paths, commands, patterns; long text cut. */
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
  if (!parts.length) parts.push(oneLine(headTail(JSON.stringify(o), max).text))
  return parts.join(', ')
}

export interface CutReport {
  level: number
  /** characters of results, texts and arguments left out */
  charsCut: number
  /** steps left out of the middle of long runs (only when cutting harder was not enough) */
  stepsOmitted: number
  runsWithOmissions: number[]
}

function condenseRun(run: RunForAnalysis, level: number, maxSteps: number): { text: string; charsCut: number; stepsOmitted: number } {
  const L = LEVELS[level]
  let charsCut = 0
  const cut = (s: string, n: number) => {
    const r = headTail(s, n)
    charsCut += r.cut
    return oneLine(r.text)
  }
  const head = [
    `=== Run ${run.number}${run.difficulty ? ` (${run.difficulty})` : ''}: ${run.label ? `graded ${run.label}` : 'not graded'}${run.feedback ? ` - ${JSON.stringify(run.feedback)}` : ''}`,
    `Prompt: ${cut(run.prompt, 1500)}`,
    run.state !== 'done' ? `Run state: ${run.state}` : null,
    run.metrics
      ? `Signals: ${run.metrics.turns} turns, ${run.metrics.toolCalls} tool calls, ${run.metrics.toolErrors} tool errors${run.metrics.errors.length ? ` (${[...new Set(run.metrics.errors.map((e) => e.kind))].join(', ')})` : ''}, ${Math.round(run.metrics.durationMs / 1000)} s, ${run.metrics.tokens} tokens`
      : null
  ].filter(Boolean) as string[]
  const steps: string[] = []
  const subs = new Map((run.trace?.subagents ?? []).map((s) => [s.parentToolUseId ?? s.agentId, s]))
  const walk = (events: TraceEvent[], indent: string) => {
    for (const e of events) {
      if (e.kind === 'assistant' && e.text.trim()) steps.push(`${indent}[L${e.line}] assistant: ${cut(e.text, L.assistant)}`)
      else if (e.kind === 'tool_call') {
        const r = e.result
        const outcome = !r ? 'no result' : r.isError ? `ERROR: ${cut(r.text, L.errors)}` : `ok: ${cut(r.text, L.result)}`
        steps.push(`${indent}[L${e.line}] ${e.name}(${keyArgs(e.input, L.args)}) -> ${outcome}`)
        const sub = subs.get(e.id) ?? (e.subagentId ? subs.get(e.subagentId) : undefined)
        if (sub) {
          const calls = sub.events.filter((x) => x.kind === 'tool_call') as Extract<TraceEvent, { kind: 'tool_call' }>[]
          const errors = calls.filter((c) => c.result?.isError)
          const last = [...sub.events].reverse().find((x) => x.kind === 'assistant' && x.text.trim()) as
            Extract<TraceEvent, { kind: 'assistant' }> | undefined
          steps.push(
            `${indent}  [sub-agent${sub.description ? ` "${oneLine(sub.description)}"` : ''}: ${calls.length} tool calls (${[...new Set(calls.map((c) => c.name))].join(', ') || 'none'}), ${errors.length} errors${errors.length ? `: ${errors.map((c) => `${c.name}: ${cut(c.result?.text ?? '', 160)}`).join('; ')}` : ''}${last ? `; ended: ${cut(last.text, L.assistant / 2)}` : ''}]`
          )
        }
      } else if (e.kind === 'tool_result' && e.result.isError)
        steps.push(`${indent}[L${e.line}] (orphan result) ERROR: ${cut(e.result.text, L.errors)}`)
      else if (e.kind === 'compaction') steps.push(`${indent}[L${e.line}] (context compacted)`)
      else if (e.kind === 'system' && e.level === 'error') steps.push(`${indent}[L${e.line}] system error: ${cut(e.text, L.errors)}`)
    }
  }
  if (run.trace) walk(run.trace.events, '')
  else steps.push('(no trace: the run left no readable session)')
  let stepsOmitted = 0
  let body = steps
  if (steps.length > maxSteps) {
    // Keep the start and the end, where runs set out and where they land; errors in between stay.
    const keepHead = Math.ceil(maxSteps / 2)
    const keepTail = maxSteps - keepHead
    const middle = steps.slice(keepHead, steps.length - keepTail)
    const errors = middle.filter((s) => s.includes('-> ERROR:'))
    stepsOmitted = middle.length - errors.length
    body = [
      ...steps.slice(0, keepHead),
      `[… ${stepsOmitted} steps without errors left out …]`,
      ...errors,
      ...steps.slice(steps.length - keepTail)
    ]
  }
  const tail = run.result ? [`Final answer: ${cut(run.result, L.assistant)}`] : []
  return { text: [...head, ...body, ...tail].join('\n'), charsCut, stepsOmitted }
}

export interface Condensed {
  /** one block per run, in run order */
  blocks: { number: number; text: string; tokens: number }[]
  tokens: number
  report: CutReport
  /** true when even the hardest cut does not fit the budget */
  overBudget: boolean
}

/** The runs condensed to fit `budgetTokens`, cutting harder level by level, then leaving out middle steps. */
export function condenseRuns(runs: RunForAnalysis[], budgetTokens: number): Condensed {
  const attempt = (level: number, maxSteps: number) => {
    const out = runs.map((r) => ({ number: r.number, ...condenseRun(r, level, maxSteps) }))
    const blocks = out.map((o) => ({ number: o.number, text: o.text, tokens: estimateTokens(o.text) }))
    const tokens = blocks.reduce((n, b) => n + b.tokens, 0)
    const report: CutReport = {
      level,
      charsCut: out.reduce((n, o) => n + o.charsCut, 0),
      stepsOmitted: out.reduce((n, o) => n + o.stepsOmitted, 0),
      runsWithOmissions: out.filter((o) => o.stepsOmitted > 0).map((o) => o.number)
    }
    return { blocks, tokens, report, overBudget: tokens > budgetTokens }
  }
  let last: Condensed | null = null
  for (let level = 0; level < LEVELS.length; level++) {
    last = attempt(level, Number.MAX_SAFE_INTEGER)
    if (!last.overBudget) return last
  }
  for (const maxSteps of [200, 120, 60, 30]) {
    last = attempt(LEVELS.length - 1, maxSteps)
    if (!last.overBudget) return last
  }
  return last!
}

/** The shared context all four analysts read: task, every feedback line, every condensed run. */
export function sharedContext(
  task: { name: string; text: string },
  runs: RunForAnalysis[],
  condensed: Condensed,
  existingSkill?: string
): string {
  const feedback = runs.map((r) => `Run ${r.number}: ${r.label ?? 'ungraded'}${r.feedback ? ` - ${oneLine(r.feedback)}` : ''}`)
  const cutNote =
    condensed.report.level > 0 || condensed.report.stepsOmitted
      ? `\n(The traces were shortened to fit: ${condensed.report.charsCut} characters of long texts and results cut${condensed.report.stepsOmitted ? `, ${condensed.report.stepsOmitted} steps without errors left out of runs ${condensed.report.runsWithOmissions.join(', ')}` : ''}.)`
      : ''
  return [
    `# Task: ${task.name}`,
    task.text,
    existingSkill ? `# The existing SKILL.md being improved\n${existingSkill}` : null,
    `# Feedback on each run's output (written by the person, who saw only the output)`,
    feedback.join('\n'),
    `# The runs' traces, condensed\nEach line: [L<line in the session file>] then what happened. Tool calls show key arguments and their result (cut to head and tail), errors in full where possible.${cutNote}`,
    condensed.blocks.map((b) => b.text).join('\n\n')
  ]
    .filter(Boolean)
    .join('\n\n')
}
