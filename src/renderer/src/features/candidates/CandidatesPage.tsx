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
import { ErrorLine } from '../../components/ErrorLine'
import { VerifyStatusCard } from '../../components/VerifyStatusCard'
import { CandidatesTable } from './CandidatesTable'

export function CandidatesPage({ verificationId }: { verificationId: string }) {
  const loaded = useApi('getVerification', { verificationId })
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
      <VerifyStatusCard
        view={view}
        busy={busy}
        error={promote.error}
        progress={
          b && s.stage === 'building' ? (
            <>
              <progress max={b.total} value={b.done} aria-label="Candidates built" />
              <span data-testid="build-progress">
                {b.done} of {count(b.total, 'candidate')} built · {fmtCost(b.costUsd)}
              </span>
            </>
          ) : undefined
        }
        deck={{ what: 'Every candidate and no skill', hides: 'which run had which' }}
      />
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
