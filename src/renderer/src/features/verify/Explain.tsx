import { useState } from 'react'
import { DEFAULT_ANALYST_MODEL } from '@shared/models'
import { type VerificationView } from '@shared/verify'
import { useApiMutation } from '../../data/queries'
import { count } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'

/** Explain the fixed and broken pairs with the model, and how far that has got (per pair). */
export function Explain({ view }: { view: VerificationView }) {
  const v = view.verification
  const c = view.report!.comparison
  const explain = useApiMutation('explainVerification')
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const keys = [...c.fixed, ...c.broken]
  if (!keys.length) return null
  const states = keys.map((k) => v.explanations[k]?.state ?? 'none')
  const n = (s: string) => states.filter((x) => x === s).length
  const running = n('running')
  const todo = keys.length - n('done')
  return (
    <div className="card explain" data-testid="explain-box">
      <div className="label">Why: which rules the with-skill runs followed or ignored</div>
      <div className="row-form">
        <select value={via} onChange={(e) => setVia(e.target.value as typeof via)} aria-label="Model access" data-testid="explain-via">
          <option value="api">Anthropic API</option>
          <option value="claude-cli">My Claude Code login (claude -p)</option>
        </select>
        <input value={model} onChange={(e) => setModel(e.target.value)} aria-label="Model" size={22} />
        <button
          disabled={!todo || !!running || explain.isPending || !model.trim()}
          onClick={() => explain.mutate({ verificationId: v.id, via, model: model.trim() })}
          data-testid="explain"
        >
          {running
            ? 'Explaining…'
            : !todo
              ? 'All explained'
              : todo < keys.length
                ? `Explain the other ${count(todo, 'pair')} with the model`
                : 'Explain with the model'}
        </button>
      </div>
      <div className="muted" data-testid="explain-progress">
        {count(keys.length, 'pair')} fixed or broken: {n('done')} explained
        {running ? `, ${running} being explained` : ''}
        {n('failed') ? `, ${n('failed')} failed` : ''}
        {n('none') ? `, ${n('none')} not yet` : ''}.
      </div>
      {explain.error ? <ErrorLine error={explain.error.message} /> : null}
    </div>
  )
}
