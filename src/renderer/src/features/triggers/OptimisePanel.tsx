/**
 * Optimise: a model proposes descriptions from the training split's failures, each measured on both
 * splits, up to N rounds (default 5); the pick is the held-out split's best. The estimate first;
 * Start / Cancel; progress per round; the rounds of the newest optimisation (earlier ones below),
 * and "Save as a new version", then a link to the composer.
 */
import { useState } from 'react'
import { Link } from '@tanstack/react-router'
import type { Optimisation, TriggersView } from '@shared/triggers'
import { ErrorLine } from '../../components/ErrorLine'
import { useApi, useApiMutation } from '../../data/queries'
import { count, fmtCost, fmtLocalTime } from '../../lib/format'
import { RoundsTable } from './RoundsTable'
import { overCap, TriggersEstimate } from './TriggersEstimate'
import type { TriggersSettings } from './TriggersPage'

export const DEFAULT_ROUNDS = 5

export function OptimisePanel({
  view,
  settings,
  dirty,
  busy,
  versions
}: {
  view: TriggersView
  settings: TriggersSettings
  dirty: boolean
  busy: boolean
  /** the skill's versions, to name the one an optimisation saved */
  versions: { id: string; number: number }[]
}) {
  const { repeats, cap, versionId } = settings
  const [rounds, setRounds] = useState(DEFAULT_ROUNDS)
  const input = { skillId: view.skillId, repeats, rounds, capUsd: cap, ...(versionId ? { versionId } : {}) }
  const roundsOk = Number.isInteger(rounds) && rounds >= 1 && rounds <= 10
  const estimate = useApi('estimateTriggers', view.queries.length && !settings.problem && roundsOk ? input : null, {
    keepPrevious: true
  })
  const optimise = useApiMutation('optimizeDescription')
  const cancel = useApiMutation('cancelTriggers')
  const running = view.optimisations.find((o) => o.state === 'running')
  // the round being measured now: the running measurement that is none of the rounds done
  const measuring = running ? view.measures.find((m) => m.state === 'running') : undefined
  const [newest, ...earlier] = [...view.optimisations].sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  const why = settings.problem
    ? settings.problem
    : !roundsOk
      ? 'Rounds: from 1 to 10.'
      : !view.queries.length
        ? 'Add queries and save the set first.'
        : dirty
          ? 'Save the set first.'
          : overCap(estimate.data, cap)
            ? 'Over the cap.'
            : ''
  const can = !why && !busy && !optimise.isPending && !!estimate.data
  const error = optimise.error ?? cancel.error
  return (
    <div className="card trigger-optimise" data-testid="trigger-optimise">
      <div className="label">Optimise the description</div>
      <p className="muted">
        The queries split 60/40 (should and should-not alike, a fixed seed); a model proposes a description from the training split&apos;s
        failures only, each measured on both splits; the pick is the best on the held-out split, never the training score.
      </p>
      <label>
        Rounds{' '}
        <input
          type="number"
          min={1}
          max={10}
          value={rounds}
          onChange={(e) => setRounds(Number(e.target.value))}
          data-testid="optimise-rounds"
        />
      </label>
      <TriggersEstimate estimate={estimate} cap={cap} optimise testId="optimise-estimate" />
      <div className="trigger-run-bar">
        <button className="primary" disabled={!can} onClick={() => optimise.mutate(input)} data-testid="optimise" title={why || undefined}>
          {optimise.isPending ? 'Starting…' : 'Start'}
        </button>
        {running ? (
          <button onClick={() => cancel.mutate({ skillId: view.skillId })} disabled={cancel.isPending} data-testid="cancel-optimise">
            Cancel
          </button>
        ) : null}
        {why && !busy ? <span className="muted">{why}</span> : null}
        {running ? <RoundProgress o={running} measuring={measuring} /> : null}
      </div>
      {error ? <ErrorLine error={error.message} /> : null}
      {newest ? <OptimisationView o={newest} versions={versions} /> : null}
      {earlier.length ? (
        <details className="trigger-earlier" data-testid="earlier-optimisations">
          <summary>Earlier optimisations ({earlier.length})</summary>
          {earlier.map((o) => (
            <OptimisationView key={o.id} o={o} versions={versions} />
          ))}
        </details>
      ) : null}
    </div>
  )
}

function RoundProgress({ o, measuring }: { o: Optimisation; measuring?: { done: number; total: number } }) {
  const proposed = o.done.filter((r) => r.round > 0).length
  const own = o.done.some((r) => r.round === 0)
  return (
    <>
      <progress max={o.rounds + 1} value={o.done.length} aria-label="Rounds measured" />
      <span data-testid="optimise-progress">
        {own ? `${proposed} of ${count(o.rounds, 'round')} done` : "measuring the version's own description first"}
        {measuring ? ` · this round: ${measuring.done} of ${measuring.total} decisions` : ''} · {fmtCost(o.usd)} so far
      </span>
    </>
  )
}

const STATE_WORDS: Record<Optimisation['state'], string> = {
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted (the app stopped)'
}

function OptimisationView({ o, versions }: { o: Optimisation; versions: { id: string; number: number }[] }) {
  const save = useApiMutation('saveOptimisedDescription')
  const saved = o.savedVersionId ? versions.find((v) => v.id === o.savedVersionId) : undefined
  const savedNow = save.data ? save.data.versions[save.data.versions.length - 1] : undefined
  const number = saved?.number ?? savedNow?.number
  const canSave = o.state === 'done' && o.best !== undefined && o.best > 0 && !o.savedVersionId && !save.data
  return (
    <div className="trigger-optimisation" data-testid="optimisation" data-state={o.state}>
      <div className="muted">
        From version {o.version ?? '?'} · up to {count(o.rounds, 'round')} · {count(o.repeats, 'run')} per query · training{' '}
        {count(o.train.length, 'query', 'queries')}, held out {o.test.length} · started {fmtLocalTime(o.startedAt)} · {STATE_WORDS[o.state]}{' '}
        · {fmtCost(o.usd)}
      </div>
      {o.error ? (
        <div className="error-text" role="alert" data-testid="optimise-error">
          {o.error}
        </div>
      ) : null}
      <RoundsTable o={o} />
      {o.bestWhy ? (
        <p className={o.best ? 'notice inline' : 'notice notice-warning inline'} data-testid="best-why" role="status">
          {o.best ? `Picked: round ${o.best}. ` : "None beat the version's own description. "}
          {o.bestWhy}
        </p>
      ) : null}
      {number !== undefined ? (
        <div className="notice inline" data-testid="optimise-saved" role="status">
          Saved as version {number}.{' '}
          <Link to="/skill/$skillId" params={{ skillId: o.skillId }} data-testid="open-composer">
            Open it in the composer →
          </Link>
        </div>
      ) : o.savedVersionId ? (
        <div className="notice inline" data-testid="optimise-saved" role="status">
          Saved as a new version.{' '}
          <Link to="/skill/$skillId" params={{ skillId: o.skillId }} data-testid="open-composer">
            Open it in the composer →
          </Link>
        </div>
      ) : canSave ? (
        <button
          className="primary"
          onClick={() => save.mutate({ optimisationId: o.id })}
          disabled={save.isPending}
          data-testid="save-optimised"
        >
          {save.isPending ? 'Saving…' : `Save round ${o.best} as a new version`}
        </button>
      ) : null}
      {save.error ? <ErrorLine error={save.error.message} /> : null}
    </div>
  )
}
