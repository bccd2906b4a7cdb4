import { useEffect, useRef } from 'react'
import { Link } from '@tanstack/react-router'
import { TIERS, type SkillRule, type Tier } from '@shared/skills'
import { describePairKey } from '@shared/verify'
import type { ConfirmRuleResult } from '@shared/confirm'
import type { RuleTally } from '@shared/rule-outcomes'
import { AutoTextarea } from '../../components/AutoTextarea'
import { pointerAt, RunBadge, RunBadges, useRunGrades } from '../../components/RunBadge'
import { TextFlagsNote } from '../../components/TextFlags'
import { ConfirmBadge, ConfirmRuns } from './ConfirmResults'

/** A rule followed in runs a verification says the skill broke: the person should look at it before the next version. */
export interface RuleFlag {
  verificationId: string
  version: number
  /** the verification's batch: its run numbers */
  batchId?: string
  pairs: string[]
  runs: number[]
  /** the lines of those runs that show it */
  pointers: { run: number; line?: number }[]
}

/** The topic select's entry that makes a new topic (no topic name can be it: names are slugs). */
const NEW_TOPIC = ' new'

export function RuleCard({
  rule: r,
  skillId,
  focused,
  batchId,
  flags,
  tally,
  confirmed,
  onChange,
  onDelete,
  onRestore,
  topics,
  topic,
  onTopic
}: {
  rule: SkillRule
  skillId: string
  /** the card the page was opened at: shown and marked */
  focused?: boolean
  batchId?: string
  flags?: RuleFlag[]
  /** explained pairs across verifications where it was followed and the skill fixed the run, or broke it */
  tally?: RuleTally
  /** its result in the newest confirmation of the saved version (re-run alone on its failures) */
  confirmed?: { result: ConfirmRuleResult; batchId?: string }
  onChange: (id: string, p: Partial<SkillRule>, coalesce?: string) => void
  onDelete: () => void
  onRestore: () => void
  /** an edge case's reference files to move it between (its own: `topic`); `onTopic(null)`: to a new one */
  topics?: { name: string; title: string }[]
  topic?: string
  onTopic?: (name: string | null) => void
}) {
  const card = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (focused) card.current?.scrollIntoView?.({ block: 'center' })
  }, [focused])
  // where its badges lead back to from the deck
  const from = { skillId, ruleId: r.id }
  const grades = useRunGrades(batchId)
  return (
    <div
      ref={card}
      className={`rule-card${r.removed ? ' removed' : ''}${focused ? ' focused' : ''}`}
      data-testid="rule-card"
      data-tier={r.tier}
      data-removed={r.removed ? 'true' : undefined}
      data-focused={focused ? 'true' : undefined}
    >
      <AutoTextarea
        value={r.text}
        onChange={(e) => onChange(r.id, { text: e.target.value }, `rule-${r.id}`)}
        aria-label="Rule"
        data-testid="rule-text"
      />
      <AutoTextarea
        className="rule-why"
        value={r.why ?? ''}
        placeholder="Why: one short reason, from what happened in the runs"
        onChange={(e) => onChange(r.id, { why: e.target.value === '' ? undefined : e.target.value }, `why-${r.id}`)}
        aria-label="Why"
        data-testid="rule-why"
      />
      <RuleExample rule={r} batchId={batchId} from={{ skillId, ruleId: r.id }} onChange={onChange} />
      <div className="rule-meta">
        <RunBadges batchId={batchId} runs={r.evidence} pointers={r.pointers} from={from} />
        {(r.earlier ?? []).map((c, i) =>
          c.runs.length ? (
            <span key={i} className="earlier-citation" title="Runs of an earlier batch this rule cites (the skill it was deepened from)">
              <span className="muted small">earlier:</span>{' '}
              <RunBadges batchId={c.batchId} runs={c.runs} from={from} testId="earlier-badge" />
            </span>
          ) : null
        )}
        <span className={`badge prio-${r.priority}`}>{r.priority}</span>
        {r.analysts.map((a) => (
          <span key={a} className="badge">
            {a}
          </span>
        ))}
        {r.guard ? <span className="badge">guard</span> : null}
        {r.existing ? <span className="badge">from the existing skill</span> : null}
        {r.removed ? <span className="badge">removed</span> : null}
        <select
          value={r.tier}
          onChange={(e) => onChange(r.id, { tier: e.target.value as Tier, pinnedTier: true, note: 'moved by you', removed: undefined })}
          aria-label="Move to tier"
        >
          {TIERS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {topics && onTopic ? (
          <select
            value={topic}
            onChange={(e) => onTopic(e.target.value === NEW_TOPIC ? null : e.target.value)}
            aria-label="Reference file"
            title="The reference file (topic) this edge case is in"
            data-testid="rule-topic"
          >
            {topics.map((t) => (
              <option key={t.name} value={t.name}>
                references/{t.name}.md ({t.title})
              </option>
            ))}
            <option value={NEW_TOPIC}>New topic…</option>
          </select>
        ) : null}
        {r.removed ? (
          <>
            <button onClick={onRestore} title={`Back to ${r.removed.tier}`} data-testid="restore-rule">
              Restore
            </button>
            <button className="ghost" onClick={onDelete} title="Delete for good (Undo brings it back)" data-testid="delete-rule">
              Delete for good
            </button>
          </>
        ) : (
          <button
            className="ghost"
            onClick={onDelete}
            title="Delete: it goes under Discarded, where it can be restored (Undo brings it back too)"
            data-testid="delete-rule"
          >
            Delete
          </button>
        )}
      </div>
      {r.note ? <div className="muted small">{r.note}</div> : null}
      <TextFlagsNote text={r.text} provenance={r.provenance} batchId={batchId} />
      {confirmed ? (
        <div className="rule-confirmed small" data-testid="rule-confirmed">
          <ConfirmBadge result={confirmed.result} /> <ConfirmRuns result={confirmed.result} batchId={confirmed.batchId} />
        </div>
      ) : null}
      {tally ? (
        <div
          className="muted small"
          data-testid="rule-tally"
          title="Pairs of a verification explained so far where the run with the skill followed this rule"
        >
          Followed where the skill helped: {tally.helpful} {tally.helpful === 1 ? 'pair' : 'pairs'} · where it hurt: {tally.harmful}
        </div>
      ) : null}
      {flags?.map((f) => (
        <div key={f.verificationId} className="rule-flag" data-testid="rule-flag">
          Followed in runs the skill broke:{' '}
          <Link to="/verification/$verificationId" params={{ verificationId: f.verificationId }}>
            verification of version {f.version}
          </Link>
          , {f.pairs.map(describePairKey).join('; ')}{' '}
          <span className="evidence">
            {f.runs.map((n) => (
              <RunBadge key={n} batchId={f.batchId} n={n} {...pointerAt(f.pointers, n)} testId="flag-badge" />
            ))}
          </span>
        </div>
      ))}
      {r.unconfirmed?.length ? (
        <div className="rule-unconfirmed" data-testid="rule-unconfirmed">
          <span className="muted small">
            Cited but not confirmed by the support check in {r.unconfirmed.length} run{r.unconfirmed.length === 1 ? '' : 's'} (not counted
            toward its tier):
          </span>
          <ul>
            {r.unconfirmed.map((u) => (
              <li key={u.run} className="small" data-testid="unconfirmed-run">
                <RunBadge batchId={batchId} n={u.run} grade={grades.get(u.run)} from={from} testId="unconfirmed-badge" /> not confirmed:{' '}
                {u.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {r.reasons.length ? (
        <details>
          <summary className="muted small">The analysts’ reasons ({r.reasons.length})</summary>
          {r.reasons.map((x, i) => (
            <p key={i} className="small">
              {x}
            </p>
          ))}
        </details>
      ) : null}
    </div>
  )
}

/**
 * A rule's example: the wrong and the right snippet (quoted from the runs' files or commands, checked
 * against them after the merge), editable, with the runs they come from; what the check dropped.
 */
function RuleExample({
  rule: r,
  batchId,
  from,
  onChange
}: {
  rule: SkillRule
  batchId?: string
  from: { skillId: string; ruleId: string }
  onChange: (id: string, p: Partial<SkillRule>, coalesce?: string) => void
}) {
  const e = r.example
  const note = r.exampleNote ? (
    <div className="muted small" data-testid="example-note">
      {r.exampleNote}
    </div>
  ) : null
  if (!e)
    return (
      <div className="rule-example-add">
        <button className="ghost small" onClick={() => onChange(r.id, { example: { runs: [] } })} data-testid="add-example">
          Add an example
        </button>
        {note}
      </div>
    )
  const edit = (side: 'wrong' | 'right', value: string) =>
    onChange(r.id, { example: { ...e, [side]: value === '' ? undefined : value } }, `example-${side}-${r.id}`)
  return (
    <div className="rule-example" data-testid="rule-example">
      <div className="muted small">
        Example{' '}
        {e.runs.length ? (
          <RunBadges batchId={e.batchId ?? batchId} runs={e.runs} from={from} counts={false} testId="example-badge" />
        ) : null}
      </div>
      <label className="small">
        Instead of
        <AutoTextarea
          className="mono"
          value={e.wrong ?? ''}
          placeholder="a few lines of a bad run's file or command"
          onChange={(ev) => edit('wrong', ev.target.value)}
          aria-label="Example: instead of"
          data-testid="example-wrong"
        />
      </label>
      <label className="small">
        write
        <AutoTextarea
          className="mono"
          value={e.right ?? ''}
          placeholder="a few lines of a good run's file or command"
          onChange={(ev) => edit('right', ev.target.value)}
          aria-label="Example: write"
          data-testid="example-right"
        />
      </label>
      <button className="ghost small" onClick={() => onChange(r.id, { example: undefined })} data-testid="remove-example">
        Remove the example
      </button>
      {note}
    </div>
  )
}
