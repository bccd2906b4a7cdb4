/**
 * The grader in the review deck: "Pre-grade the rest" (the ungraded runs, with the task's rubric, as
 * an operation: progress and cancel), "Accept the sure ones" (every pre-grade the grader was sure of
 * saved as its grade at once, undone as one group), how far the grader was measured to agree, and, on
 * the run on screen, the grader's grade marked as the grader's (and unsure, with why) with Confirm
 * (Enter) and Flip (f).
 */
import { useState } from 'react'
import type { Pregrade, PregradeEntry } from '@shared/grading'
import type { Run } from '@shared/runs'
import { useApi, useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { GraderMark, gradedByGrader } from '../../components/GraderMark'

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`)

/** The head's action: pre-grade the runs neither the person nor the grader has graded; its progress; cancel. */
export function PregradeRest({ batchId, pregrade, left }: { batchId: string; pregrade: Pregrade | null | undefined; left: number }) {
  const rubric = useApi('getRubric', { batchId })
  const start = useApiMutation('startPregrade')
  const cancel = useApiMutation('cancelPregrade')
  const error = start.error ?? cancel.error
  if (pregrade?.state === 'running')
    return (
      <span className="row" data-testid="deck-pregrading">
        <progress max={pregrade.progress.total} value={pregrade.progress.done} aria-label="Pre-grading" />
        <span className="muted">
          Pre-grading: {pregrade.progress.done} of {pregrade.progress.total} runs
        </span>
        <button className="ghost" onClick={() => cancel.mutate({ batchId })} disabled={cancel.isPending}>
          Cancel
        </button>
        {error ? <ErrorLine error={error.message} /> : null}
      </span>
    )
  if (!rubric.data || !left) return error ? <ErrorLine error={error.message} /> : null
  return (
    <span className="row">
      <button
        className="ghost"
        onClick={() => start.mutate({ batchId })}
        disabled={start.isPending}
        data-testid="deck-pregrade"
        title="The grader grades the runs you have not graded, with the task's rubric; you confirm or flip each"
      >
        Pre-grade the rest ({left})
      </button>
      {pregrade?.state === 'cancelled' || pregrade?.state === 'failed' || pregrade?.state === 'interrupted' ? (
        <span className="muted">
          The last pre-grading {pregrade.state}
          {pregrade.error ? `: ${pregrade.error}` : ''}
        </span>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </span>
  )
}

/**
 * "Accept the sure ones (N)": the pre-grades the grader was sure of saved as the grader's grades in one
 * action, so the person goes through only the unsure ones; then "Undo" takes the whole group back.
 */
export function AcceptSure({ batchId, sure, unsure }: { batchId: string; sure: number; unsure: number }) {
  const accept = useApiMutation('acceptSurePregrades')
  const undo = useApiMutation('undoAcceptPregrades')
  const [accepted, setAccepted] = useState<string[]>([])
  const error = accept.error ?? undo.error
  const unsureNote = unsure ? (
    <span className="muted deck-unsure" data-testid="deck-unsure-count">
      {unsure} unsure: yours to grade
    </span>
  ) : null
  if (accepted.length)
    return (
      <span className="row" data-testid="accept-sure-done">
        <span className="muted">
          Accepted {accepted.length} sure grade{accepted.length === 1 ? '' : 's'} as the grader&apos;s.
        </span>
        <button
          className="ghost"
          disabled={undo.isPending}
          onClick={() => undo.mutate({ batchId, runIds: accepted }, { onSuccess: () => setAccepted([]) })}
          data-testid="accept-sure-undo"
        >
          Undo
        </button>
        {unsureNote}
        {error ? <ErrorLine error={error.message} /> : null}
      </span>
    )
  if (!sure) return unsureNote
  return (
    <span className="row">
      <button
        className="ghost"
        disabled={accept.isPending}
        onClick={() => accept.mutate({ batchId }, { onSuccess: (out) => setAccepted(out.runs.map((r) => r.id)) })}
        data-testid="accept-sure"
        title="Save every pre-grade the grader was sure of as the grader's grade, in one action (Undo takes them all back); you grade the unsure ones"
      >
        Accept the sure ones ({sure})
      </button>
      {unsureNote}
      {error ? <ErrorLine error={error.message} /> : null}
    </span>
  )
}

/** On the run on screen: the grader's grade (pending, or given on its own), marked as such, with confirm and flip. */
export function RunPregrade({
  run,
  pending,
  pregrade,
  onConfirm,
  onFlip
}: {
  run: Run
  pending: PregradeEntry | undefined
  pregrade: Pregrade | null | undefined
  onConfirm: () => void
  onFlip: () => void
}) {
  const given = gradedByGrader(run) ? run.feedback! : null
  if (!pending && !given) return null
  const label = (pending?.label ?? given!.label)!
  const other = label === 'good' ? 'bad' : 'good'
  const m = pregrade?.measured
  return (
    <div className="deck-pregrade" data-testid="deck-pregrade-run">
      <GraderMark
        label={label}
        reason={pending ? pending.reason : given!.text}
        pending={!!pending}
        unsure={(pending ? pending.unsure : given!.unsure)?.why}
      />
      <button onClick={onConfirm} data-testid="pregrade-confirm">
        Confirm {label} (Enter)
      </button>
      <button onClick={onFlip} data-testid="pregrade-flip">
        Flip to {other} (f)
      </button>
      {pending?.unsure ? (
        <span className="deck-unsure" data-testid="deck-unsure">
          {pending.unsure.why[0].toUpperCase() + pending.unsure.why.slice(1)}. Look for yourself before you confirm.
        </span>
      ) : null}
      {pending ? (
        <span className="muted small" data-testid="deck-pregrade-trust">
          {!m
            ? 'The grader was never measured against your grades on this task: measure it on a batch you graded (its grader panel) to know how far to trust it.'
            : `Measured: it agreed with you on ${pct(m.accuracy)} of runs${m.trusted ? '' : ', not enough to trust it yet'}.`}
        </span>
      ) : null}
      {pending?.verdicts.some((v) => v.verdict === 'fail') ? (
        <details className="muted small">
          <summary>Why</summary>
          <ul>
            {pending.verdicts
              .filter((v) => v.verdict === 'fail')
              .map((v) => (
                <li key={v.assertionId}>{v.evidence}</li>
              ))}
          </ul>
        </details>
      ) : null}
    </div>
  )
}
