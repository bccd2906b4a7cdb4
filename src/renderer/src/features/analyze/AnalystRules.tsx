import type { AnalystStatusInfo } from '@shared/analysis'
import type { Pointer } from '@shared/skills'
import { RunBadges } from '../../components/RunBadge'

/** One analyst's rules where they are produced: drafts while it writes, then the accepted ones and those set aside (with why). */
export function AnalystRules({ s, batchId }: { s: AnalystStatusInfo; batchId: string }) {
  const drafts = s.drafts ?? []
  const showDrafts = !s.rules.length && drafts.length > 0
  if (!s.rules.length && !s.setAside.length && !drafts.length) return null
  // coloured by grade, a long list collapsed
  const runs = (evidence: number[], pointers?: Pointer[]) => (
    <RunBadges batchId={batchId} runs={evidence} pointers={pointers} testId="analyst-evidence" counts={false} />
  )
  return (
    <details className="analyst-rules" data-testid="analyst-rules">
      <summary>
        {showDrafts
          ? `Rules written so far (${drafts.length}; checked when the analyst finishes)`
          : `Rules (${s.rules.length})${s.setAside.length ? ` and set aside (${s.setAside.length})` : ''}`}
      </summary>
      {showDrafts ? (
        <ol className="rule-list drafts">
          {drafts.map((d, i) => (
            <li key={i} data-testid="analyst-draft">
              {d.rule} <span className="evidence">{runs(d.evidence)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {s.rules.length ? (
        <ol className="rule-list">
          {s.rules.map((r) => (
            <li key={r.id} data-testid="analyst-rule">
              {r.rule} <span className="evidence">{runs(r.evidence, r.pointers)}</span>{' '}
              <span className={`badge prio-${r.priority}`}>{r.priority}</span>
              {r.reason ? <div className="muted small">{r.reason}</div> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {s.setAside.length ? (
        <>
          <div className="label">Set aside</div>
          <ul className="rule-list set-aside">
            {s.setAside.map((x) => (
              <li key={x.rule.id} data-testid="set-aside-rule">
                <q>{x.rule.rule}</q> <span className="evidence">{runs(x.rule.evidence, x.rule.pointers)}</span>{' '}
                <span className="why">{x.why}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </details>
  )
}
