/**
 * "Accept the sure ones": every pre-grade of a batch the grader was sure of saved at once as the
 * grader's grade of its run (`by: 'grader'`, as a verification's grader saves them), so the person
 * goes through only the unsure ones; and its undo, as one group: those runs ungraded again (a grade
 * the person gave since is kept), their pre-grades there again (they are kept until confirmed).
 * Electron-free.
 */
import { fail } from '../../shared/contract'
import type { Pregrade } from '../../shared/grading'
import type { Run } from '../../shared/runs'
import type { GradingDeps } from './service'

const now = () => new Date().toISOString()

export async function acceptSure(d: Pick<GradingDeps, 'store' | 'emit'>, p: Pregrade | null, batchId: string): Promise<Run[]> {
  if (!p) throw fail('This batch was never pre-graded: nothing to accept.', 'not-found')
  if (p.state === 'running') throw fail('The grader is still pre-grading this batch: accept its sure grades once it has finished.', 'busy')
  const sure = Object.values(p.grades).filter((g) => !g.unsure)
  if (!sure.length)
    throw fail(
      Object.keys(p.grades).length
        ? 'The grader was unsure of every pre-grade left: grade those yourself (Enter confirms one, f flips it).'
        : 'No pre-grade left to accept.',
      'invalid'
    )
  const saved: Run[] = []
  await d.store.batches.update(batchId, (doc) => {
    for (const g of sure) {
      const r = doc.runs[g.runId]
      // a grade the person gave meanwhile is theirs
      if (!r || r.feedback?.label) continue
      r.feedback = { label: g.label, text: g.reason.slice(0, 5000), updatedAt: now(), by: 'grader' }
      saved.push(structuredClone(r))
    }
  })
  for (const run of saved) d.emit('runProgress', { run })
  return saved
}

/** The undo: runs accepted (still the grader's grade, as accepted) ungraded again. */
export async function undoAccept(
  d: Pick<GradingDeps, 'store' | 'emit'>,
  p: Pregrade | null | undefined,
  batchId: string,
  runIds: string[]
): Promise<Run[]> {
  const undone: Run[] = []
  await d.store.batches.update(batchId, (doc) => {
    for (const id of runIds) {
      const r = doc.runs[id]
      const g = p?.grades[id]
      if (!r || !g || r.feedback?.by !== 'grader' || r.feedback.label !== g.label) continue
      delete r.feedback
      undone.push(structuredClone(r))
    }
  })
  for (const run of undone) d.emit('runProgress', { run })
  return undone
}
