/**
 * Where a verification of any kind is, the same card on its page and the candidates page: the stage,
 * progress, Cancel and Resume, its error, the link to grade it blind, and ('assist') the runs the grader
 * left for the person.
 */
import type { ReactNode } from 'react'
import { Link } from '@tanstack/react-router'
import { leftForYouText, type VerificationView } from '@shared/verify'
import { useApiMutation } from '../data/queries'
import { count } from '../lib/format'
import { STAGE_WORDS, statusLine } from '../lib/verify'
import { ErrorLine } from './ErrorLine'

export function VerifyStatusCard(props: {
  view: VerificationView
  /** something of it runs: Cancel is offered */
  busy: boolean
  /** instead of the runs' progress bar (a build's) */
  progress?: ReactNode
  /** what the deck holds, after "in one shuffled deck" */
  deck: { what: string; hides: string }
  /** an error of the page's own (a promote) */
  error?: Error | null
}) {
  const { view, busy } = props
  const { verification: v, status: s } = view
  const cancel = useApiMutation('cancelVerification')
  const resume = useApiMutation('resumeVerification')
  const resumable = s.stage === 'failed' || s.stage === 'cancelled' || s.stage === 'interrupted' || s.unfinished > 0
  const error = cancel.error ?? resume.error ?? props.error
  const batchId = v.batchId
  const left = view.leftForYou
  return (
    <div className="card verify-status" data-testid="verify-status" data-stage={s.stage}>
      <div className="verify-status-line">
        <span className={`badge state-${s.stage}`} data-testid="verify-stage">
          {STAGE_WORDS[s.stage]}
        </span>
        {props.progress ?? (s.runs ? <progress max={s.runs} value={s.finished} aria-label="Runs finished" /> : null)}
        <span data-testid="verify-progress">{statusLine(s)}</span>
        {busy ? (
          <button onClick={() => cancel.mutate({ verificationId: v.id })} disabled={cancel.isPending} data-testid="cancel-verification">
            Cancel
          </button>
        ) : null}
        {resumable ? (
          <button onClick={() => resume.mutate({ verificationId: v.id })} disabled={resume.isPending} data-testid="resume-verification">
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
            {props.deck.what} in one shuffled deck (key <kbd>g</kbd>): nothing in it says {props.deck.hides}. {s.graded} of {s.runs} graded.
          </span>
        </div>
      ) : null}
      {left?.length ? (
        <div className="notice notice-warning inline" data-testid="left-for-you">
          {leftForYouText(left)[0].toUpperCase() + leftForYouText(left).slice(1)}: grade {left.length === 1 ? 'it' : 'them'} in the blind
          deck, where its grade waits for you to confirm (Enter) or flip (f). The report comes once you have.
        </div>
      ) : v.grade === 'assist' && v.autoGrade && (v.autoGrade.state === 'waiting' || v.autoGrade.state === 'running') ? (
        <div className="muted" data-testid="assist-grading">
          The grader grades the runs once they have finished ({v.autoGrade.done} of {v.autoGrade.total || s.runs}); it leaves you the ones
          it is unsure of.
        </div>
      ) : null}
    </div>
  )
}
