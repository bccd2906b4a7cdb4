/**
 * An optimisation's rounds: each description (its full text a click away) with recall and
 * false-trigger rate on the training split and on the held-out one; the pick (by the held-out split)
 * highlighted.
 */
import type { Optimisation } from '@shared/triggers'
import { fmtCost, oneLine } from '../../lib/format'
import { falseCell, recallCell } from './words'

export function RoundsTable({ o }: { o: Optimisation }) {
  if (!o.done.length) return <p className="muted">No round measured yet.</p>
  return (
    <table className="data trigger-rounds" data-testid="rounds">
      <thead>
        <tr>
          <th scope="col" rowSpan={2}>
            Round
          </th>
          <th scope="col" rowSpan={2}>
            Description
          </th>
          <th scope="colgroup" colSpan={2}>
            Training split
          </th>
          <th scope="colgroup" colSpan={2}>
            Held out
          </th>
          <th scope="col" rowSpan={2}>
            Cost
          </th>
        </tr>
        <tr>
          <th scope="col">Recall</th>
          <th scope="col">False triggers</th>
          <th scope="col">Recall</th>
          <th scope="col">False triggers</th>
        </tr>
      </thead>
      <tbody>
        {o.done.map((r) => {
          const picked = o.best !== undefined && r.round === o.best
          return (
            <tr key={r.round} data-testid="round-row" data-picked={picked || undefined} className={picked ? 'suggested' : undefined}>
              <th scope="row">
                {r.round === 0 ? "0: the version's own" : r.round}
                {picked ? (
                  <span className="badge state-complete" data-testid="picked-badge">
                    Picked
                  </span>
                ) : null}
              </th>
              <td className="round-description">
                <details>
                  <summary data-testid="round-summary">
                    <span className="round-line">{oneLine(r.description, 140)}</span>
                    <span className="round-open muted">the description in full</span>
                  </summary>
                  <div className="query-prompt" data-testid="round-description">
                    {r.description}
                  </div>
                  {r.why ? <div className="muted small">Why: {r.why}</div> : null}
                </details>
              </td>
              <td data-testid="round-train-recall">{recallCell(r.train)}</td>
              <td data-testid="round-train-false">{falseCell(r.train)}</td>
              <td data-testid="round-test-recall">{recallCell(r.test)}</td>
              <td data-testid="round-test-false">{falseCell(r.test)}</td>
              <td>{fmtCost(r.usd)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
