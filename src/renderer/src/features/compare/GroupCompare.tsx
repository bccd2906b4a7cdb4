import { Link } from '@tanstack/react-router'
import type { Run } from '@shared/runs'
import type { BatchSignals, RunSignals } from '@shared/signals'
import { median } from '../../lib/compare'
import { firstShot, RunTrouble, ShotImage, SignalsPanel } from '../review'
import { METRICS, Section } from './Section'
import { SyncedPanes } from './shots'

export function GroupCompare({
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
