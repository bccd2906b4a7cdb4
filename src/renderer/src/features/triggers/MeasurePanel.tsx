/**
 * Measure: each query of the saved set run `repeats` times through `claude -p`, stopped at the decision.
 * The estimate first; Measure (Ctrl+Enter) / Cancel; progress from triggersProgress (decisions made of
 * all, $ so far); the result (the newest, or one picked from the earlier measurements, newest first).
 */
import { useState } from 'react'
import { scoresOf, type TriggerMeasure, type TriggersView } from '@shared/triggers'
import { ErrorLine } from '../../components/ErrorLine'
import { useApi, useApiMutation } from '../../data/queries'
import { fmtCost, fmtLocalTime } from '../../lib/format'
import { useShortcut } from '../../lib/hotkeys'
import { MeasureResult } from './MeasureResult'
import { overCap, TriggersEstimate } from './TriggersEstimate'
import { falseCell, recallCell } from './words'
import type { TriggersSettings } from './TriggersPage'

export function MeasurePanel({
  view,
  settings,
  dirty,
  busy
}: {
  view: TriggersView
  settings: TriggersSettings
  /** the set has unsaved changes: measuring would not measure them */
  dirty: boolean
  /** a measurement or an optimisation runs */
  busy: boolean
}) {
  const { repeats, cap, versionId } = settings
  const input = { skillId: view.skillId, repeats, capUsd: cap, ...(versionId ? { versionId } : {}) }
  const estimate = useApi('estimateTriggers', view.queries.length && !settings.problem ? input : null, { keepPrevious: true })
  const measure = useApiMutation('measureTriggers')
  const cancel = useApiMutation('cancelTriggers')
  // the optimiser's own measurements are its rounds (shown in its table), not listed here
  const ofRounds = new Set(view.optimisations.flatMap((o) => o.done.map((r) => r.measureId)))
  const optimising = view.optimisations.some((o) => o.state === 'running')
  const measures = view.measures.filter((m) => !ofRounds.has(m.id)).sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  const running = optimising ? undefined : measures.find((m) => m.state === 'running')
  const [picked, setPicked] = useState<string | null>(null)
  const shown = measures.find((m) => m.id === picked) ?? measures[0]
  const why = settings.problem
    ? settings.problem
    : !view.queries.length
      ? 'Add queries and save the set first.'
      : dirty
        ? 'Save the set first: measuring uses the saved set.'
        : overCap(estimate.data, cap)
          ? 'Over the cap.'
          : ''
  const can = !why && !busy && !measure.isPending && !!estimate.data
  const start = () => {
    if (!can) return
    setPicked(null)
    measure.mutate(input)
  }
  useShortcut('triggers.measure', (e) => {
    e.preventDefault()
    start()
  })
  const error = measure.error ?? cancel.error
  return (
    <div className="card trigger-measure" data-testid="trigger-measure">
      <div className="label">Measure: does Claude Code load it when it should, and not otherwise?</div>
      <TriggersEstimate estimate={estimate} cap={cap} testId="measure-estimate" />
      <div className="trigger-run-bar">
        <button
          className="primary"
          disabled={!can}
          onClick={start}
          data-testid="measure"
          title={why || 'Measure the description (Ctrl+Enter)'}
        >
          {measure.isPending ? 'Starting…' : 'Measure'}
        </button>
        {running ? (
          <button onClick={() => cancel.mutate({ skillId: view.skillId })} disabled={cancel.isPending} data-testid="cancel-measure">
            Cancel
          </button>
        ) : null}
        {why && !busy ? <span className="muted">{why}</span> : null}
        {running ? (
          <>
            <progress max={running.total || 1} value={running.done} aria-label="Decisions made" />
            <span data-testid="measure-progress">
              {running.done} of {running.total} decisions · {fmtCost(running.usd)} so far
            </span>
          </>
        ) : null}
      </div>
      {error ? <ErrorLine error={error.message} /> : null}
      {shown ? <MeasureResult m={shown} queries={view.queries} /> : <p className="muted">Not measured yet.</p>}
      {measures.length > 1 ? <Measures measures={measures} shown={shown} onPick={setPicked} /> : null}
    </div>
  )
}

/** Every measurement of the skill, newest first; one picked is shown above. */
function Measures({ measures, shown, onPick }: { measures: TriggerMeasure[]; shown?: TriggerMeasure; onPick: (id: string) => void }) {
  return (
    <div className="trigger-measures">
      <div className="label">Measurements, newest first</div>
      <table className="data" data-testid="measures">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Version</th>
            <th scope="col">Recall</th>
            <th scope="col">False triggers</th>
            <th scope="col">Cost</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {measures.map((m) => {
            const s = scoresOf(m.results)
            return (
              <tr key={m.id} data-testid="measure-row" className={m === shown ? 'suggested' : undefined}>
                <td>{fmtLocalTime(m.startedAt)}</td>
                <td>{m.version !== undefined ? `version ${m.version}` : '—'}</td>
                <td>{recallCell(s)}</td>
                <td>{falseCell(s)}</td>
                <td>
                  {fmtCost(m.usd)}
                  {m.state === 'done' ? '' : <span className="muted"> · {m.state}</span>}
                </td>
                <td>
                  {m === shown ? (
                    <span className="muted">shown</span>
                  ) : (
                    <button className="ghost" onClick={() => onPick(m.id)} data-testid="show-measure">
                      Show
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
