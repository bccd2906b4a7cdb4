/** Indexing progress (with Cancel) and notices (a corrupt store moved aside...). */
import { useEffect, useState } from 'react'
import type { EventPayload, Notice } from '@shared/contract'
import { api } from '../api'

export function StatusBar({ initialNotices }: { initialNotices: Notice[] }) {
  const [progress, setProgress] = useState<EventPayload<'indexProgress'> | null>(null)
  const [notices, setNotices] = useState<Notice[]>(initialNotices)
  useEffect(() => setNotices(initialNotices), [initialNotices])
  useEffect(() => {
    const offs = [
      api().on('indexProgress', (p) => setProgress(p)),
      api().on('notice', (n) => setNotices((all) => (all.some((x) => x.message === n.message) ? all : [...all, n])))
    ]
    return () => offs.forEach((off) => off())
  }, [])
  const running = progress && (progress.phase === 'scanning' || progress.phase === 'indexing')
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0
  return (
    <>
      {notices.map((n) => (
        <div key={n.message} className={`notice notice-${n.level}`} role="alert">
          <div>
            <strong>{n.message}</strong>
            {n.detail ? <div className="notice-detail">{n.detail}</div> : null}
          </div>
          <button className="ghost" aria-label="Dismiss" onClick={() => setNotices((all) => all.filter((x) => x !== n))}>
            ×
          </button>
        </div>
      ))}
      {progress && progress.phase !== 'done' ? (
        <div className="index-progress" data-testid="index-progress" data-phase={progress.phase}>
          {running ? (
            <>
              <span>Indexing sessions… {progress.total ? `${progress.done} of ${progress.total}` : ''}</span>
              <progress max={100} value={pct} aria-label="Indexing progress" />
              <button onClick={() => void api().cancelJob({ jobId: progress.jobId })}>Cancel</button>
            </>
          ) : progress.phase === 'cancelled' ? (
            <span>Indexing cancelled. Sessions are still listed as you open projects.</span>
          ) : (
            <span className="error-text">Indexing failed: {progress.error}</span>
          )}
          {!running ? (
            <button className="ghost" onClick={() => setProgress(null)} aria-label="Dismiss">
              ×
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  )
}
