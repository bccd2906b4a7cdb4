/**
 * "Confirm rules" in the composer: for each rule of the saved version drawn from bad runs, a few of
 * those bad variations re-run with the skill holding only that rule of those under test, and a good
 * variation as the harm check, in one blind batch. The estimate first (runs, cost, the rules the cap
 * leaves), then a start; the newest confirmation's progress (cancel), its deck, and its results with
 * "Remove the harmful rules".
 */
import { useState } from 'react'
import { Link } from '@tanstack/react-router'
import { CONFIRM_CAP, CONFIRM_PER_RULE } from '@shared/confirm'
import type { VerificationView } from '@shared/verify'
import { useApi, useApiMutation } from '../../data/queries'
import { count } from '../../lib/format'
import { STAGE_WORDS, statusLine } from '../../lib/verify'
import { ErrorLine } from '../../components/ErrorLine'
import { ConfirmResultsList } from './ConfirmResults'

export function ConfirmRules({
  skillId,
  latest,
  version,
  dirty,
  onRemoveHarmful
}: {
  skillId: string
  /** the newest confirmation of the skill (any version) */
  latest?: VerificationView
  /** the newest saved version's number: what a confirmation tests */
  version?: number
  dirty: boolean
  onRemoveHarmful: (ruleIds: string[]) => void
}) {
  const [open, setOpen] = useState(false)
  // as typed (an empty field while typing is no estimate, not a 1)
  const [perRuleText, setPerRule] = useState(String(CONFIRM_PER_RULE))
  const [capText, setCap] = useState(String(CONFIRM_CAP))
  const whole = (t: string, max: number) => (/^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= max ? Number(t) : null)
  const perRule = whole(perRuleText, 10)
  const cap = whole(capText, 1000)
  const [grade, setGrade] = useState<'person' | 'auto' | 'assist'>('person')
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  const input = perRule && cap ? { skillId, perRule, cap, ...(grade !== 'person' ? { grade } : {}) } : null
  const estimate = useApi('estimateConfirmation', open && version ? input : null)
  const start = useApiMutation('startConfirmation', { onSuccess: () => setOpen(false) })
  const cancel = useApiMutation('cancelVerification')
  const e = estimate.data
  const flagged = !!e?.flagged
  const s = latest?.status
  const busy = s && (s.stage === 'generating' || s.stage === 'running' || latest?.verification.autoGrade?.state === 'running')
  const lv = latest?.verification
  return (
    <div className="card confirm-rules" data-testid="confirm-rules">
      <div className="confirm-rules-bar">
        <button
          onClick={() => setOpen((o) => !o)}
          disabled={!version}
          aria-expanded={open}
          data-testid="confirm-rules-open"
          title="Re-run each rule's failures with only that rule: confirmed, unconfirmed or harmful"
        >
          Confirm rules…
        </button>
        {lv ? (
          <span className="muted" data-testid="confirm-latest">
            Last confirmation: version {lv.version.number} · <span className={`badge state-${s!.stage}`}>{STAGE_WORDS[s!.stage]}</span>{' '}
            {statusLine(s!)}{' '}
            <Link to="/verification/$verificationId" params={{ verificationId: lv.id }}>
              open
            </Link>
            {lv.batchId && latest?.blind ? (
              <>
                {' · '}
                <Link to="/review/$batchId" params={{ batchId: lv.batchId }} data-testid="confirm-grade">
                  grade blind →
                </Link>
              </>
            ) : null}
            {busy ? (
              <>
                {' '}
                <button className="ghost" onClick={() => cancel.mutate({ verificationId: lv.id })} data-testid="confirm-cancel">
                  Cancel
                </button>
              </>
            ) : null}
          </span>
        ) : null}
      </div>
      {open ? (
        <div className="confirm-setup" data-testid="confirm-setup">
          <p className="muted small">
            Version {version}: each rule drawn from bad runs is installed alone (the version&apos;s other rules stay, the other rules under
            test are left out), a few of the bad variations it cites re-run, and a good variation checks it breaks nothing. One blind deck.
            {dirty ? ' Your unsaved edits are not in it: save a version first to test them.' : ''}
          </p>
          <label>
            Failures re-run per rule{' '}
            <input
              type="number"
              min={1}
              max={10}
              value={perRuleText}
              onChange={(x) => setPerRule(x.target.value)}
              aria-label="Failures re-run per rule"
            />
          </label>{' '}
          <label>
            At most{' '}
            <input type="number" min={1} max={1000} value={capText} onChange={(x) => setCap(x.target.value)} aria-label="Cap (runs)" /> runs
          </label>{' '}
          <label>
            Graded{' '}
            <select value={grade} onChange={(x) => setGrade(x.target.value as 'person' | 'auto' | 'assist')} aria-label="Graded by">
              <option value="person">by me, blind</option>
              <option value="auto">by the grader (the task&apos;s rubric)</option>
              <option value="assist">by the grader, asking me when it is unsure</option>
            </select>
          </label>
          {!input ? <div className="error-text">Failures per rule: 1 to 10; the cap: 1 to 1000 runs.</div> : null}
          {estimate.error ? <ErrorLine error={estimate.error.message} /> : null}
          {e ? (
            <div data-testid="confirm-estimate">
              <div>
                {count(e.rules.length + e.left.length, 'rule')} drawn from bad runs, {count(e.runs, 'run')}
                {e.usd === null ? '' : `, about $${e.usd.toFixed(2)}`} <span className="muted small">({e.basis})</span>
              </div>
              <ul className="small">
                {e.rules.map((r) => (
                  <li key={r.id}>
                    {count(r.fix, 'failure')} + {r.keep} good: {r.text}
                  </li>
                ))}
                {e.left.map((r) => (
                  <li key={r.id} className="muted" data-testid="confirm-left">
                    left (over the cap): {r.text}
                  </li>
                ))}
              </ul>
              {e.warnings.map((w) => (
                <div key={w} className="notice inline notice-warning" data-testid="confirm-warning">
                  {w}
                </div>
              ))}
              {flagged ? (
                <label>
                  <input type="checkbox" checked={acceptFlagged} onChange={(x) => setAcceptFlagged(x.target.checked)} /> I read the flagged
                  texts: install them
                </label>
              ) : null}
              <div>
                <button
                  className="primary"
                  disabled={!input || !!e.left.length || !e.runs || (flagged && !acceptFlagged) || start.isPending}
                  onClick={() => input && start.mutate({ ...input, ...(acceptFlagged ? { acceptFlagged } : {}) })}
                  data-testid="confirm-start"
                  title={e.left.length ? `Raise the cap to ${e.wanted} to test every rule` : undefined}
                >
                  {start.isPending ? 'Starting…' : `Start ${count(e.runs, 'run')}`}
                </button>{' '}
                <button className="ghost" onClick={() => setOpen(false)}>
                  Close
                </button>
              </div>
            </div>
          ) : !estimate.error ? (
            <div className="muted">Estimating…</div>
          ) : null}
          {start.error ? <ErrorLine error={start.error.message} /> : null}
        </div>
      ) : null}
      {cancel.error ? <ErrorLine error={cancel.error.message} /> : null}
      {latest?.confirm ? (
        <ConfirmResultsList
          results={latest.confirm}
          batchId={lv?.batchId}
          {...(latest.confirm.version.number === version ? { onRemoveHarmful } : {})}
        />
      ) : null}
    </div>
  )
}
