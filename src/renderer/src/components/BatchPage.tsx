/** A batch: live progress per run and overall, cancel and retry, and what each run produced. */
import { useState } from 'react'
import { Link } from '@tanstack/react-router'
import { describeClaudeSettings, describePreset, isFinished, type Run, type ShotInfo } from '@shared/runs'
import { DURATION_TITLE, runDurationMs } from '@shared/numbers'
import { useApi, useApiMutation } from '../data/queries'
import { costTitle, fmtCost, fmtDuration, fmtTokens, oneLine, count } from '../lib/format'
import { DiffView } from './DiffView'
import { ErrorLine } from './ErrorLine'
import { FinalAnswer } from './FinalAnswer'
import { SearchHitBody } from './SearchHitBody'
import { useDebounced } from '../lib/hooks'
import { GraderPanel } from '../features/grading/GraderPanel'
import { GradeMark } from './GraderMark'

/** A run cancelled (or failed) before its claude started: no figures to show, not a row of zeros. */
const neverStarted = (r: Run) =>
  (r.state === 'cancelled' || r.state === 'failed' || r.state === 'interrupted') &&
  !r.imported &&
  !r.startedAt &&
  r.progress.elapsedMs === 0

export function BatchPage({ batchId }: { batchId: string }) {
  // the batch, its runs and its status, kept current by runProgress and batchProgress (data/cache.ts)
  const loaded = useApi('getBatch', { batchId })
  const cancelBatch = useApiMutation('cancelBatch')
  const cancelRun = useApiMutation('cancelRun')
  const retryRuns = useApiMutation('retryRuns')
  // the grader's pre-grades still to confirm (the grader panel reads the same entry): marked on their runs
  const pregrade = useApi('getPregrade', { batchId })
  const [open, setOpen] = useState<string | null>(null)
  const error = cancelBatch.error ?? cancelRun.error ?? retryRuns.error
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  const { batch, status } = loaded.data
  const list = loaded.data.runs.slice().sort((a, b) => a.number - b.number)
  const finished = list.filter((r) => isFinished(r.state)).length
  const retryable = list.filter((r) => ['failed', 'cancelled', 'interrupted'].includes(r.state)).length
  const busy = status.running + status.collecting + status.queued > 0
  // a verification's runs: the numbers of each run (turns, the tool it is in, cost) would tell its arms apart
  const blindArms = !!loaded.data.verificationId
  return (
    <section className="page">
      <div className="crumbs-inline">
        {batch.taskId ? (
          <Link to="/task/$taskId" params={{ taskId: batch.taskId }}>
            ← Task
          </Link>
        ) : (
          <Link to="/tasks">← Task</Link>
        )}
      </div>
      <h1>{batch.name}</h1>
      {loaded.data.verificationId ? (
        <div className="notice notice-warning inline" data-testid="verification-batch">
          <div>
            These are the runs of a verification, both arms shuffled: grade them in the blind deck, where nothing says which run had the
            skill. Each run's turns, tools and cost are left out here for the same reason; the report has them per arm.{' '}
            <Link to="/verification/$verificationId" params={{ verificationId: loaded.data.verificationId }}>
              The verification and its report →
            </Link>
          </div>
        </div>
      ) : null}
      {list.some((r) => !r.imported) ? (
        <>
          <div className="muted" data-testid="batch-preset">
            Permissions: {describePreset(batch.settings)}
          </div>
          <div
            className={batch.settings.useMyClaudeSettings ? 'notice notice-warning inline' : 'muted'}
            data-testid="batch-claude-settings"
          >
            Claude Code settings: {describeClaudeSettings(batch.settings)}.
          </div>
        </>
      ) : null}
      <div className="review-links">
        <Link className="button" data-testid="open-review" to="/review/$batchId" params={{ batchId }}>
          Grade the runs →
        </Link>
        <Link className="button ghost-link" to="/gallery/$batchId" params={{ batchId }}>
          Gallery
        </Link>
        <Link className="button ghost-link" data-testid="open-analyze" to="/analyze/$batchId" params={{ batchId }}>
          Analyse →
        </Link>
        <Link
          className="button ghost-link"
          data-testid="open-candidates"
          to="/make-candidates/batch/$batchId"
          params={{ batchId }}
          title="Build several candidate skills from these graded runs and verify them against each other"
        >
          Make candidates…
        </Link>
      </div>
      <div className="batch-progress" data-testid="batch-progress" data-finished={finished} data-total={list.length}>
        <progress max={list.length} value={finished} aria-label="Batch progress" />
        <span>
          {finished} of {list.length} finished · <span data-testid="batch-running">{status.running} running</span>
          {status.collecting ? <span data-testid="batch-collecting"> · {status.collecting} collecting outputs</span> : null} · {status.done}{' '}
          done · {status.failed} failed · {status.cancelled} cancelled
          {status.interrupted ? ` · ${status.interrupted} interrupted` : ''} ·{' '}
          <span
            data-testid="batch-cost"
            title="the runs' costs added up (each Claude Code's figure where it reported one, else estimated from tokens)"
          >
            {fmtCost(status.costUsd)}
          </span>
        </span>
        {busy ? (
          <button data-testid="cancel-batch" onClick={() => cancelBatch.mutate({ batchId })}>
            Cancel all
          </button>
        ) : null}
        {retryable ? <button onClick={() => retryRuns.mutate({ batchId })}>Retry {retryable} failed/cancelled</button> : null}
      </div>
      {error ? <ErrorLine error={error.message} /> : null}
      {blindArms ? null : <BatchSearch batchId={batchId} />}
      <div className="runs">
        {list.map((r) => (
          <div
            key={r.id}
            className={`run run-${r.state}`}
            data-testid="run-row"
            data-state={r.collecting ? 'collecting' : r.state}
            data-number={r.number}
          >
            <div className="run-head" onClick={() => setOpen(open === r.id ? null : r.id)}>
              <strong>Run {r.number}</strong>
              {r.difficulty ? <span className="badge">{r.difficulty}</span> : null}
              {r.collecting ? (
                <span
                  className="state state-collecting"
                  title="claude has finished; its files, screenshots and session are being collected"
                >
                  collecting outputs
                </span>
              ) : (
                <span className={`state state-${r.state}`}>{r.state}</span>
              )}
              {r.state === 'done' || r.feedback?.label ? (
                <span className="run-grade" data-testid="run-grade">
                  <GradeMark run={r} pregrade={pregrade.data?.grades[r.id]} compact />
                </span>
              ) : null}
              <span className="run-prompt">{oneLine(r.prompt, 90)}</span>
              {blindArms ? null : neverStarted(r) ? (
                <span className="run-metrics muted" data-testid="run-not-started">
                  did not start
                </span>
              ) : (
                <span className="run-metrics">
                  <span data-testid="run-turns">{count(r.progress.turns, 'turn')}</span> · {count(r.progress.toolCalls, 'tool')}
                  {r.progress.currentTool ? ` · ${r.progress.currentTool}…` : ''} · {fmtTokens(r.progress.tokens)} tok ·{' '}
                  <span
                    data-testid="run-cost"
                    data-cost-source={r.progress.costSource ?? 'estimated'}
                    title={costTitle(r.progress.costSource, r.state === 'running' && r.progress.costSource !== 'claude-code')}
                  >
                    {fmtCost(r.progress.costUsd)}
                  </span>{' '}
                  ·{' '}
                  <span data-testid="run-duration" title={DURATION_TITLE}>
                    {fmtDuration(runDurationMs(r))}
                  </span>
                </span>
              )}
              {(r.state === 'running' && !r.collecting) || r.state === 'queued' ? (
                <button
                  data-testid="cancel-run"
                  onClick={(e) => {
                    e.stopPropagation()
                    cancelRun.mutate({ runId: r.id })
                  }}
                >
                  Cancel
                </button>
              ) : !r.imported && r.state !== 'done' ? (
                <button
                  onClick={(e) => {
                    e.stopPropagation()
                    retryRuns.mutate({ batchId, runIds: [r.id] })
                  }}
                >
                  Retry
                </button>
              ) : null}
            </div>
            {r.reason ? <div className="run-reason">{r.reason}</div> : null}
            {r.screenshots.length ? (
              <div className="shots">
                {r.screenshots.flatMap((s) =>
                  s.shots.map((shot) => <Screenshot key={shot.file || `${s.html}-${shot.label}`} runId={r.id} html={s.html} shot={shot} />)
                )}
              </div>
            ) : null}
            {open === r.id ? <RunOutputs run={r} /> : null}
          </div>
        ))}
      </div>
      {blindArms ? null : (
        <GraderPanel
          batchId={batchId}
          graded={list.filter((r) => r.feedback?.label).length}
          ungraded={list.filter((r) => !r.feedback?.label && isFinished(r.state)).length}
          numbers={new Map(list.map((r) => [r.id, r.number]))}
        />
      )}
    </section>
  )
}

function Screenshot({ runId, html, shot }: { runId: string; html: string; shot: ShotInfo }) {
  const img = useApi('getScreenshot', shot.file && !shot.error ? { runId, file: shot.file } : null)
  const src = img.data?.dataUrl ?? null
  const [big, setBig] = useState(false)
  return (
    <figure className={`shot shot-${shot.label}`} data-testid="screenshot" data-label={shot.label}>
      {shot.error ? (
        <div className="error-text">{shot.error}</div>
      ) : src ? (
        <img src={src} alt={`${html} at ${shot.width}px`} onClick={() => setBig(true)} />
      ) : (
        <div className="muted">loading…</div>
      )}
      <figcaption>
        {html} · {shot.label} {shot.width}px{shot.blank ? ' · blank page' : ''}
        {shot.note ? <div data-testid="shot-note">{shot.note}</div> : null}
        {shot.blockedRequests.length ? (
          <details data-testid="shot-blocked">
            <summary>
              {shot.blockedRequests.length} attempt{shot.blockedRequests.length === 1 ? '' : 's'} to reach the network blocked
            </summary>
            <ul>
              {shot.blockedRequests.map((b, i) => (
                <li key={i}>
                  <code>{oneLine(b, 300)}</code>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </figcaption>
      {big && src ? (
        <div className="overlay" onClick={() => setBig(false)} role="dialog" aria-label="Screenshot">
          <img src={src} alt="" />
        </div>
      ) : null}
    </figure>
  )
}

function RunOutputs({ run }: { run: Run }) {
  return (
    <div className="run-outputs">
      <div className="label">Prompt</div>
      <pre>{run.prompt}</pre>
      {run.result ? <FinalAnswer text={run.result} /> : null}
      <div className="label">Files ({run.files.length})</div>
      {run.files.length === 0 ? <div className="muted">No files created or changed.</div> : null}
      {run.files.map((f) => (
        <details key={f.path}>
          <summary>
            <code>{f.path}</code> <span className={`badge ${f.status === 'deleted' ? 'error' : ''}`}>{f.status}</span>{' '}
            <span className="muted">{f.bytes} bytes</span>
          </summary>
          {f.diff ? <DiffView diff={f.diff} /> : <div className="muted">{f.binary ? 'binary file' : 'too large to show'}</div>}
        </details>
      ))}
      {run.projectId ? (
        <Link to="/project/$projectId/session/$sessionId" params={{ projectId: run.projectId, sessionId: run.sessionId }}>
          Open the trace →
        </Link>
      ) : run.blind ? (
        <span className="muted">Its trace opens once every run of the verification is graded (it would say which run had the skill).</span>
      ) : (
        <span className="muted">No session recorded{run.state === 'failed' ? ' (the run failed before Claude Code wrote one)' : ''}.</span>
      )}
    </div>
  )
}

/** Search what every run of the batch said and did (their sessions, all at once), each hit by its run. */
function BatchSearch({ batchId }: { batchId: string }) {
  const [query, setQuery] = useState('')
  const settled = useDebounced(query.trim(), 300)
  const hits = useApi('searchBatch', settled.length >= 2 ? { batchId, query: settled } : null)
  return (
    <div className="batch-search" data-testid="batch-search">
      <input
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
        placeholder="Search the sessions of all runs of this batch"
        aria-label="Search this batch"
      />
      {settled.length >= 2 ? (
        <div className="hits" aria-label="Search results">
          {hits.isFetching && !hits.data ? <div className="muted pad">Searching…</div> : null}
          {hits.error ? <ErrorLine error={hits.error.message} retry={() => void hits.refetch()} /> : null}
          {hits.data && hits.data.length === 0 ? <div className="empty">No run of this batch says “{settled}”.</div> : null}
          {hits.data?.length ? (
            <div className="muted small">
              {hits.data.length} run{hits.data.length === 1 ? '' : 's'} of this batch say “{settled}”
            </div>
          ) : null}
          {hits.data?.map((h) => (
            <div key={h.runId} className="search-hit" data-testid="batch-search-hit" data-number={h.number}>
              <SearchHitBody hit={h}>
                {h.projectId ? (
                  <Link to="/project/$projectId/session/$sessionId" params={{ projectId: h.projectId, sessionId: h.sessionId }}>
                    Run {h.number}
                  </Link>
                ) : (
                  <strong>Run {h.number}</strong>
                )}{' '}
                <span className="muted">{oneLine(h.firstPrompt, 100)}</span>
              </SearchHitBody>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  )
}
