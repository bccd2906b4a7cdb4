import { Link } from '@tanstack/react-router'
import type { Run } from '@shared/runs'
import type { RunMetrics, RunSignals } from '@shared/signals'
import { useApi } from '../../data/queries'
import { alignSequences } from '../../lib/compare'
import { costTitle } from '../../lib/format'
import { DiffView } from '../../components/DiffView'
import { ErrorLine } from '../../components/ErrorLine'
import { RunTrouble } from '../review'
import { Screens } from './Screens'
import { GradeMark, gradedByGrader } from '../../components/GraderMark'
import { METRICS, Section } from './Section'

export function PairCompare({
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
    <div
      className={`compare-run grade-${gradedByGrader(r) ? 'none' : (r.feedback?.label ?? 'none')}`}
      data-testid={`compare-head-${side.toLowerCase()}`}
    >
      <strong>
        {side}:{' '}
        <Link to="/review/$batchId/$run" params={{ batchId, run: r.number }}>
          Run {r.number}
        </Link>
      </strong>{' '}
      {r.difficulty ? <span className="badge">{r.difficulty}</span> : null} <GradeMark run={r} compact />
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
