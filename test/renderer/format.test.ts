/**
 * Times from session files are untrusted: a bad `timestamp` must format as a bad value, never throw
 * (a RangeError in render blanks the whole app).
 */
import { describe, expect, it } from 'vitest'
import { fmtClock, fmtDuration, fmtLocalTime, fmtRelative, fmtTime, spanMs, timeOf } from '../../src/renderer/src/lib/format'
import { traceStats } from '../../src/renderer/src/lib/rows'
import type { Trace, TraceEvent } from '../../src/shared/trace'

const BAD: unknown[] = [
  'not a date',
  '',
  1e20,
  -1e20,
  Number.NaN,
  Infinity,
  '+275760-09-13T00:00:00.001Z',
  {},
  [],
  true,
  Symbol('x'),
  new Date(Number.NaN),
  () => 1
]
const fns = { fmtTime, fmtClock, fmtLocalTime, fmtRelative: (v: unknown) => fmtRelative(v as string) }

describe('time formatting never throws', () => {
  it('reads real times', () => {
    expect(timeOf('2026-01-01T10:20:30Z')).toBe(Date.parse('2026-01-01T10:20:30Z'))
    expect(timeOf(0)).toBe(0)
    expect(fmtTime('2026-01-01T10:20:30Z')).toBe('2026-01-01 10:20')
    expect(fmtClock('2026-01-01T10:20:30Z')).toBe('10:20:30')
    expect(fmtLocalTime('2026-01-01T10:20:30Z')).toMatch(/2026/)
    expect(spanMs('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(90_000)
  })

  it('a missing time is a dash', () => {
    for (const [name, f] of Object.entries(fns)) {
      expect(f(undefined), name).toBe(name === 'fmtClock' ? '' : '—')
      expect(f(null), name).toBe(name === 'fmtClock' ? '' : '—')
    }
  })

  it('a bad time says so, for every kind of bad value', () => {
    for (const v of BAD) {
      expect(timeOf(v), String(typeof v)).toBeNull()
      for (const [name, f] of Object.entries(fns)) {
        let out = ''
        expect(() => (out = f(v)), `${name}(${typeof v === 'symbol' ? 'symbol' : JSON.stringify(v)})`).not.toThrow()
        expect(typeof out).toBe('string')
        if (name !== 'fmtRelative' && v !== '') expect(out, name).toBe('invalid time')
      }
    }
  })

  it('a duration from bad times is unknown, not NaN', () => {
    expect(spanMs('not a date', '2026-01-01T00:00:00Z')).toBeNull()
    expect(spanMs(undefined, '2026-01-01T00:00:00Z')).toBeNull()
    expect(fmtDuration(Number.NaN)).toBe('—')
    expect(fmtDuration(undefined as unknown as number)).toBe('—')
    expect(fmtDuration(0)).toBe('0s')
  })

  it('the trace header ignores a record with a bad time', () => {
    const ev = (ts: string | undefined, line: number): TraceEvent =>
      ({ kind: 'user', text: 'x', images: [], isMeta: false, ts, line, turn: 1 }) as TraceEvent
    const trace = {
      sessionId: 's',
      file: '/x',
      fromArchive: false,
      events: [ev('not a date', 1), ev('2026-01-01T00:00:00Z', 2), ev('2026-01-01T00:02:00Z', 3), ev('+999999-01-01T00:00:00Z', 4)],
      subagents: [],
      usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
      models: [],
      costUsd: 0,
      warnings: []
    } as unknown as Trace
    const s = traceStats(trace)
    expect(s.start).toBe('2026-01-01T00:00:00Z')
    expect(s.end).toBe('2026-01-01T00:02:00Z')
    expect(s.durationMs).toBe(120_000)
  })
})

describe('count', () => {
  it('says one in the singular and the rest in the plural', async () => {
    const { count } = await import('../../src/renderer/src/lib/format')
    expect(count(1, 'turn')).toBe('1 turn')
    expect(count(0, 'turn')).toBe('0 turns')
    expect(count(3, 'tool call')).toBe('3 tool calls')
    expect(count(12_000, 'token')).toBe('12,000 tokens')
  })
})
