/**
 * One measurement: the description measured (its version), recall and false-trigger rate with their
 * counts, then per query its decisions as dots (one per run), "2 of 3" and the kinds of decision.
 */
import { scoresOf, type TriggerMeasure, type TriggerQuery } from '@shared/triggers'
import { count, fmtCost, fmtLocalTime } from '../../lib/format'
import { DECISION_WORDS, falseText, queryLine, recallText } from './words'

const STATE_WORDS: Record<TriggerMeasure['state'], string> = {
  running: 'so far',
  done: 'measured',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted (the app stopped)'
}

export function MeasureResult({ m, queries }: { m: TriggerMeasure; queries: TriggerQuery[] }) {
  const s = scoresOf(m.results)
  const prompts = new Map(queries.map((q) => [q.id, q.prompt]))
  const rows = [...m.results].sort((a, b) => Number(b.should) - Number(a.should))
  return (
    <div className="trigger-result" data-testid="measure-result" data-state={m.state}>
      <div className="muted">
        {m.version !== undefined ? `Version ${m.version}` : m.name} · {count(m.repeats, 'run')} per query · started{' '}
        {fmtLocalTime(m.startedAt)} · {STATE_WORDS[m.state]} · {fmtCost(m.usd)}
      </div>
      <div className="measured-description" data-testid="measured-description">
        <span className="muted">Description measured: </span>
        {m.description}
      </div>
      {m.error ? (
        <div className="error-text" role="alert" data-testid="measure-error">
          {m.error}
        </div>
      ) : null}
      <div className="trigger-scores">
        <div data-testid="measure-recall">
          <strong>Recall: </strong>
          {recallText(s)}
        </div>
        <div data-testid="measure-false">
          <strong>False triggers: </strong>
          {falseText(s)}
        </div>
      </div>
      <table className="data trigger-per-query">
        <thead>
          <tr>
            <th scope="col">Query</th>
            <th scope="col">Should</th>
            <th scope="col">Runs</th>
            <th scope="col">Loaded it</th>
            <th scope="col">Decisions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const line = queryLine(r)
            return (
              <tr
                key={r.queryId}
                data-testid="query-result"
                data-right={line.right === null ? undefined : String(line.right)}
                className={line.right === false ? 'query-wrong' : undefined}
              >
                <td className="query-prompt">{prompts.get(r.queryId) ?? <span className="muted">(no longer in the set)</span>}</td>
                <td>{r.should ? 'load it' : 'not'}</td>
                <td className="dots" aria-label={line.kinds}>
                  {r.decisions.map((d, i) => (
                    <span
                      key={i}
                      className={`dot dot-${d.kind}`}
                      title={`${DECISION_WORDS[d.kind]}${d.tool ? ` (${d.tool})` : ''}${d.error ? `: ${d.error}` : ''}`}
                    />
                  ))}
                </td>
                <td data-testid="query-rate">{line.text}</td>
                <td className="muted" data-testid="query-kinds">
                  {line.kinds}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
