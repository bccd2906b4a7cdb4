/** A verification (`#/verification/<id>`): where it is, live, with cancel and resume; grading blind; its report once every run is graded. */
import { Link, useNavigate } from '@tanstack/react-router'
import { RUN_MODEL_DEFAULT_LABEL } from '@shared/models'
import type { VerificationView } from '@shared/verify'
import { useApi } from '../../data/queries'
import { count, fmtLocalTime } from '../../lib/format'
import { useShortcut } from '../../lib/hotkeys'
import { ErrorLine } from '../../components/ErrorLine'
import { CandidatesPage } from '../candidates'
import { Report } from './Report'
import { NextVersion } from './NextVersion'
import { VersionChart } from './Chart'
import { ConfirmResultsList } from '../skill/ConfirmResults'
import { VerifyStatusCard } from '../../components/VerifyStatusCard'

const SOURCE_WORDS = {
  fresh: 'fresh variations (held out)',
  batch: "the analysed batch's own variations (not held out: overstates the gain)",
  pasted: 'pasted variations'
}

export function VerificationPage({ verificationId }: { verificationId: string }) {
  // kept current by verificationProgress, runProgress and batchProgress (data/cache.ts)
  const loaded = useApi('getVerification', { verificationId })
  const navigate = useNavigate()
  const batchId = loaded.data?.verification.batchId
  useShortcut('verify.grade', () => batchId && void navigate({ to: '/review/$batchId', params: { batchId } }), { enabled: !!batchId })

  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  const view = loaded.data
  // a candidates verification has a page of its own (the table, promote)
  if (view.verification.kind === 'candidates') return <CandidatesPage verificationId={verificationId} />
  const { verification: v, status: s, report } = view
  const explaining = Object.values(v.explanations).some((e) => e.state === 'running')
  const busy = s.stage === 'generating' || s.stage === 'running' || explaining
  return (
    <section className="page verification" data-testid="verification">
      <div className="crumbs">
        <Link to="/skill/$skillId" params={{ skillId: v.skillId }}>
          ← {v.skillName || 'skill'}
        </Link>
      </div>
      {v.kind === 'confirm' ? (
        <h1>
          Confirm the rules of {v.skillName}: version {v.version.number}
        </h1>
      ) : (
        <h1>
          Verify {v.skillName}: version {v.version.number} against {v.against ? `version ${v.against.number}` : 'no skill'}
        </h1>
      )}
      <div className="muted">
        {v.kind === 'confirm'
          ? `${count(v.confirm?.rules.length ?? 0, 'rule')} drawn from bad runs, each installed alone · ${count(v.variations.length, 'variation')} of the batch it was learned from`
          : `${v.variations.length ? count(v.variations.length, 'variation') : 'variations being written'} · ${SOURCE_WORDS[v.source]} · ${count(v.repeats, 'repeat')} per arm`}{' '}
        · {v.settings.model || RUN_MODEL_DEFAULT_LABEL} · max {count(v.settings.maxTurns, 'turn')} · started {fmtLocalTime(v.createdAt)}
      </div>
      <VerifyStatusCard
        view={view}
        busy={busy}
        deck={
          v.kind === 'confirm'
            ? { what: "Every rule's runs", hides: 'which rule a run tested' }
            : { what: 'Both arms', hides: 'which run had the skill' }
        }
      />
      {view.blind ? <BlindNote blind={view.blind} skillId={v.skillId} /> : null}
      {report && batchId ? <Report view={view} report={report} batchId={batchId} /> : null}
      {view.confirm ? (
        <div className="card" data-testid="confirm-report">
          <div className="label">Each rule re-run alone on its failures and a good variation</div>
          <ConfirmResultsList results={view.confirm} batchId={batchId} />
          <p className="muted small">Remove the harmful rules in the composer (Skills), then verify the new version.</p>
        </div>
      ) : null}
      {batchId && v.kind !== 'confirm' ? <NextVersion view={view} batchId={batchId} /> : null}
      {v.kind !== 'confirm' ? (
        <div className="card">
          <div className="label">Pass rate per version, across verifications of {v.skillName}</div>
          <VersionChart skillId={v.skillId} />
        </div>
      ) : null}
    </section>
  )
}

/** While not every run is graded: no report, and what blind promises (the warnings about the whole are said already). */
function BlindNote({ blind, skillId }: { blind: NonNullable<VerificationView['blind']>; skillId: string }) {
  return (
    <div className="card verify-blind" data-testid="verify-blind">
      <div className="label">Report</div>
      <p>
        The report comes once every run is graded ({blind.graded} of {blind.runs} so far). Until then nothing in the app, its run folders,
        its session browser or the command line says which run had the skill: not its arm, its trace, its cost or its turns.
      </p>
      {blind.warnings.length ? (
        <ul className="verify-warnings" data-testid="report-warnings">
          {blind.warnings.map((w) => (
            <li
              key={w.text}
              className={`notice inline ${w.kind === 'low-trigger' ? 'notice-error' : 'notice-warning'}`}
              data-testid="report-warning"
            >
              {w.text}
              {w.kind === 'low-trigger' ? (
                <>
                  {' '}
                  <Link to="/triggers/$skillId" params={{ skillId }} data-testid="low-trigger-link">
                    Measure and improve its description →
                  </Link>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
