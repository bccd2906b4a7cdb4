/** What the deck, the gallery and compare show of a run: its screenshots, what went wrong, its numbers; blind mode. */
import { useMemo, useState } from 'react'
import { type Run } from '@shared/runs'
import type { RunMetrics } from '@shared/signals'
import { DURATION_TITLE } from '@shared/numbers'
import { useApi } from '../../data/queries'
import { fmtCost, fmtDuration, fmtTokens, costTitle, count } from '../../lib/format'

export const finished = (r: Run) => r.state !== 'queued' && r.state !== 'running'

/** A batch's runs in order, from the shared cache (kept current by runProgress). */
export function useBatchRuns(batchId: string) {
  const loaded = useApi('getBatch', { batchId })
  const runs = useMemo(() => loaded.data?.runs.slice().sort((a, b) => a.number - b.number) ?? [], [loaded.data])
  return { loaded, runs }
}

/** A run's first good screenshot at a size (of one page, when given). */
export const firstShot = (run: Run, size: 'desktop' | 'mobile', html?: string) =>
  run.screenshots
    .filter((s) => !html || s.html === html)
    .flatMap((s) => s.shots.map((x) => ({ ...x, html: s.html })))
    .find((x) => x.label === size && !x.error && x.file)

/** A run's screenshot as a data: URL (null while it loads or when it cannot be read). */
export function useShot(runId: string, file: string): string | null {
  return useApi('getScreenshot', { runId, file }).data?.dataUrl ?? null
}

export function ShotImage({ runId, file, alt }: { runId: string; file: string; alt: string }) {
  const src = useShot(runId, file)
  return src ? <img src={src} alt={alt} /> : <div className="muted pad">loading…</div>
}

/** A run that did not finish well: its state, and why ("hit the turn limit (40 turns)"). */
export function RunTrouble({ run, compact }: { run: Run; compact?: boolean }) {
  if (run.state === 'done') return null
  return (
    <span className={compact ? 'run-trouble compact' : 'run-trouble'}>
      <span className="badge error">{run.state}</span>
      {run.reason ? (
        <span className="run-trouble-reason" data-testid="run-reason" title={run.reason}>
          {run.reason}
        </span>
      ) : null}
    </span>
  )
}

/** The numbers of one run, from its trace; its duration, the run's own (src/shared/numbers.ts). */
export function MetricsLine({ m, durationMs }: { m: RunMetrics | null | undefined; durationMs: number }) {
  if (!m) return null
  const kinds = [...new Set(m.errors.map((e) => e.kind))]
  return (
    <div className="metrics-line muted" data-testid="run-metrics">
      <span data-testid="metric-turns">{count(m.turns, 'turn')}</span> · {count(m.toolCalls, 'tool call')} ·{' '}
      <span className={m.toolErrors ? 'error-text' : ''}>
        {m.toolErrors} tool errors{kinds.length ? ` (${kinds.join(', ')})` : ''}
      </span>{' '}
      ·{' '}
      <span data-testid="metric-duration" title={DURATION_TITLE}>
        {fmtDuration(durationMs)}
      </span>{' '}
      · {fmtTokens(m.tokens)} tokens ·{' '}
      <span data-testid="metric-cost" data-cost-source={m.costSource ?? 'estimated'} title={costTitle(m.costSource)}>
        {fmtCost(m.costUsd)}
      </span>
    </div>
  )
}
const blindKey = 't2s-blind'
/**
 * Blind mode hides what tells which batch (or skill version) a run came from; kept across views and
 * restarts. A verification's batch is always blind (see verificationOf).
 */
export function useBlind(): [boolean, (on: boolean) => void] {
  const [blind, setBlind] = useState(() => localStorage.getItem(blindKey) === '1')
  return [
    blind,
    (on) => {
      setBlind(on)
      localStorage.setItem(blindKey, on ? '1' : '0')
    }
  ]
}

/**
 * A verification's batch (getBatch says whose): graded blind, always. Nothing on the deck, the gallery
 * or compare may tell its two arms apart: no batch name, no trace link, no turns, tool calls, duration
 * or cost (loading the skill is one more turn), no signals (the Skill tool would be one).
 */
export const verificationOf = (batch: { verificationId?: string } | undefined): string | undefined => batch?.verificationId
