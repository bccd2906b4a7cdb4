import { type VerifyEstimate } from '@shared/verify'
import { count, fmtCost } from '../../lib/format'

/** What the verification would be: its runs, about what it costs and on what basis, the cap, every warning. */
export function EstimateBox({
  estimate: e,
  error,
  loading,
  waiting
}: {
  estimate?: VerifyEstimate
  error?: string
  loading: boolean
  waiting: boolean
}) {
  if (waiting) return null
  if (error && !loading)
    return (
      <div className="verify-estimate error-text" data-testid="estimate-error" role="alert">
        Cannot verify like this: {error}
      </div>
    )
  if (!e) return <div className="verify-estimate muted">Working out the runs and the cost…</div>
  return (
    <div className={`verify-estimate${loading ? ' stale' : ''}`} data-testid="verify-estimate">
      <div data-testid="estimate-runs">
        <strong>
          {count(e.runs, 'run')}: {count(e.variations, 'variation')} × {count(e.repeats, 'repeat')} × 2 arms
        </strong>{' '}
        <span className="muted">
          (version {e.version.number} against {e.against ? `version ${e.against.number}` : 'no skill'}
          {e.source === 'fresh' ? '; the fresh variations are written when it starts' : ''})
        </span>
      </div>
      <div data-testid="estimate-cost">
        {e.usd !== null ? (
          <>
            About {fmtCost(e.usd)} <span className="muted">({e.basis})</span>
          </>
        ) : (
          <>No cost estimate: {e.basis}.</>
        )}
      </div>
      <div data-testid="estimate-cap">
        {e.capUsd !== null ? `At most ${fmtCost(e.capUsd)} in all: the cap per run × ${count(e.runs, 'run')}.` : 'No spending cap per run.'}
      </div>
      {e.warnings.map((w) => (
        <div key={w.text} className="notice notice-warning inline" data-testid="estimate-warning" data-kind={w.kind}>
          {w.text}
        </div>
      ))}
    </div>
  )
}
