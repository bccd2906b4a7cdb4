import type { ReactNode } from 'react'
import type { Run } from '@shared/runs'
import type { RunMetrics } from '@shared/signals'
import { runDurationMs } from '@shared/numbers'
import { fmtCost, fmtDuration, fmtTokens } from '../../lib/format'

/** The rows of the metrics table: from a run's trace, but its duration, the run's own (src/shared/numbers.ts). */
export const METRICS: [label: string, get: (m: RunMetrics, r: Run) => number, fmt: (n: number) => string][] = [
  ['Turns', (m) => m.turns, (n) => String(Math.round(n * 10) / 10)],
  ['Tool calls', (m) => m.toolCalls, (n) => String(Math.round(n * 10) / 10)],
  ['Tool errors', (m) => m.toolErrors, (n) => String(Math.round(n * 10) / 10)],
  ['Duration', (_m, r) => runDurationMs(r), fmtDuration],
  ['Tokens', (m) => m.tokens, fmtTokens],
  ['Cost', (m) => m.costUsd, fmtCost]
]

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="card compare-section">
      <div className="label">{title}</div>
      {children}
    </div>
  )
}
