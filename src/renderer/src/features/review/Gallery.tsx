/** Step 2 as cards: every run of a batch with its screenshot and grade, and what sets bad runs apart. */
import { useState } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import { DIFFICULTIES } from '@shared/runs'
import { DURATION_TITLE, runDurationMs } from '@shared/numbers'
import { useApi, useApiMutation, useFetchApi } from '../../data/queries'
import { fmtCost, fmtDuration, oneLine, costTitle, count } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'
import { shownAnswer } from '../../components/FinalAnswer'
import { finished, firstShot, RunTrouble, ShotImage, useBatchRuns, verificationOf } from './runs'
import { SignalsPanel } from './SignalsPanel'
import { GradeMark, gradedByGrader } from '../../components/GraderMark'

export function Gallery({ batchId }: { batchId: string }) {
  const { loaded, runs } = useBatchRuns(batchId)
  const [label, setLabel] = useState<'all' | 'good' | 'bad' | 'ungraded' | 'grader'>('all')
  const [difficulty, setDifficulty] = useState<string>('all')
  const [sort, setSort] = useState<'number' | 'label'>('number')
  const [text, setText] = useState<string | null>(null)
  const [picked, setPicked] = useState<number[]>([])
  // the same entry as the deck's and compare's: one request per batch, read again when grades change
  const signals = useApi('getSignals', { batchId })
  const importFeedback = useApiMutation('importFeedback')
  // the grader's pre-grades still to confirm: marked as the grader's on their cards
  const pregrade = useApi('getPregrade', { batchId })
  const fetchApi = useFetchApi()
  const navigate = useNavigate()
  const result = importFeedback.data
  const verificationId = verificationOf(loaded.data)
  const togglePick = (n: number) => setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p.slice(-1), n]))
  const done = runs.filter(finished)
  // each grade counted, those the grader gave that no person confirmed apart
  const counted = (l: 'good' | 'bad') => {
    const all = done.filter((r) => r.feedback?.label === l)
    const byGrader = all.filter(gradedByGrader).length
    return `${all.length}${byGrader ? `, ${byGrader} by the grader` : ''}`
  }
  const graderCount = done.filter(gradedByGrader).length
  const shown = done
    .filter(
      (r) =>
        label === 'all' ||
        (label === 'ungraded' ? !r.feedback?.label : label === 'grader' ? gradedByGrader(r) : r.feedback?.label === label)
    )
    .filter((r) => difficulty === 'all' || r.difficulty === difficulty)
    .sort((a, b) =>
      sort === 'label' ? (a.feedback?.label ?? 'z').localeCompare(b.feedback?.label ?? 'z') || a.number - b.number : a.number - b.number
    )
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  return (
    <section className="page" data-testid="gallery">
      <div className="review-head">
        <Link to="/review/$batchId" params={{ batchId }}>
          ← Review deck
        </Link>
        <select
          value={label}
          onChange={(e) => setLabel(e.target.value as typeof label)}
          aria-label="Filter by grade"
          data-testid="filter-label"
        >
          <option value="all">All grades</option>
          <option value="good">Good ({counted('good')})</option>
          <option value="bad">Bad ({counted('bad')})</option>
          <option value="ungraded">Ungraded ({done.filter((r) => !r.feedback?.label).length})</option>
          {graderCount || label === 'grader' ? (
            <option value="grader">The grader&apos;s, not confirmed by you ({graderCount})</option>
          ) : null}
        </select>
        <select value={difficulty} onChange={(e) => setDifficulty(e.target.value)} aria-label="Filter by difficulty">
          <option value="all">All difficulties</option>
          {DIFFICULTIES.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
        <select value={sort} onChange={(e) => setSort(e.target.value as typeof sort)} aria-label="Sort">
          <option value="number">By run number</option>
          <option value="label">By grade</option>
        </select>
        <button onClick={() => void fetchApi('exportFeedback', { batchId }).then((r) => setText(r.text))}>Feedback as text</button>
        <button onClick={() => (setText(''), importFeedback.reset())}>Paste feedback</button>
        <Link to="/compare/$batchId/$a/$b" params={{ batchId, a: 'good', b: 'bad' }} data-testid="compare-groups">
          Good vs bad
        </Link>
        {verificationId ? (
          <Link to="/verification/$verificationId" params={{ verificationId }} data-testid="gallery-report">
            Report
          </Link>
        ) : null}
        {picked.length === 2 ? (
          <button
            className="primary"
            onClick={() =>
              void navigate({ to: '/compare/$batchId/$a/$b', params: { batchId, a: String(picked[0]), b: String(picked[1]) } })
            }
            data-testid="compare-picked"
          >
            Compare runs {picked[0]} and {picked[1]}
          </button>
        ) : (
          <span className="muted small">Tick two cards to compare them.</span>
        )}
      </div>
      {text !== null ? (
        <div className="card">
          <textarea
            data-testid="feedback-import"
            rows={8}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Run 2: bad - too many cards, looks cluttered"
            aria-label="Feedback text"
          />
          <button onClick={() => importFeedback.mutate({ batchId, text })}>Apply</button>
          {result?.errors.length ? (
            <div className="error-line" role="alert">
              <div>
                Nothing was applied:
                <ul>
                  {result.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : result ? (
            <div className="muted">Applied {result.applied} grades.</div>
          ) : null}
        </div>
      ) : null}
      {signals.data && !verificationId ? <SignalsPanel signals={signals.data.batch} batchId={batchId} /> : null}
      <div className="gallery">
        {shown.map((r) => {
          const shot = firstShot(r, 'desktop')
          return (
            <div
              key={r.id}
              className={`gallery-card grade-${r.feedback?.by === 'grader' ? 'none' : (r.feedback?.label ?? 'none')}`}
              data-testid="gallery-card"
              data-label={r.feedback?.label ?? 'ungraded'}
              data-number={r.number}
            >
              <button
                className="card-open"
                onClick={() => void navigate({ to: '/review/$batchId/$run', params: { batchId, run: r.number } })}
                aria-label={`Open run ${r.number} in the deck`}
              >
                {shot ? (
                  <ShotImage runId={r.id} file={shot.file} alt={`Run ${r.number}`} />
                ) : (
                  <div className="no-shot">{oneLine(shownAnswer(r.result ?? r.prompt), 160)}</div>
                )}
              </button>
              <div className="card-text">
                <strong>Run {r.number}</strong> {r.difficulty ? <span className="badge">{r.difficulty}</span> : null}{' '}
                <GradeMark run={r} pregrade={pregrade.data?.grades[r.id]} compact />
                {r.state !== 'done' ? (
                  <div className="card-trouble">
                    <RunTrouble run={r} compact />
                  </div>
                ) : null}
                <label className="pick">
                  <input
                    type="checkbox"
                    checked={picked.includes(r.number)}
                    onChange={() => togglePick(r.number)}
                    aria-label={`Pick run ${r.number} to compare`}
                  />{' '}
                  compare
                </label>
                <div className="muted">{r.feedback?.text || '—'}</div>
                {verificationId ? null : (
                  <div className="muted small" data-testid="card-numbers">
                    {count(r.progress.turns, 'turn')} · <span title={DURATION_TITLE}>{fmtDuration(runDurationMs(r))}</span> ·{' '}
                    <span title={costTitle(r.progress.costSource)}>{fmtCost(r.progress.costUsd)}</span>
                  </div>
                )}
              </div>
            </div>
          )
        })}
      </div>
    </section>
  )
}
