/** The pairs the skill fixed or broke, each run's grade and sentence, and the model's explanation. */
import { Link } from '@tanstack/react-router'
import { pairName, type Explanation, type VerificationView, type VerifyPair } from '@shared/verify'
import { count, oneLine } from '../../lib/format'
import { armName } from '../../lib/verify'
import { RunBadge } from '../../components/RunBadge'

export function PairList(props: {
  title: string
  empty: string
  testId: string
  keys: string[]
  pairOf: (key: string) => VerifyPair | undefined
  view: VerificationView
  batchId: string
}) {
  return (
    <div className="card pair-list" data-testid={props.testId}>
      <div className="label">
        {props.title} ({props.keys.length})
      </div>
      {!props.keys.length ? <div className="muted">{props.empty}</div> : null}
      {props.keys.map((k) => {
        const p = props.pairOf(k)
        return p ? <PairCard key={k} pair={p} view={props.view} batchId={props.batchId} /> : null
      })}
    </div>
  )
}

function PairCard({ pair: p, view, batchId }: { pair: VerifyPair; view: VerificationView; batchId: string }) {
  const v = view.verification
  const e = v.explanations[p.key]
  const side = (arm: 'with' | 'without') => {
    const x = p[arm]
    const hasSkill = arm === 'with' || !!v.against
    return (
      <div className={`pair-side grade-${x?.label ?? 'none'}`} data-testid={`pair-${arm}`}>
        <div>
          <strong>{armName(view, arm)}</strong>:{' '}
          {x ? (
            <>
              run <RunBadge batchId={batchId} n={x.number} testId="pair-run" />{' '}
              <span className={`label-${x.label ?? 'none'}`}>{x.label ?? 'ungraded'}</span>
              {hasSkill && x.use ? (
                <span className={x.use.invoked && x.use.from !== 'elsewhere' ? 'muted' : 'error-text'}>
                  {' '}
                  ·{' '}
                  {x.use.invoked
                    ? x.use.from === 'elsewhere'
                      ? 'loaded another skill of the same name'
                      : 'loaded the skill'
                    : 'did not load the skill'}
                </span>
              ) : null}
            </>
          ) : (
            <span className="muted">no run</span>
          )}
        </div>
        {x?.text ? <div className="pair-sentence">“{x.text}”</div> : null}
      </div>
    )
  }
  return (
    <div className="pair" data-testid="pair" data-key={p.key}>
      <div className="pair-head">
        <strong>{pairName(p.variation, p.repeat, v.repeats)}</strong> <span className="badge">{p.difficulty}</span>{' '}
        <span className="pair-prompt" title={p.prompt}>
          {oneLine(p.prompt, 140)}
        </span>
      </div>
      <div className="pair-sides">
        {side('with')}
        {side('without')}
      </div>
      {p.with && p.without ? (
        <Link
          to="/compare/$batchId/$a/$b"
          params={{ batchId, a: String(p.without.number), b: String(p.with.number) }}
          data-testid="pair-compare"
        >
          Compare run {p.without.number} ({armName(view, 'without')}) with run {p.with.number} ({armName(view, 'with')}) →
        </Link>
      ) : null}
      <ExplanationView e={e} batchId={batchId} />
    </div>
  )
}

function ExplanationView({ e, batchId }: { e: Explanation | undefined; batchId: string }) {
  if (!e) return null
  if (e.state === 'running')
    return (
      <div className="muted explanation" data-testid="explanation" data-state="running">
        Reading the with-skill trace…
      </div>
    )
  if (e.state === 'failed')
    return (
      <div className="error-text explanation" data-testid="explanation" data-state="failed">
        Could not explain this pair: {e.error ?? 'it failed'}
      </div>
    )
  return (
    <div className="explanation" data-testid="explanation" data-state="done">
      {!e.rules.length ? <div className="muted">The trace shows none of the skill&apos;s rules followed or ignored.</div> : null}
      <ul>
        {e.rules.map((x) => (
          <li key={x.ruleId} data-testid="verdict" data-verdict={x.verdict}>
            <span className={`badge ${x.verdict === 'followed' ? '' : 'warn'}`}>{x.verdict}</span> <q>{x.text}</q>{' '}
            <span className="muted">{x.why}</span>{' '}
            <span className="evidence">
              {x.pointers.map((ptr, i) => (
                <RunBadge key={i} batchId={batchId} n={ptr.run} line={ptr.line} testId="evidence-badge" />
              ))}
            </span>
          </li>
        ))}
      </ul>
      {e.setAside.length ? (
        <details>
          <summary className="muted small">{count(e.setAside.length, 'verdict')} set aside</summary>
          {e.setAside.map((s) => (
            <div key={s} className="small muted">
              {s}
            </div>
          ))}
        </details>
      ) : null}
    </div>
  )
}
