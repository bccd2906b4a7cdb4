/**
 * A run cited as evidence: a badge into the review deck, at the trace line (`…/line/<n>`) or the
 * output file (`…/file/<path>`) an analyst pointed to. Used by the composer and the analysis page.
 *
 * A badge says the run's grade when it is known (a class for the colour, a mark beside it, and the
 * words for a screen reader), and `RunBadges` collapses a long list of them ("and 55 more"). A badge
 * opened from a skill carries where it came from (`?from=skill:<id>:<rule>`), so the deck can lead back.
 */
import { useMemo, useState } from 'react'
import { Link } from '@tanstack/react-router'
import type { Pointer } from '@shared/skills'
import { useApi } from '../data/queries'
import { deckFromParam, type DeckFrom } from '../lib/deck-from'

export type RunGrade = 'good' | 'bad' | 'ungraded'

/** Where an analyst pointed in run `n` (its first pointer there with a trace line or an output file), as RunBadge's props. */
export function pointerAt(pointers: Pointer[] | undefined, n: number): { line?: number; file?: string } {
  const p = pointers?.find((x) => x.run === n && (x.line || x.file))
  return { line: p?.line, file: p?.file }
}

/** The grade of each run of a batch, by number (empty until the batch is read, or when it cannot be). */
export function useRunGrades(batchId: string | undefined): Map<number, RunGrade> {
  const batch = useApi('getBatch', batchId ? { batchId } : null)
  return useMemo(
    () => new Map((batch.data?.runs ?? []).map((r) => [r.number, (r.feedback?.label ?? 'ungraded') as RunGrade] as const)),
    [batch.data]
  )
}

export function RunBadge({
  batchId,
  n,
  line,
  file,
  grade,
  from,
  testId
}: {
  batchId?: string
  n: number
  line?: number
  file?: string
  grade?: RunGrade
  /** the skill (and rule) the badge is on: the deck leads back there */
  from?: DeckFrom
  testId?: string
}) {
  const graded = grade ? `, graded ${grade === 'ungraded' ? 'not yet' : grade}` : ''
  const where = line ? `, at line ${line} of its trace` : file ? ` at ${file}` : ''
  const title = `Run ${n}${graded}: open it in the review deck${where}`
  const common = {
    className: `run-badge${grade ? ` graded-${grade}` : ''}`,
    title,
    'aria-label': grade ? `Run ${n}, ${grade === 'ungraded' ? 'not graded yet' : `graded ${grade}`}` : undefined,
    'data-testid': testId,
    'data-grade': grade
  }
  if (!batchId) return <a {...common}>{n}</a>
  const search = from ? { from: deckFromParam(from) } : {}
  return line ? (
    <Link {...common} to="/review/$batchId/$run/line/$line" params={{ batchId, run: n, line }} search={search} activeProps={{}}>
      {n}
    </Link>
  ) : file ? (
    <Link
      {...common}
      to="/review/$batchId/$run/file/$"
      params={{ batchId, run: n, _splat: file }}
      search={search}
      data-file={file}
      activeProps={{}}
    >
      {n}
    </Link>
  ) : (
    <Link {...common} to="/review/$batchId/$run" params={{ batchId, run: n }} search={search} activeProps={{}}>
      {n}
    </Link>
  )
}

/** A list longer than this shows its first COLLAPSED_SHOWS badges and "and N more". */
const COLLAPSE_OVER = 8
const COLLAPSED_SHOWS = 5

/**
 * The runs a rule cites, as badges: coloured by grade, with the count of good and bad, and collapsed
 * when there are many ("and 55 more", a click shows them all).
 */
export function RunBadges({
  batchId,
  runs,
  pointers,
  from,
  testId = 'evidence-badge',
  counts = true
}: {
  batchId?: string
  runs: number[]
  pointers?: Pointer[]
  from?: DeckFrom
  testId?: string
  /** show "29 good · 28 bad" after the badges */
  counts?: boolean
}) {
  const [open, setOpen] = useState(false)
  const grades = useRunGrades(batchId)
  const list = useMemo(() => [...new Set(runs)].sort((a, b) => a - b), [runs])
  const long = list.length > COLLAPSE_OVER
  const shown = long && !open ? list.slice(0, COLLAPSED_SHOWS) : list
  const tally = { good: 0, bad: 0, ungraded: 0 }
  for (const n of list) {
    const g = grades.get(n)
    if (g) tally[g]++
  }
  const known = grades.size > 0
  return (
    <span className="evidence">
      {shown.map((n) => (
        <RunBadge key={n} batchId={batchId} n={n} grade={grades.get(n)} from={from} testId={testId} {...pointerAt(pointers, n)} />
      ))}
      {long ? (
        <button type="button" className="ghost more-runs" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="more-runs">
          {open ? 'fewer' : `and ${list.length - COLLAPSED_SHOWS} more`}
        </button>
      ) : null}
      {counts && known && list.length ? (
        <span className="muted small evidence-grades" data-testid="evidence-grades">
          {[`${tally.good} good`, `${tally.bad} bad`, tally.ungraded ? `${tally.ungraded} ungraded` : ''].filter(Boolean).join(' · ')}
        </span>
      ) : null}
    </span>
  )
}
