/**
 * A candidates verification's table as the command line says it: per arm its pass rate with the 95%
 * interval, its difference against no skill with the exact test's p, its trigger rate and cost; the
 * pairwise matrix; and the one suggested (by the paired test), or the sentence why none.
 */
import { pText } from '../../shared/candidates'
import type { VerificationView } from '../../shared/verify'
import { plural } from './common'
import { money, pct, points, rateText, statusText } from './verification'

export function candidatesText(view: VerificationView): string {
  const v = view.verification
  const t = view.candidates
  const names = (v.candidates ?? []).map((c) => `version ${c.number}`)
  const lines = [
    `verification ${v.id}: candidates ${names.join(', ') || '(being built)'} of ${v.skillName || 'the skill'} and no skill; ${plural(v.variations.length, 'variation')} x ${plural(v.repeats, 'repeat')}${v.heldOut ? '' : ' (NOT held out)'}`,
    `${v.batchId ? `batch ${v.batchId} ${JSON.stringify(view.batchName ?? '')}: ` : ''}${statusText(view.status)}${v.error ? ` (${v.error})` : ''}`
  ]
  if (view.blind) {
    lines.push(
      `blind: ${view.blind.graded} of ${plural(view.blind.runs, 'run')} graded; the table comes once every run is graded (trace2skill grade ${v.id} --file feedback.txt)`
    )
    return lines.join('\n')
  }
  if (!t) return [...lines, 'no runs yet'].join('\n')
  lines.push(`over the ${plural(t.pairs, 'variation-repeat')} graded in every arm${t.complete ? '' : ' so far'}:`)
  for (const r of t.rows)
    lines.push(
      [
        `  ${r.label}${r.candidate !== null && r.candidate === t.suggested ? ' (suggested)' : ''}: ${rateText(r.passRate)}`,
        r.vsNone
          ? `against no skill ${points(r.vsNone.difference)}, fixed ${r.vsNone.fixed}, broke ${r.vsNone.broken}, ${pText(r.vsNone.p)}`
          : '',
        r.trigger ? `loaded in ${r.trigger.invoked} of ${r.trigger.runs}${r.trigger.rate === null ? '' : ` (${pct(r.trigger.rate)})`}` : '',
        `cost ${money(r.costUsd)} (${r.meanCostUsd === null ? '-' : money(r.meanCostUsd)} a run)`
      ]
        .filter(Boolean)
        .join('; ')
    )
  if (names.length > 1) {
    lines.push('each against each (row minus column):')
    t.matrix.forEach((row, i) =>
      lines.push(`  ${names[i]}: ${row.flatMap((c, j) => (c ? [`vs ${names[j]} ${points(c.difference)}, ${pText(c.p)}`] : [])).join('; ')}`)
    )
  }
  lines.push(t.suggested === null ? `suggested: none. ${t.why}` : `suggested: ${names[t.suggested]}. ${t.why}`)
  if (t.suggested !== null)
    lines.push(`next: trace2skill promote ${v.skillName || v.skillId} --version ${v.candidates![t.suggested].number}`)
  return lines.join('\n')
}
