/**
 * A description optimisation (issue 23) as the command line says it: per round its description, recall
 * and false-trigger rate on the training and the held-out queries, and its cost; the round chosen (by
 * the held-out queries) and why.
 */
import type { Optimisation, Round, Scores } from '../../shared/triggers'
import { oneLineOf, plural } from './common'

const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`)
const recall = (s: Scores) => `${s.loaded}/${s.should} ${pct(s.recall)}`
const falses = (s: Scores) => `${s.falseLoaded}/${s.shouldNot} ${pct(s.falseRate)}`

/** One line of progress on stderr: a round measured. */
export const roundLine = (r: Round) =>
  `round ${r.round}: training recall ${recall(r.train)}, false triggers ${falses(r.train)}; held-out recall ${recall(r.test)}, false triggers ${falses(r.test)} ($${r.usd.toFixed(4)})`

/** The optimisation's table: a line a round (then its description), the pick and why. */
export function optimisationText(o: Optimisation, name: string): string {
  const rows = [['round', 'train recall', 'train false', 'held-out recall', 'held-out false', 'cost']]
  for (const r of o.done)
    rows.push([
      `${r.round}${r.round === o.best ? '*' : ''}`,
      recall(r.train),
      falses(r.train),
      recall(r.test),
      falses(r.test),
      `$${r.usd.toFixed(4)}`
    ])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  const lines = [
    `optimisation ${o.id}: the description of ${oneLineOf(name, 200)}${o.version ? ` version ${o.version}` : ''}; ${plural(o.train.length, 'training query', 'training queries')}, ${o.test.length} held out (split seed ${o.seed}); ${plural(o.repeats, 'repeat')} a query; up to ${plural(o.rounds, 'round')}`,
    line(rows[0])
  ]
  for (const [i, r] of o.done.entries()) {
    lines.push(line(rows[i + 1]))
    lines.push(`    ${JSON.stringify(oneLineOf(r.description, 1100))}`)
  }
  if (o.state !== 'done') lines.push(`${o.state}${o.error ? `: ${oneLineOf(o.error, 500)}` : ''}`)
  if (o.best !== undefined)
    lines.push(`chosen: round ${o.best}${o.best === 0 ? " (the version's own)" : ''}. ${oneLineOf(o.bestWhy ?? '', 600)}`)
  lines.push(`cost: $${o.usd.toFixed(4)}`)
  return lines.join('\n')
}
