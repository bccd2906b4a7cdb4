/** A verification's report: the result, what to check before trusting it, the arms side by side, by difficulty, the pairs fixed and broken. */
import { type ReactNode } from 'react'
import { Link } from '@tanstack/react-router'
import { graderHeadline, triggerJudged, triggerLow, type ArmStats, type VerificationView, type VerifyReport } from '@shared/verify'
import { count, fmtCost, fmtDuration } from '../../lib/format'
import { armName, fmtDifference, fmtP, fmtPassRate, fmtRateShort, pct, pWords } from '../../lib/verify'
import { Explain } from './Explain'
import { PairList } from './Pairs'

export function Report({ view, report: r, batchId }: { view: VerificationView; report: VerifyReport; batchId: string }) {
  const withName = armName(view, 'with')
  const withoutName = armName(view, 'without')
  const c = r.comparison
  // a low trigger rate only once enough of the arm's runs have finished to judge it (one run is no verdict)
  const lowArms = (['with', 'without'] as const).filter((arm) => triggerLow(r.arms[arm]))
  // the low trigger rate first, said even if the report's words for it change
  const lowWarnings = lowArms.length ? r.warnings.filter((w) => w.kind === 'low-trigger').map((w) => w.text) : []
  const low = lowWarnings.length
    ? lowWarnings
    : lowArms.map((arm) => {
        const t = r.arms[arm].trigger!
        return `Claude Code loaded ${r.arms[arm].label} in only ${t.invoked} of ${count(t.runs, 'run')} that had it (${pct(t.rate!)}): a skill it does not load does nothing.`
      })
  const others = r.warnings.filter((w) => w.kind !== 'low-trigger').map((w) => w.text)
  const pairOf = (key: string) => r.pairs.find((p) => p.key === key)
  return (
    <div className="verify-report" data-testid="verify-report" data-complete={r.complete ? 'true' : 'false'}>
      <h2>{r.complete ? 'Report' : 'Report so far'}</h2>
      {/* the result is the headline; what to look at before trusting it sits beside it */}
      <div className="report-top">
        <div className="card report-headline" data-testid="report-headline">
          <div className="verify-difference" data-testid="difference">
            {c.pairs ? (
              <>
                <strong>
                  {withName} against {withoutName}: {fmtDifference(c.difference)}
                </strong>{' '}
                <span className="muted">
                  over the {count(c.pairs, 'pair')} graded in both arms{r.complete ? '' : ' so far'}.
                </span>
              </>
            ) : (
              'No pair is graded in both arms yet.'
            )}
          </div>
          {view.grader ? (
            <div
              className={`grader-headline${view.grader.measured?.trusted ? '' : ' notice inline notice-error'}`}
              data-testid="grader-headline"
            >
              {graderHeadline(view.grader)[0].toUpperCase() + graderHeadline(view.grader).slice(1)}.
            </div>
          ) : null}
          {c.pairs ? (
            <>
              <div data-testid="pair-counts">
                Fixed by the skill: {c.fixed.length} · broken by it: {c.broken.length} · same grade: {c.ties}
              </div>
              <div className="muted" data-testid="p-words">
                {pWords(c, armName(view, 'with').replace(/^with /, ''))}
              </div>
            </>
          ) : null}
        </div>
        {low.length || others.length ? (
          <ul className="verify-warnings" data-testid="report-warnings" aria-label="Before trusting the result">
            {low.map((w) => (
              <li key={w} className="notice inline notice-error" data-testid="low-trigger">
                <strong>The skill was rarely loaded. </strong>
                {w}{' '}
                <Link to="/triggers/$skillId" params={{ skillId: view.verification.skillId }} data-testid="low-trigger-link">
                  Measure and improve its description →
                </Link>
              </li>
            ))}
            {others.map((w) => (
              <li key={w} className="notice inline notice-warning" data-testid="report-warning">
                {w}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="card">
        <table className="metrics verify-arms" data-testid="verify-arms">
          <thead>
            <tr>
              <th />
              <th>{withName}</th>
              <th>{withoutName}</th>
            </tr>
          </thead>
          <tbody>
            <ArmRow
              title="Pass rate (pairs graded in both arms)"
              testId="pass"
              r={r}
              cell={(a) => <strong>{fmtPassRate(a.passRate)}</strong>}
            />
            <ArmRow title="Every graded run" testId="all-graded" r={r} cell={(a) => fmtPassRate(a.allGraded)} />
            <ArmRow title="Runs" testId="runs" r={r} cell={(a) => `${a.finished} of ${a.runs} finished, ${a.graded} graded`} />
            <ArmRow
              title="Cost"
              testId="cost"
              r={r}
              cell={(a) =>
                `${fmtCost(a.costUsd)} ${a.finished < a.runs ? 'so far' : 'in all'}${a.meanCostUsd !== null ? ` · ${fmtCost(a.meanCostUsd)} a run` : ''}`
              }
            />
            <ArmRow title="Turns (mean)" testId="turns" r={r} cell={(a) => (a.meanTurns === null ? '—' : a.meanTurns.toFixed(1))} />
            <ArmRow
              title="Tool errors (mean)"
              testId="tool-errors"
              r={r}
              cell={(a) => (a.meanToolErrors === null ? '—' : a.meanToolErrors.toFixed(1))}
            />
            <ArmRow
              title="Duration (mean)"
              testId="duration"
              r={r}
              cell={(a) => (a.meanDurationMs === null ? '—' : fmtDuration(a.meanDurationMs))}
            />
            <ArmRow title="Claude Code loaded the skill" testId="trigger" r={r} cell={(a) => <TriggerCell arm={a} />} />
          </tbody>
        </table>
      </div>
      {r.byDifficulty.length ? (
        <div className="card">
          <div className="label">By difficulty</div>
          <table className="metrics" data-testid="by-difficulty">
            <thead>
              <tr>
                <th>Difficulty</th>
                <th>Pairs</th>
                <th>{withName}</th>
                <th>{withoutName}</th>
                <th>Fixed</th>
                <th>Broken</th>
                <th>Same</th>
                <th title="exact sign test on the pairs that came out differently">p</th>
              </tr>
            </thead>
            <tbody>
              {r.byDifficulty.map((d) => (
                <tr key={d.difficulty} data-testid="difficulty-row" data-difficulty={d.difficulty}>
                  <th>{d.difficulty}</th>
                  <td>{d.pairs}</td>
                  <td>{fmtRateShort(d.with)}</td>
                  <td>{fmtRateShort(d.without)}</td>
                  <td>{d.fixed.length}</td>
                  <td>{d.broken.length}</td>
                  <td>{d.ties}</td>
                  <td>{d.fixed.length + d.broken.length ? fmtP(d.p) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Explain view={view} />
      <PairList
        title="Runs the skill fixed"
        empty="No pair went from bad without the skill to good with it."
        testId="fixed-pairs"
        keys={c.fixed}
        pairOf={pairOf}
        view={view}
        batchId={batchId}
      />
      <PairList
        title="Runs the skill broke"
        empty="No pair went from good without the skill to bad with it."
        testId="broken-pairs"
        keys={c.broken}
        pairOf={pairOf}
        view={view}
        batchId={batchId}
      />
    </div>
  )
}

function ArmRow({ title, testId, r, cell }: { title: string; testId: string; r: VerifyReport; cell: (a: ArmStats) => ReactNode }) {
  return (
    <tr>
      <th>{title}</th>
      <td data-testid={`${testId}-with`}>{cell(r.arms.with)}</td>
      <td data-testid={`${testId}-without`}>{cell(r.arms.without)}</td>
    </tr>
  )
}

function TriggerCell({ arm: a }: { arm: ArmStats }) {
  const t = a.trigger
  if (!t) return <span className="muted">no skill in this arm</span>
  if (!t.runs || t.rate === null) return <span className="muted">no finished run yet</span>
  // too few finished runs to say: the count, and no rate or verdict yet
  if (!triggerJudged(a))
    return (
      <span className="muted" data-low="false">
        {t.invoked} of {count(t.runs, 'run')} so far: too few to judge yet
      </span>
    )
  const low = triggerLow(a)
  return (
    <span className={low ? 'error-text trigger-low' : ''} data-low={low ? 'true' : 'false'}>
      {t.invoked} of {count(t.runs, 'run')} ({pct(t.rate)}){a.finished < a.runs ? ' so far' : ''}
      {low ? ': low' : ''}
      {t.elsewhere ? ` · ${t.elsewhere} loaded another skill of the same name instead` : ''}
    </span>
  )
}
