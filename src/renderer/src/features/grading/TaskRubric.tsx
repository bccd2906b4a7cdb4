/**
 * The task page's rubric: the task's assertions to review, edit, add or delete (the rubric belongs to
 * the task, whichever of its batches built it), the batch it was built from, and the batch its grader
 * was last measured on, with the figures, one click away.
 */
import { useQueries } from '@tanstack/react-query'
import { Link } from '@tanstack/react-router'
import type { GraderCheck } from '@shared/grading'
import { apiQuery, useApi } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { RubricList } from './RubricList'

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`)

export function TaskRubric({ taskId }: { taskId: string }) {
  const batches = useApi('listBatches', { taskId })
  const list = batches.data ?? []
  // any batch of the task names its rubric (main finds the task's)
  const rubric = useApi('getRubric', list.length ? { batchId: list[0].batch.id } : null)
  const graders = useQueries({ queries: list.map((b) => apiQuery('latestGrader', { batchId: b.batch.id })) })
  const measured = graders
    .map((q) => q.data as GraderCheck | null | undefined)
    .filter((g): g is GraderCheck => !!g?.report && g.state === 'done')
    .sort((a, b) => (b.endedAt ?? b.createdAt).localeCompare(a.endedAt ?? a.createdAt))[0]
  const nameOf = (batchId: string) => list.find((b) => b.batch.id === batchId)?.batch.name ?? 'its batch'
  const error = batches.error ?? rubric.error
  return (
    <section className="task-rubric" data-testid="task-rubric">
      <h2>Rubric</h2>
      {error ? <ErrorLine error={error.message} /> : null}
      {rubric.data ? (
        <>
          <p className="muted">
            Checkable assertions learned from your sentences; the grader judges a run by them. Built from{' '}
            <Link to="/batch/$batchId" params={{ batchId: rubric.data.rubric.batchId }} data-testid="rubric-source">
              {nameOf(rubric.data.rubric.batchId)}
            </Link>
            .
          </p>
          <RubricList view={rubric.data} />
          {measured ? (
            <p data-testid="rubric-agreement">
              Last measured on{' '}
              <Link to="/batch/$batchId" params={{ batchId: measured.batchId }} data-testid="rubric-agreement-batch">
                {nameOf(measured.batchId)}
              </Link>
              : accuracy {pct(measured.report!.agreement.accuracy)}, Cohen&apos;s kappa{' '}
              {measured.report!.agreement.kappa === null ? 'undefined' : measured.report!.agreement.kappa.toFixed(2)} ·{' '}
              {measured.report!.trust.trusted ? 'trust it' : 'do not trust it yet'}
              {measured.report!.trust.trusted ? '' : ` (${measured.report!.trust.reasons.join('; ')})`}
            </p>
          ) : (
            <p className="muted" data-testid="rubric-agreement">
              The grader has not been measured against your grades yet: measure it on a graded batch&apos;s page.
            </p>
          )}
        </>
      ) : !batches.data ? null : !list.length ? (
        <p className="muted" data-testid="rubric-none">
          No rubric yet: run a batch of this task and grade it; the rubric is built from your sentences.
        </p>
      ) : rubric.data === null ? (
        <p className="muted" data-testid="rubric-none">
          No rubric yet. Grade a batch of this task, then build it from your sentences on the batch&apos;s page.
        </p>
      ) : null}
    </section>
  )
}
