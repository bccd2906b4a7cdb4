/**
 * A skill's triggers (`#/triggers/<skill>`, issue 23): does Claude Code load it when it should, and not
 * otherwise? Its description decides. The rivals named first; the query set to review; measuring the
 * description (repeats, the estimate, progress, recall and false-trigger rate, per query); optimising
 * it (rounds picked by the held-out split) and saving the pick as a new version.
 */
import { useState } from 'react'
import { Link } from '@tanstack/react-router'
import { DEFAULT_REPEATS, type TriggersView } from '@shared/triggers'
import { ErrorLine } from '../../components/ErrorLine'
import { useApi } from '../../data/queries'
import { MeasurePanel } from './MeasurePanel'
import { OptimisePanel } from './OptimisePanel'
import { QuerySet } from './QuerySet'
import { Rivals } from './Rivals'
import { useQueryDraft } from './useQueryDraft'

/** What measuring and optimising share: the version, runs per query, the cap. */
export interface TriggersSettings {
  versionId: string
  repeats: number
  cap: number
  /** why these cannot be used ('' when they can) */
  problem: string
}

/** Refused over it (main's default, contract.ts TriggersOptions.capUsd). */
export const DEFAULT_TRIGGERS_CAP_USD = 10

export function TriggersPage({ skillId }: { skillId: string }) {
  // kept current by triggersProgress and the mutations' answers (data/triggers-cache.ts)
  const loaded = useApi('getTriggers', { skillId })
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  return <Triggers view={loaded.data} />
}

function Triggers({ view }: { view: TriggersView }) {
  const skill = useApi('getSkill', { skillId: view.skillId })
  const versions = skill.data?.versions ?? []
  const d = useQueryDraft(view)
  const [raw, setSettings] = useState({ versionId: '', repeats: DEFAULT_REPEATS, cap: DEFAULT_TRIGGERS_CAP_USD })
  const problem =
    !Number.isInteger(raw.repeats) || raw.repeats < 1 || raw.repeats > 10
      ? 'Runs per query: from 1 to 10.'
      : !Number.isFinite(raw.cap) || raw.cap < 0
        ? 'The cap: a sum in US$.'
        : ''
  const settings: TriggersSettings = { ...raw, problem }
  const busy = view.measures.some((m) => m.state === 'running') || view.optimisations.some((o) => o.state === 'running')
  const set = (patch: Partial<typeof raw>) => setSettings((s) => ({ ...s, ...patch }))
  return (
    <section className="page triggers" data-testid="triggers-page">
      <div className="crumbs">
        <Link to="/skill/$skillId" params={{ skillId: view.skillId }}>
          ← {view.name || 'skill'}
        </Link>
      </div>
      <h1>Does Claude Code load {view.name}?</h1>
      <p className="muted">
        The description alone decides. Each query runs through the real <code>claude -p</code> with only this skill installed, stopped as
        soon as the model decides whether to load it.
      </p>
      <div className="card" data-testid="current-description">
        <div className="label">Its description now</div>
        <div className="query-prompt">{view.description}</div>
      </div>
      <Rivals rivals={view.rivals} />
      <QuerySet view={view} d={d} busy={busy} />
      <div className="card trigger-settings">
        <label>
          Version{' '}
          <select value={raw.versionId} onChange={(e) => set({ versionId: e.target.value })} data-testid="triggers-version">
            <option value="">the newest</option>
            {[...versions].reverse().map((v) => (
              <option key={v.id} value={v.id}>
                version {v.number}
              </option>
            ))}
          </select>
        </label>
        <label>
          Runs per query{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={Number.isNaN(raw.repeats) ? '' : raw.repeats}
            onChange={(e) => set({ repeats: Number(e.target.value) })}
            data-testid="triggers-repeats"
          />
        </label>
        <label>
          Cap (US$){' '}
          <input
            type="number"
            min={0}
            step={1}
            value={Number.isNaN(raw.cap) ? '' : raw.cap}
            onChange={(e) => set({ cap: e.target.value === '' ? NaN : Number(e.target.value) })}
            data-testid="triggers-cap"
          />
        </label>
        {problem ? (
          <span className="error-text" role="alert" data-testid="settings-problem">
            {problem}
          </span>
        ) : null}
      </div>
      <MeasurePanel view={view} settings={settings} dirty={d.dirty} busy={busy} />
      <OptimisePanel view={view} settings={settings} dirty={d.dirty} busy={busy} versions={versions} />
    </section>
  )
}
