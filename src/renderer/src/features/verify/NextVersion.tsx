import { useState } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import { DEFAULT_ANALYST_MODEL } from '@shared/models'
import { type VerificationView } from '@shared/verify'
import { useApi, useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'

/** Deepen: the verification's graded runs (both arms) analysed into the next version. */
export function NextVersion({ view, batchId }: { view: VerificationView; batchId: string }) {
  const v = view.verification
  const deepen = useApiMutation('deepenFromVerification')
  const navigate = useNavigate()
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const graded = view.report?.graded ?? 0
  // deepened already: the next step is the new version's verification, not a second deepen
  const analysis = useApi('getAnalysis', v.deepenAnalysisId ? { analysisId: v.deepenAnalysisId } : null)
  const skill = useApi('getSkill', { skillId: v.skillId })
  const newest = (skill.data?.versions ?? []).reduce((n, x) => Math.max(n, x.number), 0)
  const made = analysis.data?.state === 'done' && analysis.data.skillId === v.skillId && newest > v.version.number ? newest : null
  if (made)
    return (
      <div className="card next-version" data-testid="next-version">
        <div className="label">The next version</div>
        <p>
          Version {made} was made from this verification. Verify it (on fresh variations) to know whether it does better than version{' '}
          {v.version.number}.
        </p>
        <div className="row-form">
          <Link className="button primary" to="/verify/$skillId" params={{ skillId: v.skillId }} data-testid="verify-next-version">
            Verify version {made} →
          </Link>
          <Link to="/analyze/$batchId" params={{ batchId }} data-testid="deepen-analysis">
            The analysis that made it
          </Link>
        </div>
      </div>
    )
  return (
    <div className="card next-version" data-testid="next-version">
      <div className="label">The next version</div>
      <p className="muted">
        Four analysts read both arms&apos; graded runs, told which arm each run was in and which pairs the skill fixed or broke, and deepen
        the skill into its next version.
      </p>
      <div className="row-form">
        <select value={via} onChange={(e) => setVia(e.target.value as typeof via)} aria-label="Model access for the analysts">
          <option value="api">Anthropic API</option>
          <option value="claude-cli">My Claude Code login (claude -p)</option>
        </select>
        <input value={model} onChange={(e) => setModel(e.target.value)} aria-label="Analyst model" size={22} />
        <button
          className="primary"
          disabled={!graded || !!view.blind || deepen.isPending || !model.trim()}
          title={
            view.blind
              ? 'Grade every run first: the analysts are told which run had the skill'
              : graded
                ? undefined
                : 'Grade some runs first'
          }
          onClick={() =>
            deepen.mutate(
              { verificationId: v.id, via, model: model.trim() },
              { onSuccess: () => void navigate({ to: '/analyze/$batchId', params: { batchId } }) }
            )
          }
          data-testid="deepen"
        >
          {deepen.isPending ? 'Starting the analysts…' : 'Deepen from this verification →'}
        </button>
        {v.deepenAnalysisId ? (
          <Link to="/analyze/$batchId" params={{ batchId }} data-testid="deepen-analysis">
            The analysis started from it
          </Link>
        ) : null}
      </div>
      {deepen.error ? <ErrorLine error={deepen.error.message} /> : null}
    </div>
  )
}
