import { contextTokensOf, type ContextReport } from '@shared/analysis'
import { count, fmtCutAmount, fmtTokens, fmtWindow } from '../../lib/format'
import { RunBadge } from '../../components/RunBadge'

/**
 * What the analysts read (or, before starting, would read): the model's window and how much of it the
 * evidence fills (text, screenshots, output files), then "Nothing was cut" or the cuts in the order
 * they were made, each with how much and the runs it touched (badges into the review deck).
 */
export function ContextReportView({
  report: r,
  model,
  batchId,
  before,
  folded
}: {
  report: ContextReport
  model: string
  batchId: string
  /** from the estimate, before starting: "would" (and foldable) */
  before?: boolean
  folded?: boolean
}) {
  const used = contextTokensOf(r)
  const pct = (n: number) => (r.window > 0 ? Math.min(100, (n / r.window) * 100) : 0)
  const share = r.window > 0 ? Math.round((used / r.window) * 100) : 0
  const body = (
    <>
      <div className="report-use">
        <div
          className="report-bar"
          role="meter"
          aria-label="Part of the window used"
          aria-valuemin={0}
          aria-valuemax={r.window}
          aria-valuenow={used}
          title={`${fmtTokens(used)} of ${fmtWindow(r.window)} tokens; up to ${fmtTokens(r.budget)} may go to the evidence (the mark)`}
        >
          <span className="text" style={{ width: `${pct(r.textTokens + (r.promptTokens ?? 0))}%` }} />
          <span className="images" style={{ width: `${pct(r.imageTokens)}%` }} />
          <span className="budget" style={{ left: `${pct(r.budget)}%` }} />
        </div>
        <span data-testid="report-use">
          <strong>
            {fmtTokens(used)} of {fmtWindow(r.window)} tokens
          </strong>{' '}
          ({share < 1 && used > 0 ? 'under 1' : share}% of {model}&apos;s window): {fmtTokens(r.textTokens)} of text
          {r.images ? `, ${fmtTokens(r.imageTokens)} of images (${count(r.images, 'screenshot')})` : ', no screenshots'}
          {r.promptTokens ? `, ${fmtTokens(r.promptTokens)} of task, grades and instructions` : ''}
          {r.outputFiles ? `, ${count(r.outputFiles, 'output file')}` : ', no output files'}.
        </span>
      </div>
      {r.redacted ? (
        <div className="report-redacted" data-testid="report-redacted">
          {count(r.redacted.count, 'secret')} (keys, tokens, passwords) {before ? 'would be' : r.redacted.count === 1 ? 'was' : 'were'}{' '}
          redacted before any model read them, in {r.redacted.runs.length === 1 ? 'run' : 'runs'}{' '}
          {r.redacted.runs.map((n) => (
            <RunBadge key={n} batchId={batchId} n={n} testId="redacted-run" />
          ))}{' '}
          <span className="muted">(the runs themselves are kept as they were)</span>
        </div>
      ) : null}
      {!r.cuts.length ? (
        <div className="report-nothing" data-testid="report-nothing-cut">
          {before ? 'Nothing would be cut' : 'Nothing was cut'}: every step at full length, every output file and screenshot.
        </div>
      ) : (
        <>
          <div className="muted">
            To fit the {fmtTokens(r.budget)} tokens left for the evidence (the window less room for the answers),{' '}
            {before ? 'this would be cut' : 'this was cut'}, in this order:
          </div>
          <ol className="report-cuts" data-testid="report-cuts">
            {r.cuts.map((c, i) => (
              <li key={`${c.step}-${i}`} data-testid="report-cut" data-step={c.step}>
                <span className="cut-label">{c.label}</span> <span className="nums">{fmtCutAmount(c.amount, c.unit)}</span>{' '}
                {c.runs.length ? (
                  <span className="cut-runs">
                    {c.runs.length === 1 ? 'run' : 'runs'}{' '}
                    {c.runs.map((n) => (
                      <RunBadge key={n} batchId={batchId} n={n} testId="cut-run" />
                    ))}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  )
  if (!before)
    return (
      <div className="context-report" data-testid="context-report">
        <div className="report-title">What the analysts read</div>
        {body}
      </div>
    )
  return (
    <details className="context-report" data-testid="context-report" data-before="true" open={!folded}>
      <summary className="report-title">
        What the analysts would read
        <span className="muted report-gist">
          {' '}
          · {fmtTokens(used)} of {fmtWindow(r.window)} tokens · {r.cuts.length ? `${count(r.cuts.length, 'cut')} to fit` : 'nothing cut'}
        </span>
      </summary>
      {body}
    </details>
  )
}
