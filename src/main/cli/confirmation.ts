/**
 * A confirmation (a verification of kind 'confirm') as the command line says it: per rule under test,
 * its status, the runs behind it (the blind deck's numbers) and its text (inert, one line).
 */
import { statusLine, type ConfirmEstimate } from '../../shared/confirm'
import type { VerificationView } from '../../shared/verify'
import { oneLineOf, plural, runsOf } from './common'
import type { Ctx } from './context'
import { statusText } from './verification'

/** What to do next with a confirmation, from where it is. */
export function confirmNext(view: VerificationView): string {
  const v = view.verification
  const s = view.status
  if (!v.batchId) return `trace2skill resume ${v.id}`
  if (s.running || s.queued) return `wait for its runs to finish (\`trace2skill report ${v.id}\` again)`
  if (s.unfinished) return `trace2skill resume ${v.id} (runs again the ${plural(s.unfinished, 'run')} that did not finish)`
  const ungraded = s.finished - s.graded
  if (ungraded && v.grade === 'auto') return `trace2skill resume ${v.id} (the grader grades the ${plural(ungraded, 'run')} left)`
  if (ungraded)
    return `trace2skill grade ${v.id} --file feedback.txt (${plural(ungraded, 'run')} not graded yet), then trace2skill report ${v.id}`
  const harmful = view.confirm?.counts.harmful ?? 0
  return harmful
    ? `remove the ${plural(harmful, 'harmful rule')} in the app's composer (Skills: "Remove the harmful rules"), then verify the new version`
    : `trace2skill verify ${v.skillName || v.skillId} --version ${v.version.number}`
}

/** The confirmation's text: where it is, then one line per rule and its runs. */
export function confirmText(view: VerificationView): string {
  const v = view.verification
  const lines = [
    `confirmation ${v.id}: the rules of ${oneLineOf(v.skillName, 200)} version ${v.version.number} drawn from bad runs, each re-run alone on its failures and a good variation`,
    `${v.batchId ? `batch ${v.batchId} ${JSON.stringify(view.batchName ?? '')}: ` : ''}${statusText(view.status)}${v.error ? ` (${oneLineOf(v.error, 200)})` : ''}`
  ]
  if (view.blind)
    lines.push(
      `blind: ${view.blind.graded} of ${plural(view.blind.runs, 'run')} graded; until every run is graded nothing says which rule a run tested`,
      ...(v.confirm?.rules ?? []).map((r) => `  pending: ${oneLineOf(r.text, 300)}`)
    )
  const c = view.confirm
  if (c) {
    const n = c.counts
    lines.push(
      `result: ${n.confirmed} confirmed, ${n.unconfirmed} unconfirmed, ${n.harmful} harmful${n.pending ? `, ${n.pending} pending` : ''}`
    )
    for (const r of c.rules)
      lines.push(
        `  ${statusLine(r)}: ${oneLineOf(r.text, 300)}`,
        `    runs: ${r.runs.map((x) => `Run ${x.number} (${x.expect === 'fix' ? 'a failure re-run' : 'a good variation'}: ${x.label ?? x.state})`).join(', ')}`
      )
  }
  lines.push(`next: ${confirmNext(view)}`)
  return lines.join('\n')
}

/** What `confirm` (and `resume` of a confirmation) prints at the end: its results per rule, or how to grade it. Its exit code. */
export async function confirmEnded(ctx: Ctx, got: VerificationView, estimate?: ConfirmEstimate): Promise<number> {
  const v = got.verification
  const runs = v.batchId ? await runsOf(ctx.client, v.batchId) : []
  const notDone = runs.filter((r) => r.state !== 'done')
  ctx.print(
    {
      verificationId: v.id,
      batchId: v.batchId ?? null,
      batchName: got.batchName ?? null,
      skillId: v.skillId,
      skillName: v.skillName,
      version: v.version.number,
      ...(estimate ? { estimate } : {}),
      status: got.status,
      confirm: got.confirm ?? null,
      blind: !!got.blind,
      next: confirmNext(got)
    },
    () => confirmText(got)
  )
  if (!v.batchId || notDone.length) {
    ctx.io.err(
      notDone.length
        ? `trace2skill: ${plural(notDone.length, 'run')} did not finish (${notDone.map((r) => `Run ${r.number} ${r.state}`).join(', ')}): \`trace2skill resume ${v.id}\` runs ${notDone.length === 1 ? 'it' : 'them'} again`
        : `trace2skill: confirmation ${v.id} stopped before its runs were made (${v.phase}${v.error ? `: ${oneLineOf(v.error, 200)}` : ''}): \`trace2skill resume ${v.id}\` tries again`
    )
    return 1
  }
  return 0
}
