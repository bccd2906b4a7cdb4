import { describe, expect, it } from 'vitest'
import { fmtBytes, fmtCost, fmtDuration, fmtRelative, fmtTokens, oneLine } from '../../src/renderer/src/lib/format'
import { defaultFilter, flattenRows, isError, keyArgument, matchingRows, nextIndex, traceStats } from '../../src/renderer/src/lib/rows'
import { sortSessions } from '../../src/renderer/src/lib/sessions'
import type { SessionSummary, Trace, TraceEvent } from '../../src/shared/trace'

const ev = (o: Partial<TraceEvent> & { kind: TraceEvent['kind'] }, line: number, turn: number): TraceEvent =>
  ({ line, turn, ...o }) as TraceEvent

function trace(): Trace {
  return {
    sessionId: 's',
    file: '/x/s.jsonl',
    fromArchive: false,
    events: [
      ev({ kind: 'user', text: 'build it', images: [], isMeta: false, ts: '2026-01-01T00:00:00Z' }, 1, 1),
      ev({ kind: 'meta', recordType: 'attachment', raw: {} }, 2, 1),
      ev({ kind: 'thinking', text: 'hmm', redacted: false }, 3, 1),
      ev(
        {
          kind: 'tool_call',
          id: 't1',
          name: 'Bash',
          input: { command: 'make' },
          result: { line: 5, text: 'boom', isError: true, images: [] }
        },
        4,
        1
      ),
      ev({ kind: 'tool_call', id: 't2', name: 'Agent', input: { prompt: 'help' }, subagentId: 'a1' }, 6, 1),
      ev({ kind: 'user', text: 'again', images: [], isMeta: false, ts: '2026-01-01T00:01:30Z' }, 7, 2)
    ],
    subagents: [
      {
        agentId: 'a1',
        file: '/x/a.jsonl',
        events: [
          ev(
            {
              kind: 'tool_call',
              id: 't3',
              name: 'Read',
              input: { file_path: '/nope' },
              result: { line: 2, text: 'missing', isError: true, images: [] }
            },
            1,
            0
          )
        ],
        usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
        models: [],
        warnings: []
      }
    ],
    usage: { input: 10, output: 5, cacheRead: 1, cacheCreation: 2 },
    models: [],
    costUsd: 0,
    totals: { turns: 0, toolCalls: 3, toolErrors: 2, tokens: 18, costUsd: 0, costSource: 'estimated' },
    lines: 7,
    bytes: 100,
    warnings: []
  }
}

describe('trace rows', () => {
  it('groups by turn, hides bookkeeping by default, and nests an expanded sub-agent under its call', () => {
    const closed = flattenRows(trace(), new Set())
    expect(closed.map((r) => (r.type === 'event' ? r.event.kind : r.type))).toEqual([
      'turn',
      'user',
      'thinking',
      'tool_call',
      'tool_call',
      'turn',
      'user'
    ])
    const open = flattenRows(trace(), new Set(['a1']))
    const i = open.findIndex((r) => r.type === 'subagent-start')
    expect(open[i - 1].type === 'event' && open[i - 1].type === 'event' && (open[i - 1] as { event: TraceEvent }).event.line).toBe(6)
    expect(open[i + 1]).toMatchObject({ type: 'event', depth: 1, agentId: 'a1' })
    expect(open[i + 2]).toMatchObject({ type: 'subagent-end', agentId: 'a1' })
    expect(new Set(open.map((r) => r.key)).size).toBe(open.length)
  })

  it('errors only keeps prompts, failing calls, and calls whose sub-agent failed', () => {
    const rows = flattenRows(trace(), new Set(), { ...defaultFilter, errorsOnly: true })
    const kept = rows.filter((r) => r.type === 'event').map((r) => (r as { event: TraceEvent }).event.line)
    expect(kept).toEqual([1, 4, 6, 7])
  })

  it('finds matches and the next error, wrapping around', () => {
    const rows = flattenRows(trace(), new Set(['a1']))
    expect(matchingRows(rows, 'MISSING').length).toBe(1)
    const errs = rows.map((r, i) => (r.type === 'event' && isError(r.event) ? i : -1)).filter((i) => i >= 0)
    expect(errs).toHaveLength(2)
    const first = nextIndex(rows, -1, (r) => r.type === 'event' && isError(r.event))
    expect(first).toBe(errs[0])
    expect(nextIndex(rows, first, (r) => r.type === 'event' && isError(r.event))).toBe(errs[1])
    expect(nextIndex(rows, errs[1], (r) => r.type === 'event' && isError(r.event))).toBe(errs[0])
  })

  it('stats count sub-agent calls and errors, main turns only', () => {
    const s = traceStats(trace())
    expect(s).toMatchObject({ toolCalls: 3, errors: 2, turns: 2, durationMs: 90_000, tokens: 18 })
  })

  it('shows the argument that says what a call did', () => {
    expect(keyArgument('Bash', { command: 'ls', description: 'list' })).toBe('ls')
    expect(keyArgument('Read', { file_path: '/a' })).toBe('/a')
    expect(keyArgument('X', { other: 'thing' })).toBe('thing')
    expect(keyArgument('X', null)).toBe('')
  })
})

describe('formatting', () => {
  it('numbers people read', () => {
    expect(fmtTokens(950)).toBe('950')
    expect(fmtTokens(1234)).toBe('1.2k')
    expect(fmtTokens(2_500_000)).toBe('2.50M')
    expect(fmtCost(0)).toBe('$0')
    expect(fmtCost(0.004)).toBe('<$0.01')
    expect(fmtCost(1.234)).toBe('$1.23')
    expect(fmtBytes(512)).toBe('512 B')
    expect(fmtBytes(4.1 * 1024 * 1024)).toBe('4.1 MB')
    expect(fmtDuration(192_000)).toBe('3m 12s')
    expect(fmtDuration(3 * 3600e3 + 60e3)).toBe('3h 1m')
    expect(fmtRelative('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:10:00Z'))).toBe('10 min ago')
    expect(fmtRelative(undefined)).toBe('—')
    expect(oneLine('a\n\n b   c', 4)).toBe('a b…')
  })
})

describe('session sorting', () => {
  const s = (id: string, o: Partial<SessionSummary>): SessionSummary =>
    ({
      sessionId: id,
      firstPrompt: '',
      toolErrors: 0,
      usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
      models: [],
      ...o
    }) as SessionSummary
  it('sorts by any column, ties by id', () => {
    const list = [s('b', { toolErrors: 2 }), s('a', { toolErrors: 2 }), s('c', { toolErrors: 5 })]
    expect(sortSessions(list, 'toolErrors', true).map((x) => x.sessionId)).toEqual(['c', 'a', 'b'])
    expect(sortSessions(list, 'toolErrors', false).map((x) => x.sessionId)).toEqual(['a', 'b', 'c'])
    const tok = [
      s('x', { usage: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 } }),
      s('y', { usage: { input: 0, output: 0, cacheRead: 9, cacheCreation: 0 } })
    ]
    expect(sortSessions(tok, 'tokens', true).map((x) => x.sessionId)).toEqual(['y', 'x'])
  })
})
