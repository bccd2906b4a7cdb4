/** Indexing progress (with Cancel) and notices (a corrupt store moved aside...), both from the cache. */
import { useState } from 'react'
import type { Notice } from '@shared/contract'
import { useApiMutation, useIndexProgress, usePushedNotices } from '../data/queries'

export function StatusBar({ initialNotices = [] }: { initialNotices?: Notice[] }) {
  const progress = useIndexProgress()
  const pushed = usePushedNotices()
  const cancel = useApiMutation('cancelJob')
  // what the person has dismissed (notices, a finished index line) stays dismissed
  const [dismissed, setDismissed] = useState<Set<string>>(new Set())
  const dismiss = (key: string) => setDismissed((d) => new Set(d).add(key))
  const notices = [...initialNotices, ...pushed].filter(
    (n, i, all) => all.findIndex((x) => x.message === n.message) === i && !dismissed.has(`notice:${n.message}`)
  )
  const running = progress && (progress.phase === 'scanning' || progress.phase === 'indexing')
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0
  const progressKey = progress ? `index:${progress.jobId}:${progress.phase}` : ''
  return (
    <>
      {notices.map((n) => (
        <div key={n.message} className={`notice notice-${n.level}`} role="alert">
          <div>
            <strong>{n.message}</strong>
            {n.detail ? <div className="notice-detail">{n.detail}</div> : null}
          </div>
          <button className="ghost" aria-label="Dismiss" onClick={() => dismiss(`notice:${n.message}`)}>
            ×
          </button>
        </div>
      ))}
      {progress && progress.phase !== 'done' && !dismissed.has(progressKey) ? (
        <div className="index-progress" data-testid="index-progress" data-phase={progress.phase}>
          {running ? (
            <>
              <span>Indexing sessions… {progress.total ? `${progress.done} of ${progress.total}` : ''}</span>
              <progress max={100} value={pct} aria-label="Indexing progress" />
              <button onClick={() => cancel.mutate({ jobId: progress.jobId })}>Cancel</button>
            </>
          ) : progress.phase === 'cancelled' ? (
            <span>Indexing cancelled. Sessions are still listed as you open projects.</span>
          ) : (
            <span className="error-text">Indexing failed: {progress.error}</span>
          )}
          {!running ? (
            <button className="ghost" onClick={() => dismiss(progressKey)} aria-label="Dismiss">
              ×
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  )
}
