/**
 * A batch's rubric and its grader: the assertions learned from the person's sentences (edit, add,
 * delete: each a new version), and how far a grader built from them agrees with the person, measured
 * by cross-validation (accuracy, kappa, the confusion table, every disagreement one click from its run),
 * with whether to trust it and why. Text from models and runs renders as plain text.
 */
import { Link } from '@tanstack/react-router'
import type { GraderCheck } from '@shared/grading'
import { useApi, useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { fmtCost } from '../../lib/format'
import { RubricList } from './RubricList'

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`)

export function AgreementView({ grader, batchId }: { grader: GraderCheck; batchId: string }) {
  const r = grader.report
  if (!r)
    return (
      <div data-testid="grader-state" className="muted">
        {grader.state === 'running'
          ? `Measuring: ${grader.progress.done} of ${grader.progress.total} model calls (${grader.progress.step})`
          : `The measurement ${grader.state}${grader.error ? `: ${grader.error}` : ''}`}
      </div>
    )
  const a = r.agreement
  const c = a.confusion
  return (
    <div data-testid="agreement">
      <p>
        Accuracy <strong data-testid="accuracy">{pct(a.accuracy)}</strong> ({a.agreed} of {a.n} runs), Cohen&apos;s kappa{' '}
        <strong data-testid="kappa">{a.kappa === null ? 'undefined' : a.kappa.toFixed(2)}</strong>
        {a.kappaNote ? <span className="muted"> ({a.kappaNote})</span> : null} · {r.folds.length} folds · {fmtCost(grader.costUsd)}
      </p>
      <table className="confusion" data-testid="confusion">
        <thead>
          <tr>
            <th />
            <th>grader: good</th>
            <th>grader: bad</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>you: good</th>
            <td>{c.goodGood}</td>
            <td>{c.goodBad}</td>
          </tr>
          <tr>
            <th>you: bad</th>
            <td>{c.badGood}</td>
            <td>{c.badBad}</td>
          </tr>
        </tbody>
      </table>
      {r.trust.trusted ? (
        <div className="notice inline" data-testid="trust">
          Trust it: kappa at least 0.6 and accuracy at least 80% over {a.n} runs.
        </div>
      ) : (
        <div className="notice notice-warning inline" data-testid="trust">
          Do not trust it yet:
          <ul>
            {r.trust.reasons.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </div>
      )}
      {r.disagreements.length ? (
        <>
          <h3>Where it disagrees with you</h3>
          <ul data-testid="disagreements">
            {r.disagreements.map((d) => (
              <li key={d.runId}>
                <Link to="/review/$batchId/$run" params={{ batchId, run: d.number }}>
                  Run {d.number}
                </Link>
                : you said <strong>{d.person}</strong>
                {d.personText ? ` ("${d.personText}")` : ''}; the grader said <strong>{d.grader}</strong>: {d.reason}
                <ul>
                  {d.verdicts
                    .filter((v) => v.verdict !== 'n/a')
                    .map((v) => (
                      <li key={v.assertionId} className="muted">
                        {v.verdict}: {v.text} ({v.evidence})
                      </li>
                    ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}

/** The grader's grades of the runs the person has not graded: each marked as the grader's, to confirm or flip. */
function Pregrades({ batchId, ungraded, numbers }: { batchId: string; ungraded: number; numbers: Map<string, number> }) {
  const pregrade = useApi('getPregrade', { batchId })
  const start = useApiMutation('startPregrade')
  const cancel = useApiMutation('cancelPregrade')
  const confirm = useApiMutation('confirmPregrade')
  const p = pregrade.data
  const rows = p ? Object.entries(p.grades).sort(([a], [b]) => (numbers.get(a) ?? 0) - (numbers.get(b) ?? 0)) : []
  const error = start.error ?? cancel.error ?? confirm.error ?? pregrade.error
  const m = p?.measured
  return (
    <div data-testid="pregrades">
      <h3>Pre-grading</h3>
      {p?.state === 'running' ? (
        <p className="muted">
          Pre-grading: {p.progress.done} of {p.progress.total} runs. <button onClick={() => cancel.mutate({ batchId })}>Cancel</button>
        </p>
      ) : (
        <button onClick={() => start.mutate({ batchId })} disabled={!ungraded || start.isPending}>
          {ungraded === 1
            ? 'Pre-grade the ungraded run'
            : ungraded
              ? `Pre-grade the ${ungraded} ungraded runs`
              : 'Every run is graded by you'}
        </button>
      )}
      {p ? (
        <p className="muted" data-testid="pregrade-trust">
          {!m
            ? 'The grader was never measured against your grades on this task: measure it above to know how far to trust these.'
            : `The grader agreed with you on ${pct(m.accuracy)} of runs (kappa ${m.kappa === null ? 'undefined' : m.kappa.toFixed(2)})${m.trusted ? '.' : ': do not trust it yet.'}`}
        </p>
      ) : null}
      {rows.length ? (
        <ul>
          {rows.map(([runId, g]) => {
            const other = g.label === 'good' ? 'bad' : 'good'
            return (
              <li key={runId} data-testid="pregrade">
                <Link to="/review/$batchId/$run" params={{ batchId, run: numbers.get(runId) ?? g.number }}>
                  Run {numbers.get(runId) ?? g.number}
                </Link>
                : <strong>{g.label}</strong> <span className="badge">grader&apos;s, not confirmed</span>{' '}
                {g.unsure ? (
                  <>
                    <span className="badge grader-unsure" data-testid="pregrade-unsure" title={g.unsure.why}>
                      unsure
                    </span>{' '}
                  </>
                ) : null}
                {g.reason}{' '}
                <button onClick={() => confirm.mutate({ runId })} disabled={confirm.isPending}>
                  Confirm {g.label}
                </button>{' '}
                <button onClick={() => confirm.mutate({ runId, label: other })} disabled={confirm.isPending}>
                  Flip to {other}
                </button>
              </li>
            )
          })}
        </ul>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </div>
  )
}

export function GraderPanel({
  batchId,
  graded,
  ungraded = 0,
  numbers = new Map()
}: {
  batchId: string
  graded: number
  /** finished runs the person has not graded */
  ungraded?: number
  /** run id to its number */
  numbers?: Map<string, number>
}) {
  const rubric = useApi('getRubric', { batchId })
  const latest = useApi('latestGrader', { batchId })
  const estimate = useApi('estimateGrader', graded >= 2 ? { batchId } : null)
  const build = useApiMutation('buildRubric')
  const start = useApiMutation('startGrader')
  const cancel = useApiMutation('cancelGrader')
  const running = latest.data?.state === 'running'
  const error = build.error ?? start.error ?? cancel.error ?? rubric.error ?? latest.error
  return (
    <section className="grader-panel" data-testid="grader-panel">
      <h2>A grader learned from your sentences</h2>
      {!graded ? (
        <p className="muted">Grade some runs first: the rubric is written from your sentences.</p>
      ) : (
        <>
          <h3>Rubric</h3>
          {rubric.data ? <RubricList view={rubric.data} /> : <p className="muted">No rubric yet for this task.</p>}
          <button onClick={() => build.mutate({ batchId })} disabled={build.isPending}>
            {build.isPending
              ? 'Writing the rubric…'
              : rubric.data
                ? 'Rebuild from these sentences'
                : `Build the rubric from ${graded} graded runs`}
          </button>
          <h3>How far to trust it</h3>
          {estimate.data ? (
            <p className="muted" data-testid="grader-estimate">
              Measuring costs {estimate.data.usd === null ? 'an unknown amount' : `about ${fmtCost(estimate.data.usd)}`}:{' '}
              {estimate.data.calls} model calls ({estimate.data.folds} folds over {estimate.data.runs} runs).
            </p>
          ) : null}
          {running ? (
            <button onClick={() => cancel.mutate({ graderId: latest.data!.id })}>Cancel</button>
          ) : (
            <button onClick={() => start.mutate({ batchId })} disabled={graded < 2 || start.isPending}>
              Measure the grader against your grades
            </button>
          )}
          {latest.data ? <AgreementView grader={latest.data} batchId={batchId} /> : null}
          {rubric.data ? <Pregrades batchId={batchId} ungraded={ungraded} numbers={numbers} /> : null}
        </>
      )}
      {error ? <ErrorLine error={error.message} /> : null}
    </section>
  )
}
