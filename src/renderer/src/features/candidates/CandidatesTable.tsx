/**
 * A candidates verification's table: per arm (no skill, then each candidate) the pass rate with its 95%
 * interval, the difference against no skill with the exact test's p, the trigger rate and the cost,
 * and a Promote button per candidate; the suggested one highlighted, or the sentence why none; then
 * each candidate against each other (difference and p).
 */
import { pText, type CandidatesTable as Table } from '@shared/candidates'
import type { Verification } from '@shared/verify'
import { fmtCost } from '../../lib/format'
import { fmtDifference, fmtPassRate, pct } from '../../lib/verify'

export function CandidatesTable({
  v,
  table: t,
  onPromote,
  promoting,
  promoted
}: {
  v: Verification
  table: Table
  onPromote: (versionId: string, number: number) => void
  promoting: boolean
  promoted?: string
}) {
  const names = (v.candidates ?? []).map((c) => `version ${c.number}`)
  return (
    <div className="card candidates-table" data-testid="candidates-table">
      <div className="label">
        Over the {t.pairs} variation-repeat{t.pairs === 1 ? '' : 's'} graded in every arm{t.complete ? '' : ' so far'}
      </div>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col">Pass rate (95% CI)</th>
            <th scope="col">Against no skill</th>
            <th scope="col">Loaded</th>
            <th scope="col">Cost</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {t.rows.map((r) => {
            const suggested = r.candidate !== null && r.candidate === t.suggested
            return (
              <tr
                key={r.label}
                className={suggested ? 'suggested' : undefined}
                data-testid="candidate-row"
                data-suggested={suggested || undefined}
              >
                <th scope="row">
                  {r.label}
                  {suggested ? (
                    <span className="badge state-complete" data-testid="suggested-badge">
                      Suggested
                    </span>
                  ) : null}
                </th>
                <td data-testid="candidate-pass">{fmtPassRate(r.passRate)}</td>
                <td data-testid="candidate-vs-none">
                  {r.vsNone
                    ? `${fmtDifference(r.vsNone.difference)} · fixed ${r.vsNone.fixed}, broke ${r.vsNone.broken} · ${pText(r.vsNone.p)}`
                    : '—'}
                </td>
                <td data-testid="candidate-trigger">
                  {r.trigger
                    ? `${r.trigger.invoked} of ${r.trigger.runs}${r.trigger.rate === null ? '' : ` (${pct(r.trigger.rate)})`}`
                    : '—'}
                </td>
                <td>
                  {fmtCost(r.costUsd)}
                  <span className="muted"> · {r.meanCostUsd === null ? '—' : fmtCost(r.meanCostUsd)} a run</span>
                </td>
                <td>
                  {r.versionId ? (
                    promoted === r.versionId ? (
                      <span data-testid="promoted">Promoted</span>
                    ) : (
                      <button
                        className={suggested ? 'primary' : undefined}
                        disabled={promoting}
                        onClick={() => onPromote(r.versionId!, v.candidates![r.candidate!].number)}
                        data-testid="promote"
                        title="Make this version the skill's current one"
                      >
                        Promote {r.label}
                      </button>
                    )
                  ) : null}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <p className={t.suggested === null ? 'notice notice-warning inline' : 'notice inline'} data-testid="candidates-why" role="status">
        {t.suggested === null ? 'No suggestion. ' : `Suggested: ${names[t.suggested]}. `}
        {t.why}
      </p>
      {names.length > 1 ? (
        <>
          <div className="label">Each against each (row minus column, exact sign test on the pairs that disagree)</div>
          <table className="data" data-testid="candidates-matrix">
            <thead>
              <tr>
                <th />
                {names.map((n) => (
                  <th key={n} scope="col">
                    {n}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.matrix.map((row, i) => (
                <tr key={names[i]}>
                  <th scope="row">{names[i]}</th>
                  {row.map((c, j) => (
                    <td key={names[j]}>{c ? `${fmtDifference(c.difference)} · ${pText(c.p)}` : '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  )
}
