import { Link } from '@tanstack/react-router'
import type { BatchSignals } from '@shared/signals'

/** What sets bad runs apart: tools, tool sequences and error kinds far more common in bad runs. */
export function SignalsPanel({ signals, batchId }: { signals: BatchSignals; batchId: string }) {
  const runLinks = (ns: number[]) =>
    ns.map((n) => (
      <Link key={n} className="run-badge" to="/review/$batchId/$run" params={{ batchId, run: n }} activeProps={{}}>
        {n}
      </Link>
    ))
  return (
    <div className="card compare-section" data-testid="signals">
      <div className="label">What sets bad runs apart (from the traces)</div>
      {!signals.bad || !signals.good ? (
        <div className="muted">Grade at least one good and one bad run to see which tools, sequences and errors go with bad results.</div>
      ) : !signals.signals.length ? (
        <div className="muted">
          Nothing in how the runs worked is much more common in the {signals.bad} bad runs than in the {signals.good} good ones.
        </div>
      ) : (
        <table className="signals">
          <thead>
            <tr>
              <th>In bad runs far more often</th>
              <th>Bad runs</th>
              <th>Good runs</th>
              <th title="one-sided Fisher exact test: the chance of this split if the feature had nothing to do with the grade">p</th>
            </tr>
          </thead>
          <tbody>
            {signals.signals.map((s) => (
              <tr key={s.feature} data-testid="signal" data-feature={s.feature}>
                <td>
                  <span className={`badge kind-${s.kind}`}>
                    {s.kind === 'error' ? 'error' : s.kind === 'sequence' ? 'sequence' : 'tool'}
                  </span>{' '}
                  <code>{s.feature}</code>
                </td>
                <td>
                  {s.badRuns.length}/{signals.bad} {runLinks(s.badRuns)}
                </td>
                <td>
                  {s.goodRuns.length}/{signals.good} {runLinks(s.goodRuns)}
                </td>
                <td>{s.p < 0.001 ? '<0.001' : s.p.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
