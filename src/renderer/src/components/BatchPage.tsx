/** A batch: live progress per run and overall, cancel and retry, and what each run produced. */
import { useEffect, useState } from 'react'
import type { BatchStatus } from '@shared/contract'
import { describePreset, isFinished, type Run, type ShotInfo } from '@shared/runs'
import { api } from '../api'
import { costTitle, fmtCost, fmtDuration, fmtTokens, oneLine, count } from '../lib/format'
import { useAsync } from '../lib/hooks'
import { ErrorLine } from './ErrorLine'

export function BatchPage({ batchId }: { batchId: string }) {
  const loaded = useAsync(() => api().getBatch({ batchId }), [batchId])
  const [runs, setRuns] = useState<Map<string, Run>>(new Map())
  const [status, setStatus] = useState<BatchStatus | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (!loaded.data) return
    setRuns(new Map(loaded.data.runs.map((r) => [r.id, r])))
    setStatus(loaded.data.status)
  }, [loaded.data])
  useEffect(() => {
    const offs = [
      api().on('runProgress', ({ run }) => {
        if (run.batchId === batchId) setRuns((m) => new Map(m).set(run.id, run))
      }),
      api().on('batchProgress', (s) => s.batchId === batchId && setStatus(s))
    ]
    return () => offs.forEach((o) => o())
  }, [batchId])
  const act = async (fn: () => Promise<unknown>) => {
    setError(null)
    try {
      await fn()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  if (loaded.error) return <ErrorLine error={loaded.error} retry={loaded.reload} />
  if (!loaded.data || !status) return <div className="muted pad">Loading…</div>
  const list = [...runs.values()].sort((a, b) => a.number - b.number)
  const finished = list.filter((r) => isFinished(r.state)).length
  const retryable = list.filter((r) => ['failed', 'cancelled', 'interrupted'].includes(r.state)).length
  const busy = status.running + status.queued > 0
  return (
    <section className="page">
      <div className="crumbs-inline">
        <a href={loaded.data.batch.taskId ? `#/task/${encodeURIComponent(loaded.data.batch.taskId)}` : '#/tasks'}>← Task</a>
      </div>
      <h1>{loaded.data.batch.name}</h1>
      {list.some((r) => !r.imported) ? <div className="muted" data-testid="batch-preset">Permissions: {describePreset(loaded.data.batch.settings)}</div> : null}
      <div className="review-links">
        <a className="button" data-testid="open-review" href={`#/review/${encodeURIComponent(batchId)}`}>
          Grade the runs →
        </a>
        <a className="button ghost-link" href={`#/gallery/${encodeURIComponent(batchId)}`}>
          Gallery
        </a>
        <a className="button ghost-link" data-testid="open-analyze" href={`#/analyze/${encodeURIComponent(batchId)}`}>
          Analyse →
        </a>
      </div>
      <div className="batch-progress" data-testid="batch-progress" data-finished={finished} data-total={list.length}>
        <progress max={list.length} value={finished} aria-label="Batch progress" />
        <span>
          {finished} of {list.length} finished · {status.running} running · {status.done} done · {status.failed} failed · {status.cancelled} cancelled
          {status.interrupted ? ` · ${status.interrupted} interrupted` : ''} ·{' '}
          <span data-testid="batch-cost" title="the runs' costs added up (each Claude Code's figure where it reported one, else estimated from tokens)">
            {fmtCost(status.costUsd)}
          </span>
        </span>
        {busy ? (
          <button data-testid="cancel-batch" onClick={() => void act(() => api().cancelBatch({ batchId }))}>
            Cancel all
          </button>
        ) : null}
        {retryable ? (
          <button onClick={() => void act(() => api().retryRuns({ batchId }))}>
            Retry {retryable} failed/cancelled
          </button>
        ) : null}
      </div>
      {error ? <ErrorLine error={error} /> : null}
      <div className="runs">
        {list.map((r) => (
          <div key={r.id} className={`run run-${r.state}`} data-testid="run-row" data-state={r.state} data-number={r.number}>
            <div className="run-head" onClick={() => setOpen(open === r.id ? null : r.id)}>
              <strong>Run {r.number}</strong>
              {r.difficulty ? <span className="badge">{r.difficulty}</span> : null}
              <span className={`state state-${r.state}`}>{r.state}</span>
              <span className="run-prompt">{oneLine(r.prompt, 90)}</span>
              <span className="run-metrics">
                <span data-testid="run-turns">{count(r.progress.turns, 'turn')}</span> · {count(r.progress.toolCalls, 'tool')}{r.progress.currentTool ? ` · ${r.progress.currentTool}…` : ''} · {fmtTokens(r.progress.tokens)} tok ·{' '}
                <span data-testid="run-cost" data-cost-source={r.progress.costSource ?? 'estimated'} title={costTitle(r.progress.costSource, r.state === 'running' && r.progress.costSource !== 'claude-code')}>
                  {fmtCost(r.progress.costUsd)}
                </span>{' '}
                · {fmtDuration(r.progress.elapsedMs)}
              </span>
              {r.state === 'running' || r.state === 'queued' ? (
                <button
                  data-testid="cancel-run"
                  onClick={(e) => {
                    e.stopPropagation()
                    void act(() => api().cancelRun({ runId: r.id }))
                  }}
                >
                  Cancel
                </button>
              ) : !r.imported && r.state !== 'done' ? (
                <button
                  onClick={(e) => {
                    e.stopPropagation()
                    void act(() => api().retryRuns({ batchId, runIds: [r.id] }))
                  }}
                >
                  Retry
                </button>
              ) : null}
            </div>
            {r.reason ? <div className="run-reason">{r.reason}</div> : null}
            {r.screenshots.length ? (
              <div className="shots">
                {r.screenshots.flatMap((s) => s.shots.map((shot) => <Screenshot key={shot.file || `${s.html}-${shot.label}`} runId={r.id} html={s.html} shot={shot} />))}
              </div>
            ) : null}
            {open === r.id ? <RunOutputs run={r} /> : null}
          </div>
        ))}
      </div>
    </section>
  )
}

function Screenshot({ runId, html, shot }: { runId: string; html: string; shot: ShotInfo }) {
  const [src, setSrc] = useState<string | null>(null)
  const [big, setBig] = useState(false)
  useEffect(() => {
    if (!shot.file || shot.error) return
    let live = true
    void api()
      .getScreenshot({ runId, file: shot.file })
      .then((r) => live && setSrc(r.dataUrl))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [runId, shot.file, shot.error])
  return (
    <figure className={`shot shot-${shot.label}`} data-testid="screenshot" data-label={shot.label}>
      {shot.error ? <div className="error-text">{shot.error}</div> : src ? <img src={src} alt={`${html} at ${shot.width}px`} onClick={() => setBig(true)} /> : <div className="muted">loading…</div>}
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
      {run.result ? (
        <>
          <div className="label">Final answer</div>
          <pre>{run.result}</pre>
        </>
      ) : null}
      <div className="label">Files ({run.files.length})</div>
      {run.files.length === 0 ? <div className="muted">No files created or changed.</div> : null}
      {run.files.map((f) => (
        <details key={f.path}>
          <summary>
            <code>{f.path}</code> <span className={`badge ${f.status === 'deleted' ? 'error' : ''}`}>{f.status}</span> <span className="muted">{f.bytes} bytes</span>
          </summary>
          {f.diff ? <pre className="diff">{f.diff}</pre> : <div className="muted">{f.binary ? 'binary file' : 'too large to show'}</div>}
        </details>
      ))}
      {run.projectId ? (
        <a href={`#/project/${encodeURIComponent(run.projectId)}/session/${encodeURIComponent(run.sessionId)}`}>Open the trace →</a>
      ) : (
        <span className="muted">No session recorded{run.state === 'failed' ? ' (the run failed before Claude Code wrote one)' : ''}.</span>
      )}
    </div>
  )
}
