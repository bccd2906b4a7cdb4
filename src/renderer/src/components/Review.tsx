/**
 * Step 2: grade what each run produced, fast. The deck shows one run at a time (keys: g good, b bad,
 * type the sentence, Enter saves and moves to the next ungraded run, j/k next/previous, ? help);
 * the gallery shows them all as cards. Feedback is saved as it is typed.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import { DIFFICULTIES, type Run } from '@shared/runs'
import type { BatchSignals, RunMetrics } from '@shared/signals'
import { api } from '../api'
import { fmtCost, fmtDuration, fmtTokens, oneLine, costTitle, count } from '../lib/format'
import { go, typing, useAsync } from '../lib/hooks'
import { createGradeHistory, type Grade } from '../lib/grades'
import { createSaver } from '../lib/saver'
import { ErrorLine } from './ErrorLine'
import { DECK_KEYS, Help } from './Help'

const finished = (r: Run) => r.state !== 'queued' && r.state !== 'running'

function useBatchRuns(batchId: string) {
  const loaded = useAsync(() => api().getBatch({ batchId }), [batchId])
  const [runs, setRuns] = useState<Run[]>([])
  useEffect(() => setRuns(loaded.data?.runs.slice().sort((a, b) => a.number - b.number) ?? []), [loaded.data])
  useEffect(
    () =>
      api().on('runProgress', ({ run }) => {
        if (run.batchId === batchId) setRuns((list) => list.map((r) => (r.id === run.id ? { ...run, feedback: r.feedback ?? run.feedback } : r)))
      }),
    [batchId]
  )
  return { loaded, runs, setRuns }
}

/** A run's first good screenshot at a size (of one page, when given). */
export const firstShot = (run: Run, size: 'desktop' | 'mobile', html?: string) =>
  run.screenshots
    .filter((s) => !html || s.html === html)
    .flatMap((s) => s.shots.map((x) => ({ ...x, html: s.html })))
    .find((x) => x.label === size && !x.error && x.file)

/** A run's screenshot as a data: URL (null while it loads or when it cannot be read). */
export function useShot(runId: string, file: string): string | null {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    setSrc(null)
    void api()
      .getScreenshot({ runId, file })
      .then((r) => live && setSrc(r.dataUrl))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [runId, file])
  return src
}

export function ShotImage({ runId, file, alt }: { runId: string; file: string; alt: string }) {
  const src = useShot(runId, file)
  return src ? <img src={src} alt={alt} /> : <div className="muted pad">loading…</div>
}

/** A run that did not finish well: its state, and why ("hit the turn limit (40 turns)"). */
export function RunTrouble({ run, compact }: { run: Run; compact?: boolean }) {
  if (run.state === 'done') return null
  return (
    <span className={compact ? 'run-trouble compact' : 'run-trouble'}>
      <span className="badge error">{run.state}</span>
      {run.reason ? (
        <span className="run-trouble-reason" data-testid="run-reason" title={run.reason}>
          {run.reason}
        </span>
      ) : null}
    </span>
  )
}

/** The numbers of one run, from its trace. */
export function MetricsLine({ m }: { m: RunMetrics | null | undefined }) {
  if (!m) return null
  const kinds = [...new Set(m.errors.map((e) => e.kind))]
  return (
    <div className="metrics-line muted" data-testid="run-metrics">
      <span data-testid="metric-turns">{count(m.turns, 'turn')}</span> · {count(m.toolCalls, 'tool call')} ·{' '}
      <span className={m.toolErrors ? 'error-text' : ''}>
        {m.toolErrors} tool errors{kinds.length ? ` (${kinds.join(', ')})` : ''}
      </span>{' '}
      · {fmtDuration(m.durationMs)} · {fmtTokens(m.tokens)} tokens ·{' '}
      <span data-testid="metric-cost" data-cost-source={m.costSource ?? 'estimated'} title={costTitle(m.costSource)}>
        {fmtCost(m.costUsd)}
      </span>
    </div>
  )
}

/** What sets bad runs apart: tools, tool sequences and error kinds far more common in bad runs. */
export function SignalsPanel({ signals, batchId }: { signals: BatchSignals; batchId: string }) {
  const runLinks = (ns: number[]) =>
    ns.map((n) => (
      <a key={n} className="run-badge" href={`#/review/${encodeURIComponent(batchId)}/${n}`}>
        {n}
      </a>
    ))
  return (
    <div className="card compare-section" data-testid="signals">
      <div className="label">What sets bad runs apart (from the traces)</div>
      {!signals.bad || !signals.good ? (
        <div className="muted">Grade at least one good and one bad run to see which tools, sequences and errors go with bad results.</div>
      ) : !signals.signals.length ? (
        <div className="muted">Nothing in how the runs worked is much more common in the {signals.bad} bad runs than in the {signals.good} good ones.</div>
      ) : (
        <table className="signals">
          <thead>
            <tr>
              <th>In bad runs far more often</th>
              <th>Bad runs</th>
              <th>Good runs</th>
              <th title="one-sided Fisher exact test: the chance of this split if the feature had nothing to do with the grade">p</th>
            </tr>
          </thead>
          <tbody>
            {signals.signals.map((s) => (
              <tr key={s.feature} data-testid="signal" data-feature={s.feature}>
                <td>
                  <span className={`badge kind-${s.kind}`}>{s.kind === 'error' ? 'error' : s.kind === 'sequence' ? 'sequence' : 'tool'}</span> <code>{s.feature}</code>
                </td>
                <td>
                  {s.badRuns.length}/{signals.bad} {runLinks(s.badRuns)}
                </td>
                <td>
                  {s.goodRuns.length}/{signals.good} {runLinks(s.goodRuns)}
                </td>
                <td>{s.p < 0.001 ? '<0.001' : s.p.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

const blindKey = 't2s-blind'
/** Blind mode hides what tells which batch (or skill version) a run came from; kept across views and restarts. */
export function useBlind(): [boolean, (on: boolean) => void] {
  const [blind, setBlind] = useState(() => localStorage.getItem(blindKey) === '1')
  return [
    blind,
    (on) => {
      setBlind(on)
      localStorage.setItem(blindKey, on ? '1' : '0')
    }
  ]
}

export function ReviewDeck({ batchId, start, line }: { batchId: string; start?: number; line?: number }) {
  const { loaded, runs, setRuns } = useBatchRuns(batchId)
  const signals = useAsync(() => api().getSignals({ batchId }), [batchId])
  const [index, setIndex] = useState(0)
  const [view, setView] = useState<'desktop' | 'mobile'>('desktop')
  const [help, setHelp] = useState(false)
  const [blind, setBlind] = useBlind()
  // per run: the save state belongs to the run on screen, never to the one graded before it
  const [saveStates, setSaveStates] = useState<Record<string, string>>({})
  const input = useRef<HTMLInputElement>(null)
  const analyse = useRef<HTMLAnchorElement>(null)
  const [focusAnalyse, setFocusAnalyse] = useState(0)
  const saver = useMemo(
    () =>
      createSaver<Grade>(
        (runId, v) => api().saveFeedback({ runId, label: v.label, text: v.text }),
        (runId, s, e) => setSaveStates((m) => ({ ...m, [runId]: s === 'error' ? `not saved: ${e}` : s }))
      ),
    []
  )
  const gradable = runs.filter(finished)
  // Where the deck opens: the run named in the address, else the first ungraded one. Computed from
  // the loaded batch itself (the sorted list is set one render later).
  useEffect(() => {
    const list = (loaded.data?.runs ?? []).filter(finished).sort((a, b) => a.number - b.number)
    if (!list.length) return
    const at = start ? list.findIndex((r) => r.number === start) : list.findIndex((r) => !r.feedback?.label)
    setIndex(Math.max(0, at))
  }, [loaded.data, start])
  const run = gradable[Math.min(index, gradable.length - 1)]
  const graded = gradable.filter((r) => r.feedback?.label).length
  // The run on screen is in the address, so a reload (or a link) comes back to it.
  useEffect(() => {
    if (run) history.replaceState(null, '', `#/review/${encodeURIComponent(batchId)}/${run.number}${line && run.number === start ? `/line/${line}` : ''}`)
  }, [batchId, run?.number])

  // The latest grade per run, updated synchronously: a key pressed right after another must not
  // build on a render that has not happened yet.
  const latest = useRef(new Map<string, Grade>())
  const gradeOf = (r: Run): Grade => latest.current.get(r.id) ?? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' }
  const apply = (runId: string, next: Grade) => {
    latest.current.set(runId, next)
    setRuns((list) => list.map((r) => (r.id === runId ? { ...r, feedback: { ...next, updatedAt: new Date().toISOString() } } : r)))
    void saver.save(runId, next)
  }
  // Undo and redo (Ctrl+Z, Ctrl+Shift+Z outside the sentence field): a grade key and the sentence
  // typed after it are one change, ended when the sentence is left.
  const runsRef = useRef(runs)
  runsRef.current = runs
  const undoable = useMemo(
    () =>
      createGradeHistory((runId) => {
        const r = runsRef.current.find((x) => x.id === runId)
        return latest.current.get(runId) ?? (r ? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' } : undefined)
      }),
    []
  )
  const begin = (r: Run) => undoable.begin(r.id)
  const commit = () => undoable.commit()
  const undo = (redo: boolean) => {
    const change = redo ? undoable.redo() : undoable.undo()
    if (!change) return
    apply(change.runId, redo ? change.after : change.before)
    const i = gradable.findIndex((r) => r.id === change.runId)
    if (i >= 0) setIndex(i)
  }
  const update = (patch: Partial<Grade>) => {
    if (!run) return
    begin(run)
    apply(run.id, { ...gradeOf(run), ...patch })
  }
  const move = (d: number) => {
    commit()
    setIndex((i) => Math.max(0, Math.min(gradable.length - 1, i + d)))
  }
  const isGraded = (r: Run) => !!gradeOf(r).label
  /** The next run without a grade after this one (wrapping); when all are graded, on to the analysis. */
  const nextUngraded = () => {
    commit()
    for (let k = 1; k <= gradable.length; k++) {
      const i = (index + k) % gradable.length
      if (!isGraded(gradable[i])) return setIndex(i)
    }
    setIndex(Math.min(index + 1, gradable.length - 1))
    setFocusAnalyse((n) => n + 1)
  }
  useEffect(() => {
    if (focusAnalyse) analyse.current?.focus()
  }, [focusAnalyse])

  /** Compare with a run graded the other way (or the next run when there is none). */
  const compareWith = (r: Run) => {
    const other = r.feedback?.label === 'good' ? 'bad' : 'good'
    const partner = gradable.find((x) => x.id !== r.id && x.feedback?.label === other) ?? gradable[(gradable.indexOf(r) + 1) % gradable.length]
    if (partner && partner.id !== r.id) go('compare', batchId, String(r.number), String(partner.number))
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Ctrl+Z in the sentence field is the field's own text undo
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !typing(e) && (e.key.toLowerCase() === 'z' || (e.ctrlKey && e.key.toLowerCase() === 'y'))) {
        e.preventDefault()
        return undo(e.shiftKey || e.key.toLowerCase() === 'y')
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return
      if (typing(e)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur()
        return
      }
      if (e.key === 'g' || e.key === 'b') {
        e.preventDefault()
        update({ label: e.key === 'g' ? 'good' : 'bad' })
        // At once, not after a render: the next key typed belongs to the sentence. (The letter itself
        // is not typed into it: this keydown's default is prevented.)
        input.current?.focus()
      } else if (e.key === 'j' || e.key === 'ArrowRight') move(1)
      else if (e.key === 'k' || e.key === 'ArrowLeft') move(-1)
      else if (e.key === 'c' && run) compareWith(run)
      else if (e.key === 'd') setView('desktop')
      else if (e.key === 'm') setView('mobile')
      else if (e.key === '?') setHelp(true)
      else if (e.key === 'Enter' && !(e.target instanceof HTMLElement && e.target.closest('a, button'))) input.current?.focus()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  if (loaded.error) return <ErrorLine error={loaded.error} retry={loaded.reload} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  if (!run) return <div className="empty">No finished runs to grade yet. Runs appear here as they finish.</div>
  const shots = run.screenshots.flatMap((s) => s.shots.filter((x) => x.label === view && !x.error && x.file).map((x) => ({ ...x, html: s.html })))
  const allGraded = gradable.length > 0 && graded === gradable.length
  return (
    <section className="page review" data-testid="review-deck">
      <div className="review-head">
        {blind ? <span className="muted">Blind review</span> : <a href={`#/batch/${encodeURIComponent(batchId)}`}>← {loaded.data.batch.name}</a>}
        <strong data-testid="graded-count">
          {graded} of {gradable.length} graded
        </strong>
        <a href={`#/gallery/${encodeURIComponent(batchId)}`}>Gallery</a>
        <a href={`#/analyze/${encodeURIComponent(batchId)}`} data-testid="deck-analyze">
          Analyse
        </a>
        {gradable.length > 1 ? (
          <button className="ghost" onClick={() => compareWith(run)} data-testid="compare-this">
            Compare (c)
          </button>
        ) : null}
        <label className="check">
          <input
            type="checkbox"
            checked={blind}
            onChange={(e) => setBlind(e.target.checked)}
            data-testid="blind"
          />{' '}
          Blind
        </label>
        <button className="ghost" onClick={() => setHelp(true)}>
          ? Keys
        </button>
      </div>
      {allGraded ? (
        <div className="all-graded">
          <a ref={analyse} className="button" href={`#/analyze/${encodeURIComponent(batchId)}`} data-testid="all-graded">
            All {gradable.length} graded. Analyse →
          </a>
          <span className="muted">Four analysts read every trace with your grades and write the rules of a skill.</span>
        </div>
      ) : null}
      <div className="deck-run" data-testid="deck-run" data-number={run.number}>
        <div className="deck-title">
          <strong>Run {run.number}</strong>
          {run.difficulty ? <span className="badge">{run.difficulty}</span> : null}
          <RunTrouble run={run} />
          <span className="muted">
            {index + 1} / {gradable.length}
          </span>
        </div>
        <MetricsLine m={signals.data?.runs.find((x) => x.runId === run.id)?.metrics} />
        {run.projectId ? (
          <a className={line && run.number === start ? 'trace-link pointed' : 'trace-link'} href={`#/project/${encodeURIComponent(run.projectId)}/session/${encodeURIComponent(run.sessionId)}${line && run.number === start ? `/line/${line}` : ''}`} data-testid="open-trace">
            {line && run.number === start ? `Open the trace at line ${line}, where the analyst pointed` : 'Open the trace'}
          </a>
        ) : null}
        <pre className="deck-prompt">{run.prompt}</pre>
        <div className={`grade grade-${run.feedback?.label ?? 'none'}`}>
          <button className={run.feedback?.label === 'good' ? 'on' : ''} onClick={() => (update({ label: 'good' }), input.current?.focus())} data-testid="grade-good">
            Good (g)
          </button>
          <button className={run.feedback?.label === 'bad' ? 'on bad' : ''} onClick={() => (update({ label: 'bad' }), input.current?.focus())} data-testid="grade-bad">
            Bad (b)
          </button>
          <input
            ref={input}
            data-testid="feedback-text"
            value={run.feedback?.text ?? ''}
            placeholder="One sentence about what it made (Enter: next ungraded run)"
            onChange={(e) => update({ text: e.target.value })}
            onFocus={() => begin(run)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                // Saving goes on in the background, in order; the next run is shown at once.
                input.current?.blur()
                nextUngraded()
              }
            }}
            aria-label="Feedback sentence"
          />
          <span className="muted save-state" data-testid="save-state">
            {saveStates[run.id] ?? ''}
          </span>
        </div>
        <ShotProblems run={run} />
        {run.screenshots.length ? (
          <>
            <div className="toggle">
              <button className={view === 'desktop' ? 'on' : ''} onClick={() => setView('desktop')}>
                Desktop (d)
              </button>
              <button className={view === 'mobile' ? 'on' : ''} onClick={() => setView('mobile')}>
                Mobile (m)
              </button>
            </div>
            <div className={`deck-shots deck-${view}`}>
              {shots.map((s) => (
                <figure key={s.file} data-testid="deck-screenshot">
                  <ShotImage runId={run.id} file={s.file} alt={`${s.html}, ${view}`} />
                  <figcaption>{s.html}</figcaption>
                </figure>
              ))}
            </div>
          </>
        ) : (
          <div className="deck-files">
            <div className="label">Files it created or changed</div>
            {run.files.length ? (
              run.files.map((f) => (
                <details key={f.path}>
                  <summary>
                    <code>{f.path}</code> <span className="badge">{f.status}</span>
                  </summary>
                  {f.diff ? <pre className="diff">{f.diff}</pre> : null}
                </details>
              ))
            ) : (
              <div className="muted">No files.</div>
            )}
            {run.result ? (
              <>
                <div className="label">Final answer</div>
                <pre>{run.result}</pre>
              </>
            ) : null}
          </div>
        )}
      </div>
      {help ? <Help title="Review keys" keys={DECK_KEYS} onClose={() => setHelp(false)} /> : null}
    </section>
  )
}

/** Screenshots that failed (a page that hung, a busy machine): say so, and offer to take them again. */
function ShotProblems({ run }: { run: Run }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const failed = run.screenshots.flatMap((s) => s.shots.filter((x) => x.error).map((x) => ({ ...x, html: s.html })))
  const missing = !run.screenshots.length && !run.imported && run.files.some((f) => f.status !== 'deleted' && /\.html?$/i.test(f.path))
  // a page taller than a screenshot can be: the grader should know the bottom is not shown
  const notes = run.screenshots.flatMap((s) => s.shots.filter((x) => x.note && !x.error && x.label === 'desktop').map((x) => ({ html: s.html, note: x.note! })))
  if (!failed.length && !missing) {
    return notes.length ? (
      <div className="muted" data-testid="shot-notes">
        {notes.map((n) => (
          <div key={n.html}>
            <code>{n.html}</code>: {n.note}
          </div>
        ))}
      </div>
    ) : null
  }
  return (
    <div className="shot-problems" data-testid="shot-problems">
      {missing ? <span>This run made web pages but has no screenshots.</span> : null}
      {failed.map((f) => (
        <div key={`${f.html}-${f.label}`}>
          The {f.label} screenshot of <code>{f.html}</code> failed: {f.error}
        </div>
      ))}
      <button
        disabled={busy}
        onClick={() => {
          setBusy(true)
          setError(null)
          void api()
            .retakeScreenshots({ runId: run.id })
            .catch((e: Error) => setError(e.message))
            .finally(() => setBusy(false))
        }}
        data-testid="retake-screenshots"
      >
        {busy ? 'Taking screenshots…' : 'Retake screenshots'}
      </button>
      {error ? <span className="error-text">{error}</span> : null}
    </div>
  )
}

export function Gallery({ batchId }: { batchId: string }) {
  const { loaded, runs } = useBatchRuns(batchId)
  const [label, setLabel] = useState<'all' | 'good' | 'bad' | 'ungraded'>('all')
  const [difficulty, setDifficulty] = useState<string>('all')
  const [sort, setSort] = useState<'number' | 'label'>('number')
  const [text, setText] = useState<string | null>(null)
  const [result, setResult] = useState<{ applied: number; errors: string[] } | null>(null)
  const [picked, setPicked] = useState<number[]>([])
  const signals = useAsync(() => api().getSignals({ batchId }), [batchId, loaded.data])
  const togglePick = (n: number) => setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p.slice(-1), n]))
  const shown = runs
    .filter(finished)
    .filter((r) => label === 'all' || (label === 'ungraded' ? !r.feedback?.label : r.feedback?.label === label))
    .filter((r) => difficulty === 'all' || r.difficulty === difficulty)
    .sort((a, b) => (sort === 'label' ? (a.feedback?.label ?? 'z').localeCompare(b.feedback?.label ?? 'z') || a.number - b.number : a.number - b.number))
  if (loaded.error) return <ErrorLine error={loaded.error} retry={loaded.reload} />
  return (
    <section className="page" data-testid="gallery">
      <div className="review-head">
        <a href={`#/review/${encodeURIComponent(batchId)}`}>← Review deck</a>
        <select value={label} onChange={(e) => setLabel(e.target.value as typeof label)} aria-label="Filter by grade" data-testid="filter-label">
          <option value="all">All grades</option>
          <option value="good">Good</option>
          <option value="bad">Bad</option>
          <option value="ungraded">Ungraded</option>
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
        <button onClick={() => void api().exportFeedback({ batchId }).then((r) => setText(r.text))}>Feedback as text</button>
        <button onClick={() => (setText(''), setResult(null))}>Paste feedback</button>
        <a href={`#/compare/${encodeURIComponent(batchId)}/good/bad`} data-testid="compare-groups">
          Good vs bad
        </a>
        {picked.length === 2 ? (
          <button className="primary" onClick={() => go('compare', batchId, String(picked[0]), String(picked[1]))} data-testid="compare-picked">
            Compare runs {picked[0]} and {picked[1]}
          </button>
        ) : (
          <span className="muted small">Tick two cards to compare them.</span>
        )}
      </div>
      {text !== null ? (
        <div className="card">
          <textarea data-testid="feedback-import" rows={8} value={text} onChange={(e) => setText(e.target.value)} placeholder="Run 2: bad - too many cards, looks cluttered" aria-label="Feedback text" />
          <button
            onClick={() =>
              void api()
                .importFeedback({ batchId, text })
                .then((r) => (setResult(r), r.applied && loaded.reload()))
            }
          >
            Apply
          </button>
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
      {signals.data ? <SignalsPanel signals={signals.data.batch} batchId={batchId} /> : null}
      <div className="gallery">
        {shown.map((r) => {
          const shot = firstShot(r, 'desktop')
          return (
            <div key={r.id} className={`gallery-card grade-${r.feedback?.label ?? 'none'}`} data-testid="gallery-card" data-label={r.feedback?.label ?? 'ungraded'} data-number={r.number}>
              <button className="card-open" onClick={() => go('review', batchId, String(r.number))} aria-label={`Open run ${r.number} in the deck`}>
                {shot ? <ShotImage runId={r.id} file={shot.file} alt={`Run ${r.number}`} /> : <div className="no-shot">{oneLine(r.result ?? r.prompt, 160)}</div>}
              </button>
              <div className="card-text">
                <strong>Run {r.number}</strong> {r.difficulty ? <span className="badge">{r.difficulty}</span> : null}{' '}
                <span className={`label-${r.feedback?.label ?? 'none'}`}>{r.feedback?.label ?? 'ungraded'}</span>
                {r.state !== 'done' ? (
                  <div className="card-trouble">
                    <RunTrouble run={r} compact />
                  </div>
                ) : null}
                <label className="pick">
                  <input type="checkbox" checked={picked.includes(r.number)} onChange={() => togglePick(r.number)} aria-label={`Pick run ${r.number} to compare`} /> compare
                </label>
                <div className="muted">{r.feedback?.text || '—'}</div>
                <div className="muted small" data-testid="card-numbers">
                  {count(r.progress.turns, 'turn')} · {fmtDuration(r.progress.elapsedMs)} · <span title={costTitle(r.progress.costSource)}>{fmtCost(r.progress.costUsd)}</span>
                </div>
              </div>
            </div>
          )
        })}
      </div>
    </section>
  )
}
