/**
 * Signals beside the grade, computed from traces with no model: per run the plain numbers (turns,
 * tool calls, tool errors, duration, tokens, cost) with its tool sequence and error kinds; per batch,
 * which tools, tool sequences and error kinds occur far more often in bad runs than in good ones,
 * with the runs that show them. This is the first evidence the analysts get. Electron-free.
 */
import type { SubagentTrace, Trace, TraceEvent } from '../../shared/trace'
import type { BatchSignals, RunMetrics, Signal, SignalKind } from '../../shared/signals'

/** Kinds of tool error, from the wording Claude Code and common shells use. First match wins. */
const ERROR_KINDS: [kind: string, test: RegExp][] = [
  ['permission-denied', /haven't granted it|requires approval|permission (?:to use|denied)|EACCES|operation not permitted/i],
  ['user-rejected', /user doesn't want to proceed|user rejected|was rejected/i],
  ['timeout', /timed? ?out|timeout/i],
  ['not-read-first', /has not been read yet|read it first/i],
  ['edit-no-match', /string to replace not found|old_string.*not found/i],
  ['edit-ambiguous', /found \d+ matches of the string|replace_all is false/i],
  ['file-not-found', /does not exist|no such file|ENOENT|not found: .*\.\w+$|cannot find (?:the )?(?:file|path|module)/i],
  ['command-not-found', /command not found|not recognized as an internal|executable file not found/i],
  ['invalid-input', /InputValidationError|invalid (?:input|parameter|argument)|is required|unexpected parameter/i],
  ['syntax-error', /SyntaxError|ParseError|unexpected token|syntax error/i],
  ['test-failure', /\b(?:tests?|specs?) failed|FAIL\b|AssertionError|expected .* to (?:be|equal)/i],
  ['type-error', /TypeError|error TS\d+|ReferenceError|NameError|AttributeError/i],
  ['network', /ECONNREFUSED|ENOTFOUND|getaddrinfo|network is unreachable|could not resolve host/i],
  ['exit-code', /exit code \d+|exited with (?:code )?\d+|non-zero exit/i]
]

export function errorKind(text: string): string {
  const head = text.slice(0, 4000)
  for (const [kind, re] of ERROR_KINDS) if (re.test(head)) return kind
  return 'other'
}

/**
 * Tool calls in the order they were made, sub-agents' calls in place of the call that started them;
 * a sub-agent no call is known to have started comes at the end. Each call once.
 */
function toolCalls(trace: Trace): Extract<TraceEvent, { kind: 'tool_call' }>[] {
  const sub = new Map(trace.subagents.map((s) => [s.parentToolUseId ?? s.agentId, s]))
  const walked = new Set<SubagentTrace>()
  const out: Extract<TraceEvent, { kind: 'tool_call' }>[] = []
  const walk = (events: TraceEvent[]) => {
    for (const e of events) {
      if (e.kind !== 'tool_call') continue
      out.push(e)
      const child = sub.get(e.id) ?? (e.subagentId ? sub.get(e.subagentId) : undefined)
      if (child && !walked.has(child)) {
        walked.add(child)
        walk(child.events)
      }
    }
  }
  walk(trace.events)
  for (const s of trace.subagents) if (!walked.has(s)) walk(s.events)
  return out
}

/** A run's numbers: turns, tool calls, errors, tokens and cost are the trace's totals (src/shared/numbers.ts). */
export function traceMetrics(trace: Trace): RunMetrics {
  const calls = toolCalls(trace)
  const times = trace.events.map((e) => (e.ts ? Date.parse(e.ts) : NaN)).filter((t) => !Number.isNaN(t))
  const n = trace.totals
  return {
    turns: n.turns,
    toolCalls: n.toolCalls,
    toolErrors: n.toolErrors,
    // a loop, not Math.max(...times): a spread of 120k+ timestamps overflows the stack
    durationMs: times.length ? times.reduce((a, b) => (b > a ? b : a)) - times.reduce((a, b) => (b < a ? b : a)) : 0,
    tokens: n.tokens,
    costUsd: n.costUsd,
    costSource: n.costSource,
    tools: calls.map((c) => c.name),
    errors: calls.flatMap((c, index) =>
      c.result?.isError
        ? [
            {
              index,
              tool: c.name,
              kind: errorKind(c.result.text),
              text: c.result.text
                .replace(/<\/?tool_use_error>/g, '')
                .trim()
                .slice(0, 300),
              line: c.line
            }
          ]
        : []
    )
  }
}

/** The features a run shows, each once: tools used, tool pairs and triples in order, error kinds. */
export function runFeatures(m: Pick<RunMetrics, 'tools' | 'errors'>): Map<string, SignalKind> {
  const f = new Map<string, SignalKind>()
  for (const t of m.tools) f.set(t, 'tool')
  for (let i = 0; i + 1 < m.tools.length; i++) f.set(`${m.tools[i]} → ${m.tools[i + 1]}`, 'sequence')
  for (let i = 0; i + 2 < m.tools.length; i++) f.set(`${m.tools[i]} → ${m.tools[i + 1]} → ${m.tools[i + 2]}`, 'sequence')
  for (const e of m.errors) {
    f.set(`${e.kind}`, 'error')
    f.set(`${e.tool}: ${e.kind}`, 'error')
  }
  return f
}

const logFact = (() => {
  const cache = [0]
  return (n: number) => {
    for (let i = cache.length; i <= n; i++) cache[i] = cache[i - 1] + Math.log(i)
    return cache[n]
  }
})()

/**
 * One-sided Fisher exact test: the chance of seeing at least `a` of the `a+b` runs with the feature
 * among the `a+c` bad runs if the feature had nothing to do with the grade.
 * Table: a = bad with, b = good with, c = bad without, d = good without.
 */
export function fisherGreater(a: number, b: number, c: number, d: number): number {
  const n = a + b + c + d
  const row1 = a + b
  const col1 = a + c
  const logP = (x: number) =>
    logFact(row1) +
    logFact(n - row1) +
    logFact(col1) +
    logFact(n - col1) -
    logFact(n) -
    logFact(x) -
    logFact(row1 - x) -
    logFact(col1 - x) -
    logFact(n - row1 - col1 + x)
  let p = 0
  for (let x = a; x <= Math.min(row1, col1); x++) if (n - row1 - col1 + x >= 0) p += Math.exp(logP(x))
  return Math.min(1, p)
}

export interface SignalOptions {
  /** at least this many bad runs must show a feature (default 2, or 1 when there is a single bad run) */
  minBad?: number
  /** the bad rate must be at least this many times the good rate, with add-one smoothing (default 2) */
  minLift?: number
  /** how many signals to keep (default 25) */
  limit?: number
}

/**
 * Which features occur far more often in bad runs than in good ones. Runs without a label are left
 * out. A feature counts once per run. Sorted by strength (p-value, then lift, then bad count).
 */
export function batchSignals(
  runs: { number: number; label: 'good' | 'bad' | null; metrics: Pick<RunMetrics, 'tools' | 'errors'> }[],
  opts: SignalOptions = {}
): BatchSignals {
  const bad = runs.filter((r) => r.label === 'bad')
  const good = runs.filter((r) => r.label === 'good')
  const minBad = opts.minBad ?? (bad.length <= 1 ? 1 : 2)
  const minLift = opts.minLift ?? 2
  const seen = new Map<string, { kind: SignalKind; bad: number[]; good: number[] }>()
  for (const [group, list] of [
    ['bad', bad],
    ['good', good]
  ] as const)
    for (const r of list)
      for (const [feature, kind] of runFeatures(r.metrics)) {
        const s = seen.get(feature) ?? { kind, bad: [], good: [] }
        s[group].push(r.number)
        seen.set(feature, s)
      }
  const signals: Signal[] = []
  if (bad.length)
    for (const [feature, s] of seen) {
      if (s.bad.length < minBad) continue
      const badRate = s.bad.length / bad.length
      const goodRate = good.length ? s.good.length / good.length : 0
      // add-one smoothing keeps "3 of 5 bad, 0 of 15 good" finite and "1 of 1 vs 0 of 1" modest
      const lift = (s.bad.length + 1) / (bad.length + 2) / ((s.good.length + 1) / (good.length + 2))
      if (lift < minLift) continue
      const p = fisherGreater(s.bad.length, s.good.length, bad.length - s.bad.length, good.length - s.good.length)
      signals.push({
        kind: s.kind,
        feature,
        badRuns: s.bad.sort((x, y) => x - y),
        goodRuns: s.good.sort((x, y) => x - y),
        badRate,
        goodRate,
        lift,
        p
      })
    }
  // A longer sequence that shows in exactly the same runs as a shorter one says nothing new.
  const key = (s: Signal) => `${s.kind}|${s.badRuns.join(',')}|${s.goodRuns.join(',')}`
  const byRuns = new Map<string, Signal[]>()
  for (const s of signals) byRuns.set(key(s), [...(byRuns.get(key(s)) ?? []), s])
  const kept = signals.filter(
    (s) =>
      s.kind !== 'sequence' || !(byRuns.get(key(s)) ?? []).some((o) => o !== s && o.kind === 'sequence' && s.feature.includes(o.feature))
  )
  kept.sort((x, y) => x.p - y.p || y.lift - x.lift || y.badRuns.length - x.badRuns.length || x.feature.localeCompare(y.feature))
  return { good: good.length, bad: bad.length, ungraded: runs.length - good.length - bad.length, signals: kept.slice(0, opts.limit ?? 25) }
}
