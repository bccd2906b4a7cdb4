/**
 * Compare two runs, or the good group against the bad group: screenshots side by side with
 * synchronised scroll, an overlay with a slider, a pixel-difference view; the files each produced,
 * diffed; metrics side by side; and their tool-call sequences aligned.
 */
import { Link, useNavigate } from '@tanstack/react-router'
import { useApi } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { useBlind, verificationOf } from '../review'
import { GroupCompare } from './GroupCompare'
import { PairCompare } from './PairCompare'

export function CompareView({ batchId, a, b }: { batchId: string; a: string; b: string }) {
  // the batch and its signals: the same cache entries as the deck's and the gallery's
  const loaded = useApi('getBatch', { batchId })
  const sig = useApi('getSignals', { batchId })
  const navigate = useNavigate()
  const [blindSetting] = useBlind()
  // a verification's runs: always blind, and nothing that tells its arms apart (features/review)
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
