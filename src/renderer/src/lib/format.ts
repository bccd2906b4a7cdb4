/** Human-friendly numbers for people who don't live in a terminal. */
import { COST_SOURCE_LABEL, type CostSource } from '../../../shared/numbers'

export function fmtTokens(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`
}

/**
 * What a cost shown is (src/shared/numbers.ts): Claude Code's own figure, or estimated from tokens at
 * list prices; for a tooltip beside every cost.
 */
export function costTitle(source: CostSource | undefined, live = false): string {
  if (live) return 'so far, estimated from the tokens streamed at list prices (the final figure comes from the trace when the run ends)'
  return source === 'claude-code'
    ? `${COST_SOURCE_LABEL['claude-code']}: what Claude Code reported for the session, sub-agents included`
    : `${COST_SOURCE_LABEL.estimated}, sub-agents included`
}

export function fmtCost(usd: number): string {
  if (usd === 0) return '$0'
  if (usd < 0.01) return '<$0.01'
  if (usd < 100) return `$${usd.toFixed(2)}`
  return `$${Math.round(usd).toLocaleString('en-US')}`
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

export function fmtDuration(ms: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—'
  if (ms <= 0) return '0s'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  return `${h}h ${m % 60}m`
}

/*
 * Times. Every time the UI shows comes from a file someone else wrote (a session line's `timestamp`,
 * the store): anything may be there. These never throw (`toISOString` and `Intl` throw a RangeError on
 * an invalid date, which in render blanks the whole app): a missing time shows as '—', a bad one as
 * 'invalid time'.
 */

const MAX_TIME = 8.64e15 // the largest epoch milliseconds a Date can hold
export const INVALID_TIME = 'invalid time'

/** Epoch milliseconds of an ISO string, a number of milliseconds or a Date; null if missing or not a real date. */
export function timeOf(v: unknown): number | null {
  try {
    const t = typeof v === 'string' ? (v ? Date.parse(v) : NaN) : typeof v === 'number' ? v : v instanceof Date ? v.getTime() : NaN
    return Number.isFinite(t) && Math.abs(t) <= MAX_TIME ? t : null
  } catch {
    return null
  }
}

const missing = (v: unknown) => v === undefined || v === null || v === ''

/** The milliseconds from `start` to `end`, or null when either is missing or bad. */
export function spanMs(start: unknown, end: unknown): number | null {
  const a = timeOf(start)
  const b = timeOf(end)
  return a === null || b === null ? null : b - a
}

export function fmtRelative(iso: unknown, now = Date.now()): string {
  if (missing(iso)) return '—'
  const t = timeOf(iso)
  if (t === null) return INVALID_TIME
  const d = Math.round((now - t) / 1000)
  if (d < 45) return 'just now'
  if (d < 3600) return `${Math.round(d / 60)} min ago`
  if (d < 86400) return `${Math.round(d / 3600)} h ago`
  if (d < 86400 * 30) return `${Math.round(d / 86400)} d ago`
  return new Date(t).toISOString().slice(0, 10)
}

/** `2026-01-01 10:20` (UTC). */
export function fmtTime(iso: unknown): string {
  if (missing(iso)) return '—'
  const t = timeOf(iso)
  if (t === null) return INVALID_TIME
  const s = new Date(t).toISOString()
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`
}

/** `10:20:30` (UTC), for a step in a trace; '' when it has no time. */
export function fmtClock(iso: unknown): string {
  if (missing(iso)) return ''
  const t = timeOf(iso)
  return t === null ? INVALID_TIME : new Date(t).toISOString().slice(11, 19)
}

/** Date and time in the reader's locale. */
export function fmtLocalTime(iso: unknown): string {
  if (missing(iso)) return '—'
  const t = timeOf(iso)
  if (t === null) return INVALID_TIME
  try {
    return new Date(t).toLocaleString()
  } catch {
    return new Date(t).toISOString()
  }
}

export function oneLine(text: string, max = 120): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}

export const shortModel = (m: string) => m.replace(/^claude-/, '').replace(/-\d{8}$/, '')

/** "1 turn", "3 turns": a count and its noun, singular for one. */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`

/** How much one step of fitting the evidence cut: "48.2k characters", "12 steps", "3 screenshots", "4.1k image tokens". */
export function fmtCutAmount(amount: number, unit: 'chars' | 'steps' | 'images' | 'image-tokens'): string {
  if (unit === 'chars') return `${fmtTokens(amount)} character${amount === 1 ? '' : 's'}`
  if (unit === 'steps') return count(amount, 'step')
  if (unit === 'images') return count(amount, 'screenshot')
  return `${fmtTokens(amount)} image token${amount === 1 ? '' : 's'}`
}

/**
 * The file of a run an analyst pointed to, among the run's files: the same path, or one that names
 * it from elsewhere (`runs/03/outputs/index.html`, `./index.html` as claude -p may write it);
 * undefined when the run has no such file.
 */
export function matchOutputFile<F extends { path: string }>(files: F[], pointed: string): F | undefined {
  const clean = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '')
  const want = clean(pointed)
  const inside = want.replace(/^(?:.*\/)?outputs\//, '')
  return (
    files.find((f) => clean(f.path) === want) ??
    files.find((f) => clean(f.path) === inside) ??
    files.find((f) => want.endsWith(`/${clean(f.path)}`))
  )
}

/** A model's window, as its makers say it: "200k", "1M", "1.5M" (no "1.00M"). */
export const fmtWindow = (n: number): string =>
  fmtTokens(n)
    .replace(/(\.\d*?)0+([kM])$/, '$1$2')
    .replace(/\.([kM])$/, '$1')
