/**
 * Step 2: grade what each run produced, fast. The deck shows one run at a time (keys: g good, b bad,
 * type the sentence, Enter saves and moves to the next ungraded run, j/k next/previous, ? help). A run
 * the grader pre-graded shows its grade marked as the grader's: Enter confirms it, f flips it.
 * Feedback is saved as it is typed (its state: useReviewDeck).
 */
import { Link } from '@tanstack/react-router'
import { type Run } from '@shared/runs'
import { runDurationMs } from '@shared/numbers'
import { useApiMutation } from '../../data/queries'
import { fmtBytes, matchOutputFile } from '../../lib/format'
import { DiffView } from '../../components/DiffView'
import { ErrorLine } from '../../components/ErrorLine'
import { FinalAnswer } from '../../components/FinalAnswer'
import { MetricsLine, RunTrouble, ShotImage } from './runs'
import { useReviewDeck } from './useReviewDeck'
import { AcceptSure, PregradeRest, RunPregrade } from './DeckPregrade'
import { gradedByGrader } from '../../components/GraderMark'

export function ReviewDeck({ batchId }: { batchId: string }) {
  const {
    analyse,
    blind,
    commit,
    compareWith,
    confirmPending,
    nextUngraded,
    pendingOf,
    pregrade,
    from,
    fromSkill,
    gradable,
    gradeOf,
    graded,
    help,
    index,
    input,
    line,
    loaded,
    pointed,
    pointedFile,
    run,
    saveStates,
    setBlind,
    setView,
    signals,
    undoable,
    update,
    verificationId,
    view
  } = useReviewDeck(batchId)
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  if (!run) return <div className="empty">No finished runs to grade yet. Runs appear here as they finish.</div>
  const grade = gradeOf(run)
  const shots = run.screenshots.flatMap((s) =>
    s.shots.filter((x) => x.label === view && !x.error && x.file).map((x) => ({ ...x, html: s.html }))
  )
  const allGraded = gradable.length > 0 && graded === gradable.length
  // a grade the grader gave that no person confirmed: not lit as the person's
  const byGrader = gradedByGrader(run)
  const left = gradable.filter((r) => !gradeOf(r).label && !pendingOf(r)).length
  const pendings = gradable.map(pendingOf).filter((p) => !!p)
  const unsure = pendings.filter((p) => p.unsure).length
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
        <PregradeRest batchId={batchId} pregrade={pregrade.data} left={left} />
        {pregrade.data && pregrade.data.state !== 'running' ? (
          <AcceptSure batchId={batchId} sure={pendings.length - unsure} unsure={unsure} />
        ) : null}
        <button className="ghost" onClick={help.show}>
          ? Keys
        </button>
      </div>
      {allGraded && verificationId ? (
        <div className="all-graded">
          <Link ref={analyse} className="button" to="/verification/$verificationId" params={{ verificationId }} data-testid="all-graded">
            All {gradable.length} graded. See the report →
          </Link>
          <span className="muted">
            The report compares the arms: pass rates and the runs the skill fixed and broke; for candidates, the table and the one
            suggested; for a confirmation, each rule&apos;s result.
          </span>
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
        <RunPregrade
          run={run}
          pending={pendingOf(run)}
          pregrade={pregrade.data}
          onConfirm={() => confirmPending(false) && nextUngraded()}
          onFlip={() => confirmPending(true) && input.current?.focus()}
        />
        <div className={`grade grade-${byGrader ? 'none' : (grade.label ?? 'none')}`}>
          <button
            className={grade.label === 'good' && !byGrader ? 'on' : ''}
            onClick={() => (update({ label: 'good' }), input.current?.focus())}
            data-testid="grade-good"
          >
            Good (g)
          </button>
          <button
            className={grade.label === 'bad' && !byGrader ? 'on bad' : ''}
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
