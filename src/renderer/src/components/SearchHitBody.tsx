import type { ReactNode } from 'react'
import type { SearchHit } from '@shared/contract'

/** A search hit as the session browser and the batch page show it: its title (the caller's), how many matches, and the matching lines. */
export function SearchHitBody({ hit, children }: { hit: SearchHit; children: ReactNode }) {
  return (
    <>
      <div className="hit-title">
        {children}{' '}
        <span className="badge">
          {hit.matches} match{hit.matches === 1 ? '' : 'es'}
        </span>
      </div>
      {hit.snippets.map((s) => (
        <div key={s.line} className="snippet">
          <span className="muted">line {s.line}</span> {s.text}
        </div>
      ))}
    </>
  )
}
