/**
 * A candidates verification (`#/candidates/<id>`): building its candidates (with progress), its runs,
 * blind grading, then the table, the suggestion and Promote; cancel and resume as a verification's.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate } from '@tanstack/react-router'
import { useState } from 'react'
import { useApi, useApiMutation } from '../../data/queries'
import { apiKeyPrefix } from '../../data/keys'
import { count, fmtCost } from '../../lib/format'
import { useShortcut } from '../../lib/hotkeys'
import { STAGE_WORDS, statusLine } from '../../lib/verify'
import { ErrorLine } from '../../components/ErrorLine'
import { CandidatesTable } from './CandidatesTable'

export function CandidatesPage({ verificationId }: { verificationId: string }) {
  const loaded = useApi('getVerification', { verificationId })
  const cancel = useApiMutation('cancelVerification')
  const resume = useApiMutation('resumeVerification')
  const client = useQueryClient()
  const [promoted, setPromoted] = useState<{ versionId: string; number: number }>()
  const promoteCall = useApiMutation('promoteSkillVersion')
  const promote = useMutation<unknown, Error, { versionId: string; number: number }>({
    mutationFn: ({ versionId }) => promoteCall.mutateAsync({ versionId }),
    onSuccess: (_out, input) => {
      setPromoted(input)
      void client.invalidateQueries({ queryKey: apiKeyPrefix('getSkill') })
      void client.invalidateQueries({ queryKey: apiKeyPrefix('listSkills') })
    }
  })
  const navigate = useNavigate()
  const batchId = loaded.data?.verification.batchId
  useShortcut('verify.grade', () => batchId && void navigate({ to: '/review/$batchId', params: { batchId } }), { enabled: !!batchId })

  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  const view = loaded.data
  const { verification: v, status: s } = view
  const b = v.build
  const busy = s.stage === 'building' || s.stage === 'generating' || s.stage === 'running'
  const resumable = s.stage === 'failed' || s.stage === 'cancelled' || s.stage === 'interrupted' || s.unfinished > 0
  const error = cancel.error ?? resume.error ?? promote.error
  const names = (v.candidates ?? []).map((c) => `version ${c.number}`)
  return (
    <section className="page verification candidates" data-testid="candidates-page">
      <div className="crumbs">
        {v.skillId ? (
          <Link to="/skill/$skillId" params={{ skillId: v.skillId }}>
            ← {v.skillName || 'skill'}
          </Link>
        ) : b ? (
          <Link to="/batch/$batchId" params={{ batchId: b.batchId }}>
            ← the batch
          </Link>
        ) : null}
      </div>
      <h1>
        Candidates{v.skillName ? ` of ${v.skillName}` : ''}: {names.length ? names.join(', ') : `${b?.n ?? ''} being built`} and no skill
      </h1>
      <div className="muted">
        {v.variations.length ? count(v.variations.length, 'variation') : 'variations written when the runs start'} ·{' '}
        {count(v.repeats, 'repeat')} per arm · {v.heldOut ? 'held out' : 'not held out: overstates the gain'} · graded by{' '}
        {v.grade === 'auto' ? 'the grader' : v.grade === 'assist' ? 'the grader, you where it is unsure' : 'you, blind'}
      </div>
      <div className="card verify-status" data-testid="verify-status" data-stage={s.stage}>
        <div className="verify-status-line">
          <span className={`badge state-${s.stage}`} data-testid="verify-stage">
            {STAGE_WORDS[s.stage]}
          </span>
          {b && s.stage === 'building' ? (
            <>
              <progress max={b.total} value={b.done} aria-label="Candidates built" />
              <span data-testid="build-progress">
                {b.done} of {count(b.total, 'candidate')} built · {fmtCost(b.costUsd)}
              </span>
            </>
          ) : s.runs ? (
            <progress max={s.runs} value={s.finished} aria-label="Runs finished" />
          ) : null}
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
              Every candidate and no skill in one shuffled deck (key <kbd>g</kbd>): nothing in it says which run had which. {s.graded} of{' '}
              {s.runs} graded.
            </span>
          </div>
        ) : null}
      </div>
      {view.blind ? (
        <div className="card verify-blind" data-testid="verify-blind">
          <div className="label">Table</div>
          <p>
            The table comes once every run is graded ({view.blind.graded} of {view.blind.runs} so far): until then nothing says which run
            had which candidate.
          </p>
        </div>
      ) : null}
      {promoted ? (
        <div className="notice inline" role="status" data-testid="promote-done">
          Version {promoted.number} is now the skill&apos;s current version.
        </div>
      ) : null}
      {view.candidates ? (
        <CandidatesTable
          v={v}
          table={view.candidates}
          onPromote={(versionId, number) => promote.mutate({ versionId, number })}
          promoting={promote.isPending}
          promoted={promoted?.versionId}
        />
      ) : null}
    </section>
  )
}
