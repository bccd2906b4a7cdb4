import { useNavigate } from '@tanstack/react-router'
import type { Analysis, AnalysisEstimate } from '@shared/analysis'
import { useApiMutation } from '../../data/queries'
import { fmtCost, fmtTokens } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'
import { AnalystLine } from './AnalystLine'
import { ContextReportView } from './ContextReportView'

export function AnalysisView({ analysis: a, estimate }: { analysis: Analysis; estimate?: AnalysisEstimate }) {
  const navigate = useNavigate()
  const cancelAnalysis = useApiMutation('cancelAnalysis')
  const cancelAnalyst = useApiMutation('cancelAnalyst')
  const retryAnalyst = useApiMutation('retryAnalyst')
  const error = cancelAnalysis.error ?? cancelAnalyst.error ?? retryAnalyst.error
  const act = { cancelAnalyst: cancelAnalyst.mutate, retryAnalyst: retryAnalyst.mutate }
  const total = a.analysts.reduce((n, s) => n + s.costUsd, 0) + a.merge.costUsd + (a.support?.costUsd ?? 0)
  const c = a.context
  // the estimate for these settings, per analyst, beside each analyst's actual cost (when it is for the same model and runs)
  const each =
    estimate && estimate.analysts.usd !== null && estimate.model === a.model && estimate.via === a.via && estimate.runs === c.runs
      ? estimate.analysts.usd / Math.max(1, a.analysts.length)
      : undefined
  return (
    <div className="card analysis" data-testid="analysis" data-state={a.state}>
      <div className="analysis-head">
        <strong>{a.state === 'analysing' ? 'Analysing' : a.state === 'merging' ? 'Merging the rules' : a.state}</strong>
        <span className="muted">
          {c.runs} runs
          {c.report
            ? ''
            : ` · condensed to ${fmtTokens(c.tokens)} tokens from ${fmtTokens(c.rawTokens)}${
                c.level > 0 || c.stepsOmitted
                  ? ` (cut: ${fmtTokens(Math.round(c.charsCut / 4))} tokens of long texts${c.stepsOmitted ? `, ${c.stepsOmitted} steps` : ''})`
                  : ''
              }`}
          {c.chunks > 1
            ? a.state === 'analysing'
              ? ` · in ${c.chunks} groups of runs, whose rules will then be consolidated`
              : ` · in ${c.chunks} groups`
            : ''}{' '}
          · {a.via === 'api' ? 'API' : 'claude -p'} · {a.model}
          {a.seed !== undefined ? (
            <span
              data-testid="analysis-seed"
              title="The analysts read the runs, and the merge their rules, in this seed's order (a candidate)"
            >
              {' '}
              · seed {a.seed}
            </span>
          ) : null}{' '}
          · <span data-testid="analysis-cost">{fmtCost(total)}</span>
        </span>
        {a.state === 'analysing' || a.state === 'merging' ? (
          <button onClick={() => cancelAnalysis.mutate({ analysisId: a.id })} data-testid="cancel-analysis">
            Cancel all
          </button>
        ) : null}
      </div>
      {c.report ? <ContextReportView report={c.report} model={a.model} batchId={a.batchId} /> : null}
      {a.preparing && a.state === 'analysing' ? (
        <div className="muted analysis-preparing" role="status" data-testid="analysis-preparing">
          {a.preparing}
        </div>
      ) : null}
      {a.analysts.map((s) => (
        <AnalystLine key={s.kind} s={s} analysis={a} act={act} estimated={each} />
      ))}
      <div className="analyst-line" data-testid="merge-line" data-state={a.merge.state}>
        <strong>Merge</strong> <span className={`badge state-${a.merge.state}`}>{a.merge.state}</span>{' '}
        <span className="muted">{a.merge.error ?? 'groups rules that say the same thing; the app tiers them by evidence'}</span>
      </div>
      {a.support ? (
        <div className="analyst-line" data-testid="support-line" data-state={a.support.state}>
          <strong>Support check</strong> <span className={`badge state-${a.support.state}`}>{a.support.state}</span>{' '}
          <span className="muted">
            {a.support.error ??
              `${a.support.checked} of ${a.support.runs} cited runs checked against their rules (${a.support.model}): ${a.support.confirmed} citations confirmed, ${a.support.unconfirmed} not`}{' '}
            · {fmtCost(a.support.costUsd)}
          </span>
        </div>
      ) : null}
      {a.warnings.length ? (
        <ul className="warnings">
          {a.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {a.skillId ? (
        <button
          className="primary"
          onClick={() => void navigate({ to: '/skill/$skillId', params: { skillId: a.skillId! } })}
          data-testid="open-skill"
        >
          Open the skill →
        </button>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </div>
  )
}
