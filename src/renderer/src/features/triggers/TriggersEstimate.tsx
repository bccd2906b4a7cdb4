/** What measuring (or optimising) would cost, before it starts: the decisions, about how much and on what basis, the cap. */
import type { UseQueryResult } from '@tanstack/react-query'
import type { TriggersEstimate as Estimate } from '@shared/triggers'
import { count, fmtCost } from '../../lib/format'

const BASIS = {
  measured: "at this skill's earlier measurements' cost per decision",
  default: 'at a default cost per decision: nothing of this skill measured yet'
}

/** Is the estimate over the cap (a start would be refused)? */
export const overCap = (e: Estimate | undefined, cap: number) => !!e && e.usd > cap

export function TriggersEstimate({
  estimate,
  cap,
  optimise,
  testId
}: {
  estimate: UseQueryResult<Estimate, Error>
  cap: number
  optimise?: boolean
  testId: string
}) {
  const e = estimate.data
  if (estimate.error)
    return (
      <div className="verify-estimate error-text" role="alert" data-testid={testId}>
        Cannot estimate it: {estimate.error.message}
      </div>
    )
  if (!e)
    return (
      <div className="verify-estimate muted" data-testid={testId}>
        Working out the decisions and the cost…
      </div>
    )
  return (
    <div className={`verify-estimate${estimate.isPlaceholderData ? ' stale' : ''}`} data-testid={testId} role="status">
      <div data-testid={`${testId}-decisions`}>
        <strong>
          {optimise ? 'At most ' : ''}
          {count(e.decisions, 'decision')}
        </strong>{' '}
        <span className="muted">
          ({count(e.queries, 'query', 'queries')} × {count(e.repeats, 'repeat')}
          {optimise ? ', each round measured on both splits' : ''}; each run stopped as soon as Claude Code decides)
        </span>
      </div>
      <div data-testid={`${testId}-cost`}>
        About {fmtCost(e.usd)} <span className="muted">({BASIS[e.basis]})</span>
      </div>
      <div className={e.usd > cap ? 'error-text' : 'muted'} data-testid={`${testId}-cap`}>
        {e.usd > cap ? `Over the cap of ${fmtCost(cap)}: raise the cap to start.` : `Cap: ${fmtCost(cap)}.`}
      </div>
    </div>
  )
}
