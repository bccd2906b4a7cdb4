import { useState } from 'react'
import type { Run } from '@shared/runs'
import { firstShot, ShotImage } from '../review'
import { Section } from './Section'
import { Difference, Overlay, SideBySide } from './shots'

type View = 'side' | 'overlay' | 'difference'
type Size = 'desktop' | 'mobile'

/** The screenshots of two runs: side by side (scroll together), overlay with a slider, or pixel difference. */
export function Screens({ a, b }: { a: Run; b: Run }) {
  const [view, setView] = useState<View>('side')
  const [size, setSize] = useState<Size>('desktop')
  const pages = [...new Set([...a.screenshots, ...b.screenshots].map((s) => s.html))]
  const [html, setHtml] = useState(pages[0])
  const sa = firstShot(a, size, html) ?? firstShot(a, size)
  const sb = firstShot(b, size, html) ?? firstShot(b, size)
  if (!sa && !sb) return null
  return (
    <Section title="Screenshots">
      <div className="toggle">
        {(['side', 'overlay', 'difference'] as const).map((v) => (
          <button key={v} className={view === v ? 'on' : ''} onClick={() => setView(v)} data-testid={`view-${v}`}>
            {v === 'side' ? 'Side by side' : v === 'overlay' ? 'Overlay' : 'Difference'}
          </button>
        ))}
        <span className="sep" />
        {(['desktop', 'mobile'] as const).map((s) => (
          <button key={s} className={size === s ? 'on' : ''} onClick={() => setSize(s)}>
            {s === 'desktop' ? 'Desktop' : 'Mobile'}
          </button>
        ))}
        {pages.length > 1 ? (
          <select value={html} onChange={(e) => setHtml(e.target.value)} aria-label="Page">
            {pages.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        ) : null}
      </div>
      {!sa || !sb ? (
        <div className="compare-side">
          {[sa, sb].map((s, i) => (
            <div key={i} className="compare-pane">
              {s ? (
                <ShotImage runId={(i ? b : a).id} file={s.file} alt={`Run ${(i ? b : a).number}`} />
              ) : (
                <div className="muted pad">Run {(i ? b : a).number} made no page to show.</div>
              )}
            </div>
          ))}
        </div>
      ) : view === 'side' ? (
        <SideBySide a={{ runId: a.id, file: sa.file, alt: `Run ${a.number}` }} b={{ runId: b.id, file: sb.file, alt: `Run ${b.number}` }} />
      ) : view === 'overlay' ? (
        <Overlay a={{ runId: a.id, file: sa.file }} b={{ runId: b.id, file: sb.file }} />
      ) : (
        <Difference a={{ runId: a.id, file: sa.file }} b={{ runId: b.id, file: sb.file }} />
      )}
    </Section>
  )
}
