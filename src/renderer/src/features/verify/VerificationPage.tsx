/** A verification (`#/verification/<id>`): where it is, live, with cancel and resume; grading blind; its report once every run is graded. */
import { Link, useNavigate } from '@tanstack/react-router'
import { RUN_MODEL_DEFAULT_LABEL } from '@shared/models'
import { leftForYouText, type VerificationView } from '@shared/verify'
import { useApi, useApiMutation } from '../../data/queries'
import { count, fmtLocalTime } from '../../lib/format'
import { useShortcut } from '../../lib/hotkeys'
import { STAGE_WORDS, statusLine } from '../../lib/verify'
import { ErrorLine } from '../../components/ErrorLine'
import { CandidatesPage } from '../candidates'
import { Report } from './Report'
import { NextVersion } from './NextVersion'
import { VersionChart } from './Chart'
import { ConfirmResultsList } from '../skill/ConfirmResults'

const SOURCE_WORDS = {
  fresh: 'fresh variations (held out)',
  batch: "the analysed batch's own variations (not held out: overstates the gain)",
  pasted: 'pasted variations'
}

export function VerificationPage({ verificationId }: { verificationId: string }) {
  // kept current by verificationProgress, runProgress and batchProgress (data/cache.ts)
  const loaded = useApi('getVerification', { verificationId })
  const cancel = useApiMutation('cancelVerification')
  const resume = useApiMutation('resumeVerification')
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
  const resumable = s.stage === 'failed' || s.stage === 'cancelled' || s.stage === 'interrupted' || s.unfinished > 0
  const error = cancel.error ?? resume.error
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
      <div className="card verify-status" data-testid="verify-status" data-stage={s.stage}>
        <div className="verify-status-line">
          <span className={`badge state-${s.stage}`} data-testid="verify-stage">
            {STAGE_WORDS[s.stage]}
          </span>
          {s.runs ? <progress max={s.runs} value={s.finished} aria-label="Runs finished" /> : null}
          <span data-testid="verify-progress">{statusLine(s)}</span>
          {busy ? (
            <button onClick={() => cancel.mutate({ verificationId })} disabled={cancel.isPending} data-testid="cancel-verification">
              Cancel
            </button>
          ) : null}
          {resumable ? (
            <button onClick={() => resume.mutate({ verificationId })} disabled={resume.isPending} data-testid="resume-verification">
              {s.unfinished ? `Resume: run the ${count(s.unfinished, 'unfinished run')} again` : 'Resume'}
            </button>
          ) : null}
        </div>
        {v.error ? (
          <div className="error-text" data-testid="verify-error" role="alert">
            {v.error}
          </div>
        ) : null}
        {error ? <ErrorLine error={error.message} /> : null}
        {batchId ? (
          <div className="grade-blind">
            <Link className="button big" to="/review/$batchId" params={{ batchId }} data-testid="grade-blind">
              Grade blind →
            </Link>
            <span className="muted">
              {v.kind === 'confirm' ? "Every rule's runs" : 'Both arms'} in one shuffled deck (key <kbd>g</kbd>): nothing in it says{' '}
              {v.kind === 'confirm' ? 'which rule a run tested' : 'which run had the skill'}. {s.graded} of {s.runs} graded.
            </span>
          </div>
        ) : null}
        {view.leftForYou?.length ? (
          <div className="notice notice-warning inline" data-testid="left-for-you">
            {leftForYouText(view.leftForYou)[0].toUpperCase() + leftForYouText(view.leftForYou).slice(1)}: grade{' '}
            {view.leftForYou.length === 1 ? 'it' : 'them'} in the blind deck, where its grade waits for you to confirm (Enter) or flip (f).
            The report comes once you have.
          </div>
        ) : v.grade === 'assist' && v.autoGrade && (v.autoGrade.state === 'waiting' || v.autoGrade.state === 'running') ? (
          <div className="muted" data-testid="assist-grading">
            The grader grades the runs once they have finished ({v.autoGrade.done} of {v.autoGrade.total || s.runs}); it leaves you the ones
            it is unsure of.
          </div>
        ) : null}
      </div>
      {view.blind ? <BlindNote blind={view.blind} /> : null}
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
function BlindNote({ blind }: { blind: NonNullable<VerificationView['blind']> }) {
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
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
