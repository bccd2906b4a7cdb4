/**
 * Other skills Claude Code may load instead, named before measuring: a same-name skill (it shadows this
 * one) first, as a warning; then installed skills whose descriptions compete for its queries, each with
 * how many of its should-trigger prompts it matches as well.
 */
import type { Rival } from '@shared/triggers'
import { count, oneLine } from '../../lib/format'

const WHERE = { user: 'your own skills folder', project: "a project's skills folder" }

export function Rivals({ rivals }: { rivals: Rival[] }) {
  const same = rivals.filter((r) => r.kind === 'same-name')
  const competes = rivals.filter((r) => r.kind === 'competes').sort((a, b) => (b.queries ?? 0) - (a.queries ?? 0))
  return (
    <div className="card trigger-rivals" data-testid="trigger-rivals">
      <div className="label">Other skills Claude Code may load instead</div>
      {!rivals.length ? (
        <p className="muted" data-testid="no-rivals">
          No installed skill has its name or competes for its queries.
        </p>
      ) : null}
      {same.map((r) => (
        <div key={r.path} className="notice notice-error inline" role="alert" data-testid="rival-same-name">
          <strong>Shadowed: a skill of the same name in {WHERE[r.where]}. </strong>
          {r.message} <code className="muted">{r.path}</code>
        </div>
      ))}
      {competes.length ? (
        <ul className="rival-list">
          {competes.map((r) => (
            <li key={r.path} data-testid="rival-competes">
              <strong>{r.name}</strong> <span className="muted">({WHERE[r.where]})</span>
              {r.queries !== undefined ? (
                <span data-testid="rival-queries"> · competes for {count(r.queries, 'should-trigger prompt')}</span>
              ) : null}
              <div>{r.message}</div>
              <div className="muted small" title={r.description}>
                {oneLine(r.description, 200)}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
