/**
 * Step 2: grade what each run produced, fast. The deck shows one run at a time (keys: g good, b bad,
 * type the sentence, Enter saves and moves to the next ungraded run, j/k next/previous, ? help);
 * the gallery shows them all as cards. Feedback is saved as it is typed.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate, useRouterState, useSearch } from '@tanstack/react-router'
import { DIFFICULTIES, type Run } from '@shared/runs'
import type { BatchSignals, RunMetrics } from '@shared/signals'
import { DURATION_TITLE, runDurationMs } from '@shared/numbers'
import { putFeedback } from '../data/cache'
import { deckFrom } from '../lib/deck-from'
import { useApi, useApiMutation, useFetchApi } from '../data/queries'
import { fmtBytes, fmtCost, fmtDuration, fmtTokens, oneLine, costTitle, count, matchOutputFile } from '../lib/format'
import { createGradeHistory, type Grade } from '../lib/grades'
import { typing, useHelp, useShortcut } from '../lib/hotkeys'
import { createSaver } from '../lib/saver'
import { DiffView } from './DiffView'
import { ErrorLine } from './ErrorLine'
import { FinalAnswer, shownAnswer } from './FinalAnswer'

const finished = (r: Run) => r.state !== 'queued' && r.state !== 'running'

/** A batch's runs in order, from the shared cache (kept current by runProgress). */
function useBatchRuns(batchId: string) {
  const loaded = useApi('getBatch', { batchId })
  const runs = useMemo(() => loaded.data?.runs.slice().sort((a, b) => a.number - b.number) ?? [], [loaded.data])
  return { loaded, runs }
}

/** A run's first good screenshot at a size (of one page, when given). */
export const firstShot = (run: Run, size: 'desktop' | 'mobile', html?: string) =>
  run.screenshots
    .filter((s) => !html || s.html === html)
    .flatMap((s) => s.shots.map((x) => ({ ...x, html: s.html })))
    .find((x) => x.label === size && !x.error && x.file)

/** A run's screenshot as a data: URL (null while it loads or when it cannot be read). */
export function useShot(runId: string, file: string): string | null {
  return useApi('getScreenshot', { runId, file }).data?.dataUrl ?? null
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

/** The numbers of one run, from its trace; its duration, the run's own (src/shared/numbers.ts). */
export function MetricsLine({ m, durationMs }: { m: RunMetrics | null | undefined; durationMs: number }) {
  if (!m) return null
  const kinds = [...new Set(m.errors.map((e) => e.kind))]
  return (
    <div className="metrics-line muted" data-testid="run-metrics">
      <span data-testid="metric-turns">{count(m.turns, 'turn')}</span> · {count(m.toolCalls, 'tool call')} ·{' '}
      <span className={m.toolErrors ? 'error-text' : ''}>
        {m.toolErrors} tool errors{kinds.length ? ` (${kinds.join(', ')})` : ''}
      </span>{' '}
      ·{' '}
      <span data-testid="metric-duration" title={DURATION_TITLE}>
        {fmtDuration(durationMs)}
      </span>{' '}
      · {fmtTokens(m.tokens)} tokens ·{' '}
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
      <Link key={n} className="run-badge" to="/review/$batchId/$run" params={{ batchId, run: n }} activeProps={{}}>
        {n}
      </Link>
    ))
  return (
    <div className="card compare-section" data-testid="signals">
      <div className="label">What sets bad runs apart (from the traces)</div>
      {!signals.bad || !signals.good ? (
        <div className="muted">Grade at least one good and one bad run to see which tools, sequences and errors go with bad results.</div>
      ) : !signals.signals.length ? (
        <div className="muted">
          Nothing in how the runs worked is much more common in the {signals.bad} bad runs than in the {signals.good} good ones.
        </div>
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
                  <span className={`badge kind-${s.kind}`}>
                    {s.kind === 'error' ? 'error' : s.kind === 'sequence' ? 'sequence' : 'tool'}
                  </span>{' '}
                  <code>{s.feature}</code>
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
/**
 * Blind mode hides what tells which batch (or skill version) a run came from; kept across views and
 * restarts. A verification's batch is always blind (see verificationOf).
 */
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

/**
 * A verification's batch (getBatch says whose): graded blind, always. Nothing on the deck, the gallery
 * or compare may tell its two arms apart: no batch name, no trace link, no turns, tool calls, duration
 * or cost (loading the skill is one more turn), no signals (the Skill tool would be one).
 */
export const verificationOf = (batch: { verificationId?: string } | undefined): string | undefined => batch?.verificationId

/**
 * The run numbers in the address (`#/review/<batch>/<run>/line/<line>`; 0 where there is none), and
 * the output file pointed to (`#/review/<batch>/<run>/file/<path>`; '' where there is none).
 */
function useDeckAddress(): { start: number; line: number; file: string } {
  return useRouterState({
    select: (s) => {
      const p = (s.matches[s.matches.length - 1]?.params ?? {}) as { run?: number; line?: number; _splat?: string }
      return { start: p.run ?? 0, line: p.line ?? 0, file: p._splat ?? '' }
    },
    structuralSharing: true
  })
}

export function ReviewDeck({ batchId }: { batchId: string }) {
  const { start, line, file } = useDeckAddress()
  const navigate = useNavigate()
  const client = useQueryClient()
  const { loaded, runs } = useBatchRuns(batchId)
  // the same entry as the gallery's and compare's: one request per batch
  const signals = useApi('getSignals', { batchId })
  const saveFeedback = useApiMutation('saveFeedback')
  const help = useHelp()
  const [view, setView] = useState<'desktop' | 'mobile'>('desktop')
  const [blindSetting, setBlind] = useBlind()
  const verificationId = verificationOf(loaded.data)
  const blind = blindSetting || !!verificationId
  // opened from a skill's evidence badge: the way back leads there, at the rule
  const from = deckFrom(useSearch({ strict: false }).from)
  const fromSkill = useApi('getSkill', from ? { skillId: from.skillId } : null)
  // per run: the save state belongs to the run on screen, never to the one graded before it
  const [saveStates, setSaveStates] = useState<Record<string, string>>({})
  const input = useRef<HTMLInputElement>(null)
  const analyse = useRef<HTMLAnchorElement>(null)
  const [focusAnalyse, setFocusAnalyse] = useState(0)
  const send = useRef(saveFeedback.mutateAsync)
  send.current = saveFeedback.mutateAsync
  const saver = useMemo(
    () =>
      createSaver<Grade>(
        (runId, v) => send.current({ runId, label: v.label, text: v.text }),
        (runId, s, e) => setSaveStates((m) => ({ ...m, [runId]: s === 'error' ? `not saved: ${e}` : s }))
      ),
    []
  )
  const gradable = runs.filter(finished)
  const gradableRef = useRef(gradable)
  gradableRef.current = gradable

  // The latest grade per run, updated synchronously: a key pressed right after another must not
  // build on a render that has not happened yet. It is also put in the cache (the gallery, compare
  // and the count read it there) and saved in the background, in order.
  const latest = useRef(new Map<string, Grade>())
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const gradeOf = (r: Run): Grade => latest.current.get(r.id) ?? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' }
  const apply = (runId: string, next: Grade) => {
    latest.current.set(runId, next)
    putFeedback(client, batchId, runId, next)
    rerender()
    void saver.save(runId, next)
  }
  const isGraded = (r: Run) => !!gradeOf(r).label

  // The run on screen, by number. Where the deck opens: the run named in the address, else the first
  // ungraded one (decided once, when the batch is there).
  const [shown, setShown] = useState<number | null>(null)
  useLayoutEffect(() => {
    if (!gradable.length) return
    if (start && start !== shown && gradable.some((r) => r.number === start)) setShown(start)
    else if (shown === null) setShown((gradable.find((r) => !isGraded(r)) ?? gradable[0]).number)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [start, gradable.length > 0])
  const run = gradable.find((r) => r.number === shown) ?? gradable[0]
  const index = run ? gradable.indexOf(run) : -1
  const graded = gradable.filter(isGraded).length
  const pointed = !!line && !!run && run.number === start
  const pointedFile = file && run && run.number === start ? file : ''
  // The run on screen is in the address, so a reload (or a link) comes back to it.
  useEffect(() => {
    if (run && shown !== null && run.number !== start)
      void navigate({ to: '/review/$batchId/$run', params: { batchId, run: run.number }, replace: true })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [batchId, run?.number, shown])

  // Undo and redo (Ctrl+Z, Ctrl+Shift+Z outside the sentence field): a grade key and the sentence
  // typed after it are one change, ended when the sentence is left.
  const undoable = useMemo(
    () =>
      createGradeHistory((runId) => {
        const r = gradableRef.current.find((x) => x.id === runId)
        return latest.current.get(runId) ?? (r ? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' } : undefined)
      }),
    []
  )
  const commit = () => undoable.commit()
  const undo = (redo: boolean) => {
    const change = redo ? undoable.redo() : undoable.undo()
    if (!change) return
    apply(change.runId, redo ? change.after : change.before)
    const r = gradableRef.current.find((x) => x.id === change.runId)
    if (r) setShown(r.number)
  }
  const update = (patch: Partial<Grade>) => {
    if (!run) return
    undoable.begin(run.id)
    apply(run.id, { ...gradeOf(run), ...patch })
  }
  const move = (d: number) => {
    commit()
    setShown((n) => {
      const list = gradableRef.current
      const i = Math.max(
        0,
        list.findIndex((r) => r.number === n)
      )
      return list[Math.max(0, Math.min(list.length - 1, i + d))]?.number ?? n
    })
  }
  /** The next run without a grade after this one (wrapping); when all are graded, on to the analysis. */
  const nextUngraded = () => {
    commit()
    for (let k = 1; k <= gradable.length; k++) {
      const r = gradable[(index + k) % gradable.length]
      if (!isGraded(r)) return setShown(r.number)
    }
    setShown(gradable[Math.min(index + 1, gradable.length - 1)].number)
    setFocusAnalyse((n) => n + 1)
  }
  useEffect(() => {
    if (focusAnalyse) analyse.current?.focus()
  }, [focusAnalyse])

  /** Compare with a run graded the other way (or the next run when there is none). */
  const compareWith = (r: Run) => {
    const other = gradeOf(r).label === 'good' ? 'bad' : 'good'
    const partner =
      gradable.find((x) => x.id !== r.id && gradeOf(x).label === other) ?? gradable[(gradable.indexOf(r) + 1) % gradable.length]
    if (partner && partner.id !== r.id)
      void navigate({ to: '/compare/$batchId/$a/$b', params: { batchId, a: String(r.number), b: String(partner.number) } })
  }

  const ready = !!run
  useShortcut(
    'deck.grade',
    (e) => {
      e.preventDefault()
      update({ label: e.key.toLowerCase() === 'g' ? 'good' : 'bad' })
      // At once, not after a render: the next key typed belongs to the sentence. (The letter itself
      // is not typed into it: this keydown's default is prevented.)
      input.current?.focus()
    },
    { enabled: ready }
  )
  useShortcut(
    'deck.enter',
    (e) => {
      if (e.target === input.current) {
        // Saving goes on in the background, in order; the next run is shown at once.
        e.preventDefault()
        input.current?.blur()
        nextUngraded()
      } else if (!typing(e) && !(e.target instanceof HTMLElement && e.target.closest('a, button'))) input.current?.focus()
    },
    { enabled: ready }
  )
  useShortcut('deck.leave', (e) => typing(e) && (e.target as HTMLElement).blur(), { enabled: ready })
  useShortcut('deck.move', (e) => move(e.key === 'j' || e.key === 'J' || e.key === 'ArrowRight' ? 1 : -1), { enabled: ready })
  useShortcut('deck.view', (e) => setView(e.key.toLowerCase() === 'd' ? 'desktop' : 'mobile'), { enabled: ready })
  useShortcut('deck.compare', () => run && compareWith(run), { enabled: ready })
  // Ctrl+Z in the sentence field is the field's own text undo
  useShortcut(
    'deck.undo',
    (e) => {
      e.preventDefault()
      undo(false)
    },
    { enabled: ready }
  )
  useShortcut(
    'deck.redo',
    (e) => {
      e.preventDefault()
      undo(true)
    },
    { enabled: ready }
  )

  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  if (!run) return <div className="empty">No finished runs to grade yet. Runs appear here as they finish.</div>
  const grade = gradeOf(run)
  const shots = run.screenshots.flatMap((s) =>
    s.shots.filter((x) => x.label === view && !x.error && x.file).map((x) => ({ ...x, html: s.html }))
  )
  const allGraded = gradable.length > 0 && graded === gradable.length
  return (
    <section className="page review" data-testid="review-deck">
      <div className="review-head">
        {blind ? (
          <span className="muted">Blind review</span>
        ) : (
          <Link to="/batch/$batchId" params={{ batchId }}>
            ← {loaded.data.batch.name}
          </Link>
        )}
        <strong data-testid="graded-count">
          {graded} of {gradable.length} graded
        </strong>
        <Link to="/gallery/$batchId" params={{ batchId }}>
          Gallery
        </Link>
        {from ? (
          <Link
            to="/skill/$skillId"
            params={{ skillId: from.skillId }}
            search={from.ruleId ? { rule: from.ruleId } : {}}
            data-testid="deck-back-to-skill"
          >
            ← {fromSkill.data?.skill.frontMatter.name || 'the skill'}
            {from.ruleId ? ', at the rule' : ''}
          </Link>
        ) : verificationId ? (
          <Link to="/verification/$verificationId" params={{ verificationId }} data-testid="deck-report">
            Report
          </Link>
        ) : (
          <Link to="/analyze/$batchId" params={{ batchId }} data-testid="deck-analyze">
            Analyse
          </Link>
        )}
        {gradable.length > 1 ? (
          <button className="ghost" onClick={() => compareWith(run)} data-testid="compare-this">
            Compare (c)
          </button>
        ) : null}
        {verificationId ? null : (
          <label className="check">
            <input type="checkbox" checked={blind} onChange={(e) => setBlind(e.target.checked)} data-testid="blind" /> Blind
          </label>
        )}
        <button className="ghost" onClick={help.show}>
          ? Keys
        </button>
      </div>
      {allGraded && verificationId ? (
        <div className="all-graded">
          <Link ref={analyse} className="button" to="/verification/$verificationId" params={{ verificationId }} data-testid="all-graded">
            All {gradable.length} graded. See the report →
          </Link>
          <span className="muted">The report compares the two arms: pass rates, and the runs the skill fixed and broke.</span>
        </div>
      ) : allGraded && from ? (
        <div className="all-graded">
          <Link
            ref={analyse}
            className="button"
            to="/skill/$skillId"
            params={{ skillId: from.skillId }}
            search={from.ruleId ? { rule: from.ruleId } : {}}
            data-testid="all-graded"
          >
            Back to {fromSkill.data?.skill.frontMatter.name || 'the skill'}
            {from.ruleId ? ', at the rule that cites these runs' : ''} →
          </Link>
          <span className="muted">These runs are evidence of the skill&apos;s rules; every one is graded.</span>
        </div>
      ) : allGraded ? (
        <div className="all-graded">
          <Link ref={analyse} className="button" to="/analyze/$batchId" params={{ batchId }} data-testid="all-graded">
            All {gradable.length} graded. Analyse →
          </Link>
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
        {verificationId ? null : (
          <MetricsLine m={signals.data?.runs.find((x) => x.runId === run.id)?.metrics} durationMs={runDurationMs(run)} />
        )}
        {/* a verification's run: its trace (which shows the skill loaded) only where its report pointed */}
        {run.projectId && (!verificationId || pointed) ? (
          pointed ? (
            <Link
              className="trace-link pointed"
              to="/project/$projectId/session/$sessionId/line/$line"
              params={{ projectId: run.projectId, sessionId: run.sessionId, line }}
              data-testid="open-trace"
            >
              Open the trace at line {line}, where {verificationId ? 'the report' : 'the analyst'} pointed
            </Link>
          ) : (
            <Link
              className="trace-link"
              to="/project/$projectId/session/$sessionId"
              params={{ projectId: run.projectId, sessionId: run.sessionId }}
              data-testid="open-trace"
            >
              Open the trace
            </Link>
          )
        ) : null}
        {pointedFile ? <PointedFile run={run} path={pointedFile} /> : null}
        <pre className="deck-prompt">{run.prompt}</pre>
        <div className={`grade grade-${grade.label ?? 'none'}`}>
          <button
            className={grade.label === 'good' ? 'on' : ''}
            onClick={() => (update({ label: 'good' }), input.current?.focus())}
            data-testid="grade-good"
          >
            Good (g)
          </button>
          <button
            className={grade.label === 'bad' ? 'on bad' : ''}
            onClick={() => (update({ label: 'bad' }), input.current?.focus())}
            data-testid="grade-bad"
          >
            Bad (b)
          </button>
          <input
            ref={input}
            data-testid="feedback-text"
            value={grade.text}
            placeholder="One sentence about what it made (Enter: next ungraded run)"
            onChange={(e) => update({ text: e.target.value })}
            onFocus={() => undoable.begin(run.id)}
            onBlur={commit}
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
                  {f.diff ? <DiffView diff={f.diff} /> : null}
                </details>
              ))
            ) : (
              <div className="muted">No files.</div>
            )}
            {run.result ? <FinalAnswer text={run.result} /> : null}
          </div>
        )}
      </div>
    </section>
  )
}

/** The output file an analyst pointed to, open (its diff against the template), or why it cannot be shown. */
function PointedFile({ run, path }: { run: Run; path: string }) {
  const f = matchOutputFile(run.files, path)
  if (!f)
    return (
      <div className="pointed-file missing" data-testid="pointed-file" data-found="false">
        The analyst pointed to <code>{path}</code>, which is not among the files this run created or changed.
      </div>
    )
  return (
    <details className="pointed-file" open data-testid="pointed-file" data-found="true" data-path={f.path}>
      <summary>
        The file the analyst pointed to: <code>{f.path}</code> <span className="badge">{f.status}</span>
      </summary>
      {f.diff ? (
        <DiffView diff={f.diff} />
      ) : (
        <div className="muted">
          {f.binary
            ? `A binary file (${fmtBytes(f.bytes)}).`
            : f.status === 'deleted'
              ? 'Deleted.'
              : f.tooLarge
                ? `Too large for a text diff (${fmtBytes(f.bytes)}).`
                : 'No text to show.'}
        </div>
      )}
    </details>
  )
}

/** Screenshots that failed (a page that hung, a busy machine): say so, and offer to take them again. */
function ShotProblems({ run }: { run: Run }) {
  const retake = useApiMutation('retakeScreenshots')
  const failed = run.screenshots.flatMap((s) => s.shots.filter((x) => x.error).map((x) => ({ ...x, html: s.html })))
  const missing = !run.screenshots.length && !run.imported && run.files.some((f) => f.status !== 'deleted' && /\.html?$/i.test(f.path))
  // a page taller than a screenshot can be: the grader should know the bottom is not shown
  const notes = run.screenshots.flatMap((s) =>
    s.shots.filter((x) => x.note && !x.error && x.label === 'desktop').map((x) => ({ html: s.html, note: x.note! }))
  )
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
      <button disabled={retake.isPending} onClick={() => retake.mutate({ runId: run.id })} data-testid="retake-screenshots">
        {retake.isPending ? 'Taking screenshots…' : 'Retake screenshots'}
      </button>
      {retake.error ? <span className="error-text">{retake.error.message}</span> : null}
    </div>
  )
}

export function Gallery({ batchId }: { batchId: string }) {
  const { loaded, runs } = useBatchRuns(batchId)
  const [label, setLabel] = useState<'all' | 'good' | 'bad' | 'ungraded'>('all')
  const [difficulty, setDifficulty] = useState<string>('all')
  const [sort, setSort] = useState<'number' | 'label'>('number')
  const [text, setText] = useState<string | null>(null)
  const [picked, setPicked] = useState<number[]>([])
  // the same entry as the deck's and compare's: one request per batch, read again when grades change
  const signals = useApi('getSignals', { batchId })
  const importFeedback = useApiMutation('importFeedback')
  const fetchApi = useFetchApi()
  const navigate = useNavigate()
  const result = importFeedback.data
  const verificationId = verificationOf(loaded.data)
  const togglePick = (n: number) => setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p.slice(-1), n]))
  const shown = runs
    .filter(finished)
    .filter((r) => label === 'all' || (label === 'ungraded' ? !r.feedback?.label : r.feedback?.label === label))
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
              className={`gallery-card grade-${r.feedback?.label ?? 'none'}`}
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
                <span className={`label-${r.feedback?.label ?? 'none'}`}>{r.feedback?.label ?? 'ungraded'}</span>
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
