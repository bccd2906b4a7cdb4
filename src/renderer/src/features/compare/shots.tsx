import { useEffect, useRef, useState, type ReactNode } from 'react'
import { diffStat, pixelDiff } from '../../lib/compare'
import { ShotImage, useShot } from '../review'

type ShotRef = { runId: string; file: string; alt?: string }

/** Panes that scroll together (by position, so pages of different length stay aligned top to bottom). */
export function SyncedPanes({ children, testId }: { children: ReactNode[]; testId?: string }) {
  const panes = useRef<(HTMLDivElement | null)[]>([])
  const driving = useRef<HTMLDivElement | null>(null)
  const onScroll = (from: HTMLDivElement) => {
    if (driving.current && driving.current !== from) return
    driving.current = from
    const ratio = from.scrollTop / Math.max(1, from.scrollHeight - from.clientHeight)
    for (const p of panes.current) if (p && p !== from) p.scrollTop = ratio * (p.scrollHeight - p.clientHeight)
    requestAnimationFrame(() => (driving.current = null))
  }
  return (
    <div className="compare-side" data-testid={testId}>
      {children.map((c, i) => (
        <div key={i} className="compare-pane" ref={(el) => void (panes.current[i] = el)} onScroll={(e) => onScroll(e.currentTarget)}>
          {c}
        </div>
      ))}
    </div>
  )
}

export function SideBySide({ a, b }: { a: ShotRef; b: ShotRef }) {
  return (
    <SyncedPanes testId="side-by-side">
      {[
        <ShotImage key="a" runId={a.runId} file={a.file} alt={a.alt ?? ''} />,
        <ShotImage key="b" runId={b.runId} file={b.file} alt={b.alt ?? ''} />
      ]}
    </SyncedPanes>
  )
}

export function Overlay({ a, b }: { a: ShotRef; b: ShotRef }) {
  const [at, setAt] = useState(50)
  const ua = useShot(a.runId, a.file)
  const ub = useShot(b.runId, b.file)
  if (!ua || !ub) return <div className="muted pad">loading…</div>
  return (
    <div data-testid="overlay">
      <label className="slider">
        A <input type="range" min={0} max={100} value={at} onChange={(e) => setAt(Number(e.target.value))} aria-label="Overlay position" />{' '}
        B
      </label>
      <div className="compare-pane overlay-pane">
        <div className="overlay-stack">
          <img src={ub} alt="Run B" />
          <img src={ua} alt="Run A" className="overlay-top" style={{ clipPath: `inset(0 ${100 - at}% 0 0)` }} />
          <div className="overlay-line" style={{ left: `${at}%` }} />
        </div>
      </div>
    </div>
  )
}

const loadImage = (src: string) =>
  new Promise<HTMLImageElement>((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('could not decode the screenshot'))
    img.src = src
  })

export function Difference({ a, b }: { a: ShotRef; b: ShotRef }) {
  const ua = useShot(a.runId, a.file)
  const ub = useShot(b.runId, b.file)
  const canvas = useRef<HTMLCanvasElement>(null)
  const [stat, setStat] = useState<string>('')
  useEffect(() => {
    if (!ua || !ub || !canvas.current) return
    let live = true
    void Promise.all([loadImage(ua), loadImage(ub)])
      .then(([ia, ib]) => {
        if (!live || !canvas.current) return
        const w = Math.max(ia.naturalWidth, ib.naturalWidth)
        const h = Math.max(ia.naturalHeight, ib.naturalHeight)
        const scratch = document.createElement('canvas')
        scratch.width = w
        scratch.height = h
        const ctx = scratch.getContext('2d', { willReadFrequently: true })!
        ctx.drawImage(ia, 0, 0)
        const da = ctx.getImageData(0, 0, w, h).data
        ctx.clearRect(0, 0, w, h)
        ctx.drawImage(ib, 0, 0)
        const db = ctx.getImageData(0, 0, w, h).data
        const { out, changed, total, regions } = pixelDiff(da, db, w, h)
        canvas.current.width = w
        canvas.current.height = h
        canvas.current.getContext('2d')!.putImageData(new ImageData(out, w, h), 0, 0)
        setStat(diffStat({ changed, total, regions: regions.length, heights: [ia.naturalHeight, ib.naturalHeight] }))
      })
      .catch((e: Error) => live && setStat(e.message))
    return () => {
      live = false
    }
  }, [ua, ub])
  return (
    <div data-testid="difference">
      <div className="muted" data-testid="difference-stat">
        {stat || 'comparing…'}
      </div>
      <div className="compare-pane">
        <canvas ref={canvas} className="diff-canvas" />
      </div>
    </div>
  )
}
