/**
 * A grade that is the grader's, not the person's: a pre-grade still to confirm, or a grade the grader
 * gave that no person confirmed (`Feedback.by === 'grader'`). Dashed and italic, prefixed "grader:",
 * so it never looks like the person's grade. The reason is model text: rendered as plain text.
 */
import type { Run } from '@shared/runs'

export function GraderMark({
  label,
  reason,
  pending = false,
  compact = false,
  unsure
}: {
  label: 'good' | 'bad'
  reason?: string
  /** the grader was unsure of it (why): marked so the person looks at it */
  unsure?: string
  /** a pre-grade still to confirm (else a grade the grader gave on its own) */
  pending?: boolean
  /** the label only, the reason in the title */
  compact?: boolean
}) {
  const title = `${pending ? "The grader's pre-grade, not confirmed by you" : 'Graded by the grader, not by you'}${reason ? `: ${reason}` : ''}${unsure ? `. Unsure (${unsure})` : ''}`
  return (
    <span
      className={`grader-mark grader-${label}${unsure ? ' grader-unsure' : ''}`}
      data-testid="grader-mark"
      data-label={label}
      data-pending={pending ? 'true' : 'false'}
      data-unsure={unsure ? 'true' : 'false'}
      title={title}
    >
      grader: {label}
      {unsure ? ' (unsure)' : ''}
      {reason && !compact ? ` — ${reason}` : ''}
    </span>
  )
}

/** Is the run's grade the grader's (given by it, never confirmed by a person)? */
export const gradedByGrader = (r: Pick<Run, 'feedback'>): boolean => !!r.feedback?.label && r.feedback.by === 'grader'

/** A run's grade as a short mark: the grader's (marked), the person's (plain), or a pending pre-grade. */
export function GradeMark({
  run,
  pregrade,
  compact = false
}: {
  run: Pick<Run, 'feedback'>
  pregrade?: { label: 'good' | 'bad'; reason: string; unsure?: { why: string } }
  compact?: boolean
}) {
  const label = run.feedback?.label
  if (label && gradedByGrader(run))
    return <GraderMark label={label} reason={run.feedback?.text} compact={compact} unsure={run.feedback?.unsure?.why} />
  if (label) return <span className={`label-${label}`}>{label}</span>
  if (pregrade)
    return <GraderMark label={pregrade.label} reason={pregrade.reason} pending compact={compact} unsure={pregrade.unsure?.why} />
  return <span className="label-none">ungraded</span>
}
