import { contextTokensOf, type AnalysisEstimate } from '@shared/analysis'
import { count, fmtCost, fmtTokens } from '../../lib/format'
import { ContextReportView } from './ContextReportView'

/**
 * "About $0.42 (18.3k tokens of context, 4.1k of them for 6 screenshots, model M; 3 rounds of looking
 * closer expected, up to 6)": what Analyse would cost, on what basis, and what the analysts would read.
 */
export function EstimateLine({
  estimate,
  batchId,
  folded
}: {
  estimate: { data?: AnalysisEstimate; error?: string; loading: boolean }
  batchId: string
  /** an analysis is on the page (with its own report): the estimate's report starts folded */
  folded: boolean
}) {
  const e = estimate.data
  if (estimate.error)
    return (
      <div className="muted" data-testid="analysis-estimate">
        No estimate: {estimate.error}
      </div>
    )
  if (!e)
    return estimate.loading ? (
      <div className="muted" data-testid="analysis-estimate">
        Estimating the cost…
      </div>
    ) : null
  const models = e.mergeModel === e.model ? `model ${e.model}` : `model ${e.model}, merge ${e.mergeModel}`
  const images = e.report.images ? `, ${fmtTokens(e.report.imageTokens)} of them for ${count(e.report.images, 'screenshot')}` : ''
  const rounds = e.rounds.max
    ? `; ${count(e.rounds.expected, 'round')} of looking closer expected, up to ${e.rounds.max}`
    : '; no looking closer'
  // the one figure for the context (the report below says the same)
  const context = `${fmtTokens(contextTokensOf(e.report))} tokens of context${images}${e.groups > 1 ? ` in ${e.groups} groups` : ''}, ${models}${rounds}`
  return (
    <div className="estimate" data-testid="analysis-estimate" data-usd={e.usd ?? ''} aria-busy={estimate.loading}>
      <div>
        {e.usd !== null ? (
          <>
            <strong>About {fmtCost(e.usd)}</strong> ({context}).
          </>
        ) : (
          <>
            <strong>No price estimate</strong> ({context}).
          </>
        )}{' '}
        <span className="muted">{e.basis.charAt(0).toUpperCase() + e.basis.slice(1)}.</span>
      </div>
      <ContextReportView report={e.report} model={e.model} batchId={batchId} before folded={folded} />
    </div>
  )
}
