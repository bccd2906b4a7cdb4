/**
 * A confirmation's results: per rule under test, its badge ("confirmed 2/2", "unconfirmed 0/2",
 * "harmful: broke a good variation"), its text and the runs behind it (the deck's numbers, each
 * opening the run); and, where the composer is, "Remove the harmful rules" (undoable, nothing lost).
 */
import { statusBadge, type ConfirmResults as Results, type ConfirmRuleResult } from '@shared/confirm'
import { RunBadge } from '../../components/RunBadge'

/** A rule's badge, as its card and the results show it. */
export function ConfirmBadge({ result }: { result: Pick<ConfirmRuleResult, 'status' | 'fix' | 'keep'> }) {
  return (
    <span
      className={`badge confirm-${result.status}`}
      data-testid="confirm-badge"
      data-status={result.status}
      title={
        result.status === 'harmful'
          ? 'Installed alone, this rule made a good variation fail'
          : `Installed alone, ${result.fix.passed} of ${result.fix.n} of the bad variations it cites now pass; its good variation${result.keep.n === 1 ? '' : 's'} ${result.keep.passed} of ${result.keep.n}`
      }
    >
      {statusBadge(result)}
    </span>
  )
}

/** The runs behind a rule's result: each re-run failure and good variation, with its grade. */
export function ConfirmRuns({ result, batchId }: { result: ConfirmRuleResult; batchId?: string }) {
  const of = (expect: 'fix' | 'keep') => result.runs.filter((r) => r.expect === expect)
  const badges = (expect: 'fix' | 'keep') =>
    of(expect).map((r) => <RunBadge key={r.runId} batchId={batchId} n={r.number} grade={r.label ?? 'ungraded'} testId="confirm-run" />)
  return (
    <span className="confirm-runs small" data-testid="confirm-runs">
      <span className="muted">failures re-run:</span> {badges('fix')}
      {of('keep').length ? (
        <>
          {' '}
          <span className="muted">good variation{of('keep').length === 1 ? '' : 's'}:</span> {badges('keep')}
        </>
      ) : null}
    </span>
  )
}

export function ConfirmResultsList({
  results,
  batchId,
  onRemoveHarmful
}: {
  results: Results
  batchId?: string
  /** the composer: take the harmful rules out (as Delete does: under Discarded, undoable) */
  onRemoveHarmful?: (ruleIds: string[]) => void
}) {
  const harmful = results.rules.filter((r) => r.status === 'harmful').map((r) => r.ruleId)
  const n = results.counts
  return (
    <div className="confirm-results" data-testid="confirm-results">
      <div>
        Version {results.version.number}: {n.confirmed} confirmed, {n.unconfirmed} unconfirmed, {n.harmful} harmful
        {n.pending ? `, ${n.pending} pending` : ''}
      </div>
      <ul>
        {results.rules.map((r) => (
          <li key={r.ruleId} data-testid="confirm-rule" data-rule={r.ruleId}>
            <ConfirmBadge result={r} /> <span className="confirm-rule-text">{r.text}</span> <ConfirmRuns result={r} batchId={batchId} />
          </li>
        ))}
      </ul>
      {onRemoveHarmful && harmful.length ? (
        <button
          onClick={() => onRemoveHarmful(harmful)}
          data-testid="remove-harmful"
          title="They go under Discarded, marked removed (Undo brings them back)"
        >
          Remove the harmful rule{harmful.length === 1 ? '' : 's'}
        </button>
      ) : null}
    </div>
  )
}
