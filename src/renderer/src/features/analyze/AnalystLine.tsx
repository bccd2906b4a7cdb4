import type { Analysis, AnalystStatusInfo } from '@shared/analysis'
import type { RequestInput } from '@shared/contract'
import { count, fmtCost, fmtTokens } from '../../lib/format'
import { AnalystRules } from './AnalystRules'

const TITLES: Record<string, string> = {
  error: 'Error analyst',
  success: 'Success analyst',
  structure: 'Structure analyst',
  edge: 'Edge analyst'
}
const FOCUS: Record<string, string> = {
  error: 'root causes of bad runs (2+ runs)',
  success: 'what good runs did that bad ones did not',
  structure: 'tool sequences, step order, verification (2+ runs)',
  edge: 'hard and adversarial runs: guards'
}

type AnalystActions = { cancelAnalyst: (i: RequestInput<'cancelAnalyst'>) => void; retryAnalyst: (i: RequestInput<'retryAnalyst'>) => void }

export function AnalystLine({
  s,
  analysis,
  act,
  estimated
}: {
  s: AnalystStatusInfo
  analysis: Analysis
  act: AnalystActions
  /** the estimate's cost per analyst, for comparison */
  estimated?: number
}) {
  const idle = analysis.state !== 'analysing' && analysis.state !== 'merging'
  const live = s.state === 'streaming'
  const ended = s.state === 'done' || s.state === 'failed' || s.state === 'cancelled'
  const round = s.maxRounds && s.rounds ? `round ${s.rounds} of ${s.maxRounds}` : ''
  return (
    <div className="analyst-line" data-testid="analyst-line" data-kind={s.kind} data-state={s.state}>
      <strong>{TITLES[s.kind]}</strong> <span className={`badge state-${s.state}`}>{s.state}</span>
      <span className="muted">
        {s.state === 'waiting' ? 'starts when the first has begun (shared cache)' : FOCUS[s.kind]}
        {s.chunks ? ` · ${s.chunksDone}/${s.chunks} groups` : ''}
      </span>
      <span className="nums">
        {fmtTokens(s.usage.input + s.usage.cacheRead + s.usage.cacheCreation)} in
        {s.usage.cacheRead ? ` (${fmtTokens(s.usage.cacheRead)} cached)` : ''} · {fmtTokens(s.usage.output)} out ·{' '}
        <span data-testid="analyst-cost" title={s.state === 'done' ? 'what this analyst cost' : 'so far'}>
          {fmtCost(s.costUsd)}
        </span>
        {ended && estimated !== undefined ? (
          <span className="estimated" title="the estimate before starting, per analyst (the four analysts' share, averaged)">
            {' '}
            (estimated {fmtCost(estimated)})
          </span>
        ) : null}
      </span>
      {s.state === 'done' ? (
        <span>
          {s.rules.length} rule{s.rules.length === 1 ? '' : 's'}
          {s.setAside.length ? `, ${s.setAside.length} set aside` : ''}
        </span>
      ) : s.drafts?.length ? (
        <span>{s.drafts.length} written so far</span>
      ) : null}
      {s.error && s.state !== 'cancelled' ? <span className="error-text">{s.error}</span> : null}
      {s.state === 'streaming' || s.state === 'waiting' ? (
        <button className="ghost" onClick={() => act.cancelAnalyst({ analysisId: analysis.id, kind: s.kind })}>
          Cancel
        </button>
      ) : null}
      {idle && (s.state === 'failed' || s.state === 'cancelled') ? (
        <button onClick={() => act.retryAnalyst({ analysisId: analysis.id, kind: s.kind })} data-testid="retry-analyst">
          Retry
        </button>
      ) : null}
      {live && (s.looking || round) ? (
        <div className="analyst-looking" data-testid="analyst-looking">
          {s.looking ? (
            <>
              Looking at <span className="what">{s.looking}</span>
            </>
          ) : (
            'Reading what it looked at'
          )}
          {round ? <span className="muted"> · {round}</span> : null}
        </div>
      ) : null}
      {!live && s.looks?.length ? (
        <details className="analyst-looks" data-testid="analyst-looks">
          <summary>
            Looked at ({s.looks.length}){s.rounds ? ` in ${count(s.rounds, 'round')}${s.maxRounds ? ` of ${s.maxRounds}` : ''}` : ''}
          </summary>
          <ol>
            {s.looks.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ol>
        </details>
      ) : null}
      <AnalystRules s={s} batchId={analysis.batchId} />
    </div>
  )
}
