/**
 * Compare two runs, or the good group against the bad group: screenshots side by side with
 * synchronised scroll, an overlay with a slider, a pixel-difference view; the files each produced,
 * diffed; metrics side by side; and their tool-call sequences aligned.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import type { Run } from '@shared/runs'
import type { BatchSignals, RunMetrics, RunSignals } from '@shared/signals'
import { runDurationMs } from '@shared/numbers'
import { useApi } from '../data/queries'
import { alignSequences, diffStat, median, pixelDiff } from '../lib/compare'
import { costTitle, fmtCost, fmtDuration, fmtTokens } from '../lib/format'
import { DiffView } from './DiffView'
import { ErrorLine } from './ErrorLine'
import { firstShot, RunTrouble, ShotImage, SignalsPanel, useBlind, useShot, verificationOf } from '../features/review'

type View = 'side' | 'overlay' | 'difference'
type Size = 'desktop' | 'mobile'

/** The rows of the metrics table: from a run's trace, but its duration, the run's own (src/shared/numbers.ts). */
const METRICS: [label: string, get: (m: RunMetrics, r: Run) => number, fmt: (n: number) => string][] = [
  ['Turns', (m) => m.turns, (n) => String(Math.round(n * 10) / 10)],
  ['Tool calls', (m) => m.toolCalls, (n) => String(Math.round(n * 10) / 10)],
  ['Tool errors', (m) => m.toolErrors, (n) => String(Math.round(n * 10) / 10)],
  ['Duration', (_m, r) => runDurationMs(r), fmtDuration],
  ['Tokens', (m) => m.tokens, fmtTokens],
  ['Cost', (m) => m.costUsd, fmtCost]
]

export function CompareView({ batchId, a, b }: { batchId: string; a: string; b: string }) {
  // the batch and its signals: the same cache entries as the deck's and the gallery's
  const loaded = useApi('getBatch', { batchId })
  const sig = useApi('getSignals', { batchId })
  const navigate = useNavigate()
  const [blindSetting] = useBlind()
  // a verification's runs: always blind, and nothing that tells its arms apart (Review.tsx)
  const verificationId = verificationOf(loaded.data)
  const blind = blindSetting || !!verificationId
  const error = loaded.error ?? sig.error
  if (error) return <ErrorLine error={error.message} retry={() => void (loaded.refetch(), sig.refetch())} />
  if (!loaded.data || !sig.data) return <div className="muted pad">Loading…</div>
  const { batch, runs } = loaded.data
  const signals = sig.data
  const sorted = runs.slice().sort((x, y) => x.number - y.number)
  const groups = a === 'good' || a === 'bad'
  const go = (na: string, nb: string) => void navigate({ to: '/compare/$batchId/$a/$b', params: { batchId, a: na, b: nb } })
  const pick = (which: 'a' | 'b', value: string) => go(which === 'a' ? value : a, which === 'b' ? value : b)
  const options = sorted.map((r) => (
    <option key={r.id} value={String(r.number)}>
      Run {r.number} · {r.feedback?.label ?? 'ungraded'}
    </option>
  ))
  return (
    <section className="page compare" data-testid="compare">
      <div className="review-head">
        <Link to="/gallery/$batchId" params={{ batchId }}>
          ← Gallery{blind ? '' : ` of ${batch.name}`}
        </Link>
        {groups ? (
          <strong>Good runs against bad runs</strong>
        ) : (
          <>
            <label>
              A{' '}
              <select value={a} onChange={(e) => pick('a', e.target.value)} aria-label="Run A" data-testid="compare-a">
                {options}
              </select>
            </label>
            <label>
              B{' '}
              <select value={b} onChange={(e) => pick('b', e.target.value)} aria-label="Run B" data-testid="compare-b">
                {options}
              </select>
            </label>
            <button className="ghost" onClick={() => go(b, a)}>
              Swap
            </button>
          </>
        )}
        <Link to="/compare/$batchId/$a/$b" params={{ batchId, a: 'good', b: 'bad' }} activeProps={{}}>
          Good vs bad groups
        </Link>
        {verificationId ? (
          <Link to="/verification/$verificationId" params={{ verificationId }} data-testid="compare-report">
            Report
          </Link>
        ) : null}
      </div>
      {verificationId ? (
        <div className="muted" data-testid="metrics-hidden">
          Turns, tool calls, duration and cost are not shown while the runs of a verification are compared: they would tell the arms apart
          (loading the skill is one more turn). The report has them per arm.
        </div>
      ) : null}
      {groups ? (
        <GroupCompare runs={sorted} signals={signals} batchId={batchId} armsHidden={!!verificationId} />
      ) : (
        <PairCompare batchId={batchId} runs={sorted} signals={signals.runs} a={Number(a)} b={Number(b)} armsHidden={!!verificationId} />
      )}
    </section>
  )
}

function PairCompare({
  batchId,
  runs,
  signals,
  a,
  b,
  armsHidden
}: {
  batchId: string
  runs: Run[]
  signals: RunSignals[]
  a: number
  b: number
  /** a verification's runs: no metrics, no tool calls (they tell the arms apart) */
  armsHidden: boolean
}) {
  const ra = runs.find((r) => r.number === a)
  const rb = runs.find((r) => r.number === b)
  const files = useApi('compareFiles', ra && rb ? { runA: ra.id, runB: rb.id } : null)
  if (!ra || !rb) return <div className="empty">There is no run {!ra ? a : b} in this batch.</div>
  const ma = signals.find((s) => s.number === a)?.metrics ?? null
  const mb = signals.find((s) => s.number === b)?.metrics ?? null
  const head = (r: Run, side: string) => (
    <div className={`compare-run grade-${r.feedback?.label ?? 'none'}`} data-testid={`compare-head-${side.toLowerCase()}`}>
      <strong>
        {side}:{' '}
        <Link to="/review/$batchId/$run" params={{ batchId, run: r.number }}>
          Run {r.number}
        </Link>
      </strong>{' '}
      {r.difficulty ? <span className="badge">{r.difficulty}</span> : null}{' '}
      <span className={`label-${r.feedback?.label ?? 'none'}`}>{r.feedback?.label ?? 'ungraded'}</span>
      {r.state !== 'done' ? (
        <div>
          <RunTrouble run={r} compact />
        </div>
      ) : null}
      <div className="muted">{r.feedback?.text || '—'}</div>
    </div>
  )
  return (
    <>
      <div className="compare-heads">
        {head(ra, 'A')}
        {head(rb, 'B')}
      </div>
      <Screens a={ra} b={rb} />
      {armsHidden ? null : (
        <>
          <Section title="Metrics">
            <table className="metrics" data-testid="compare-metrics">
              <thead>
                <tr>
                  <th />
                  <th>Run {a}</th>
                  <th>Run {b}</th>
                </tr>
              </thead>
              <tbody>
                {METRICS.map(([label, get, fmt]) => {
                  const x = ma ? get(ma, ra) : null
                  const y = mb ? get(mb, rb) : null
                  return (
                    <tr key={label} className={x !== null && y !== null && x !== y ? 'differs' : ''}>
                      <th>{label}</th>
                      <td title={label === 'Cost' && ma ? costTitle(ma.costSource) : undefined}>{x === null ? '—' : fmt(x)}</td>
                      <td title={label === 'Cost' && mb ? costTitle(mb.costSource) : undefined}>{y === null ? '—' : fmt(y)}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </Section>
          <Section title="How they worked: tool calls aligned">
            {ma && mb ? (
              <AlignedTools a={ma} b={mb} />
            ) : (
              <div className="muted">A run without a readable trace has no tool calls to show.</div>
            )}
          </Section>
        </>
      )}
      <Section title="Files each produced">
        {files.error ? (
          <ErrorLine error={files.error.message} retry={() => void files.refetch()} />
        ) : !files.data ? (
          <div className="muted">Loading…</div>
        ) : !files.data.length ? (
          <div className="muted">Neither run created or changed files.</div>
        ) : (
          <div data-testid="compare-files">
            {files.data.map((f) => (
              <details key={f.path} open={!f.same && files.data!.length <= 3}>
                <summary>
                  <code>{f.path}</code> <span className="badge">A: {f.a ?? 'untouched'}</span>{' '}
                  <span className="badge">B: {f.b ?? 'untouched'}</span>{' '}
                  {f.same ? (
                    <span className="muted">identical</span>
                  ) : f.binary ? (
                    <span className="muted">binary, differs</span>
                  ) : f.tooLarge ? (
                    <span className="muted">differs, too large for a text diff</span>
                  ) : null}
                </summary>
                {f.diff ? <DiffView diff={f.diff} /> : null}
              </details>
            ))}
          </div>
        )}
      </Section>
    </>
  )
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="card compare-section">
      <div className="label">{title}</div>
      {children}
    </div>
  )
}

function AlignedTools({ a, b }: { a: RunMetrics; b: RunMetrics }) {
  const rows = alignSequences(a.tools, b.tools)
  const errA = new Map(a.errors.map((e) => [e.index, e.kind]))
  const errB = new Map(b.errors.map((e) => [e.index, e.kind]))
  const cell = (m: RunMetrics, i: number | null, errs: Map<number, string>) =>
    i === null ? (
      <td className="gap">—</td>
    ) : (
      <td className={errs.has(i) ? 'failed' : ''}>
        <span className="muted">{i + 1}.</span> {m.tools[i]}
        {errs.has(i) ? <span className="badge error">{errs.get(i)}</span> : null}
      </td>
    )
  if (!rows.length) return <div className="muted">Neither run called a tool.</div>
  return (
    <table className="aligned" data-testid="aligned-tools">
      <tbody>
        {rows.map((r, k) => (
          <tr key={k} className={r.a === null || r.b === null ? 'only' : ''}>
            {cell(a, r.a, errA)}
            {cell(b, r.b, errB)}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The screenshots of two runs: side by side (scroll together), overlay with a slider, or pixel difference. */
function Screens({ a, b }: { a: Run; b: Run }) {
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

function SideBySide({ a, b }: { a: ShotRef; b: ShotRef }) {
  return (
    <SyncedPanes testId="side-by-side">
      {[
        <ShotImage key="a" runId={a.runId} file={a.file} alt={a.alt ?? ''} />,
        <ShotImage key="b" runId={b.runId} file={b.file} alt={b.alt ?? ''} />
      ]}
    </SyncedPanes>
  )
}

function Overlay({ a, b }: { a: ShotRef; b: ShotRef }) {
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

function Difference({ a, b }: { a: ShotRef; b: ShotRef }) {
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

function GroupCompare({
  runs,
  signals,
  batchId,
  armsHidden
}: {
  runs: Run[]
  signals: { runs: RunSignals[]; batch: BatchSignals }
  batchId: string
  /** a verification's runs: no metrics, no signals (they tell the arms apart) */
  armsHidden: boolean
}) {
  const group = (label: 'good' | 'bad') => runs.filter((r) => r.feedback?.label === label)
  const good = group('good')
  const bad = group('bad')
  const metricsOf = (list: Run[]) =>
    list.flatMap((r) => {
      const m = signals.runs.find((s) => s.runId === r.id)?.metrics
      return m ? [{ m, r }] : []
    })
  const mg = metricsOf(good)
  const mbad = metricsOf(bad)
  const column = (list: Run[]) =>
    list.length ? (
      <div className="group-col">
        {list.map((r) => {
          const shot = firstShot(r, 'desktop')
          return (
            <Link key={r.id} className="group-card" to="/review/$batchId/$run" params={{ batchId, run: r.number }}>
              <strong>Run {r.number}</strong> <span className="muted">{r.feedback?.text}</span> <RunTrouble run={r} compact />
              {shot ? <ShotImage runId={r.id} file={shot.file} alt={`Run ${r.number}`} /> : null}
            </Link>
          )
        })}
      </div>
    ) : (
      <div className="muted pad">None yet.</div>
    )
  return (
    <>
      {armsHidden ? null : (
        <>
          <Section title="Metrics (median per run)">
            <table className="metrics" data-testid="compare-metrics">
              <thead>
                <tr>
                  <th />
                  <th>Good ({good.length})</th>
                  <th>Bad ({bad.length})</th>
                </tr>
              </thead>
              <tbody>
                {METRICS.map(([label, get, fmt]) => (
                  <tr key={label}>
                    <th>{label}</th>
                    <td>{mg.length ? fmt(median(mg.map(({ m, r }) => get(m, r)))) : '—'}</td>
                    <td>{mbad.length ? fmt(median(mbad.map(({ m, r }) => get(m, r)))) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <SignalsPanel signals={signals.batch} batchId={batchId} />
        </>
      )}
      <Section title="What each group made (scroll together)">
        <SyncedPanes testId="group-columns">{[column(good), column(bad)]}</SyncedPanes>
      </Section>
    </>
  )
}
