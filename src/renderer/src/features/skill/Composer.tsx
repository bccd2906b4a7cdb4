/**
 * Step 4: the SKILL.md composer. Rule cards by tier (edit, move, delete, undo), the front matter
 * checked as you type, the text in an editor with a live preview whose citations are evidence badges
 * (a badge opens the run in the review deck), conflicts that can be reversed, versions that can be
 * diffed and restored, and the export into a project folder with a preview of what it writes.
 * Its state lives in useComposer.
 */
import { Link } from '@tanstack/react-router'
import type { SkillView } from '@shared/contract'
import { draftTopics, hasTopics, topicOf } from '@shared/skill-references'
import { removeRule, restoreRule, SEED_THRESHOLDS, TIERS, tiersLine, type SkillRule, type Tier, type TierThresholds } from '@shared/skills'
import { AutoTextarea } from '../../components/AutoTextarea'
import { ErrorLine } from '../../components/ErrorLine'
import { MarkdownEditor } from '../../components/MarkdownEditor'
import { TextFlagsNote } from '../../components/TextFlags'
import { VerificationsPanel } from '../verify'
import { ConfirmRules } from './ConfirmRules'
import { ExportPanel } from './ExportPanel'
import { RuleCard } from './RuleCard'
import { Scripts } from './Scripts'
import { SkillPreview } from './SkillPreview'
import { TopicGroups } from './TopicGroups'
import { useComposer } from './useComposer'
import { Versions } from './Versions'

/** A tier's heading, with the runs it takes by the thresholds the skill was tiered with (the seed's for an older skill). */
function tierTitle(tier: Tier, tiers: TierThresholds | undefined, byTopic = false): string {
  const t = tiers ?? SEED_THRESHOLDS
  const range = (lo: number, hi: number) => (hi <= lo ? `${lo}` : `${lo}-${hi}`)
  const few = t.edgeCase - 1
  return {
    core: `Core rules (${t.core}+ runs)`,
    guidance: `Guidance (${range(t.guidance, t.core - 1)} runs)`,
    'edge-case': `Edge cases, in ${byTopic ? 'references/ by topic' : 'references/edge-cases.md'} (${range(t.edgeCase, t.guidance - 1)} runs)`,
    discarded: `Discarded (${range(1, few)} run${few === 1 ? '' : 's'}, lost a conflict, or removed)`
  }[tier]
}

/** focusRule: the rule card to show (back from the deck one of its evidence badges opened). */
export function Composer({ view, focusRule }: { view: SkillView; focusRule?: string }) {
  const {
    skill,
    batchId,
    saved,
    draft,
    setDraft,
    resetTo,
    undoable,
    undo,
    redo,
    save,
    saveSkill,
    reverseConflict,
    error,
    setError,
    info,
    dirty,
    problems,
    text,
    references,
    flags,
    tallies,
    confirmations,
    confirmed,
    updateRule,
    topicEdits
  } = useComposer(view)
  // an edge case's reference file, to move it to another (or a new one)
  const topics = draftTopics(draft)
  const topicNames = new Set(topics.map((t) => t.name))
  const card = (r: SkillRule) => (
    <RuleCard
      key={r.id}
      rule={r}
      skillId={skill.id}
      focused={r.id === focusRule}
      batchId={batchId}
      flags={flags.get(r.id)}
      tally={tallies.get(r.id)}
      confirmed={confirmed.get(r.id)}
      onChange={updateRule}
      // a deleted card stays under Discarded, marked removed, until it is deleted for good
      onDelete={() =>
        setDraft((d) => ({
          ...d,
          rules: r.removed ? d.rules.filter((x) => x.id !== r.id) : d.rules.map((x) => (x.id === r.id ? removeRule(x) : x))
        }))
      }
      onRestore={() => setDraft((d) => ({ ...d, rules: d.rules.map((x) => (x.id === r.id ? restoreRule(x) : x)) }))}
      {...(r.tier === 'edge-case'
        ? { topics, topic: topicOf(r, topicNames), onTopic: (name: string | null) => topicEdits.move(r.id, name) }
        : {})}
    />
  )

  return (
    <section className="page skill" data-testid="skill">
      <div className="crumbs">
        {batchId ? (
          <Link to="/analyze/$batchId" params={{ batchId }}>
            ← Analysis
          </Link>
        ) : null}
      </div>
      <div className="skill-bar">
        <h1>{draft.frontMatter.name || 'skill'}</h1>
        <Link
          className="button ghost-link"
          to="/verify/$skillId"
          params={{ skillId: skill.id }}
          data-testid="verify-link"
          title="Does it make runs better? Run a version with and without it, graded blind"
        >
          Verify…
        </Link>
        <Link
          className="button ghost-link"
          to="/make-candidates/skill/$skillId"
          params={{ skillId: skill.id }}
          data-testid="candidates-link"
          title="Verify several versions with no skill on the same variations, and promote the best by the paired test"
        >
          Make candidates…
        </Link>
        <Link
          className="button ghost-link"
          to="/triggers/$skillId"
          params={{ skillId: skill.id }}
          data-testid="triggers-link"
          title="Does Claude Code load it when it should, and not otherwise? Measure and improve its description"
        >
          Triggers…
        </Link>
        <button
          className="primary"
          disabled={!dirty || saveSkill.isPending}
          onClick={() => void save()}
          data-testid="save-skill"
          title="Save as a new version (Ctrl+S)"
        >
          {saveSkill.isPending ? 'Saving…' : dirty ? 'Save version (Ctrl+S)' : 'Saved'}
        </button>
        <button onClick={undo} disabled={!undoable.canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
          Undo
        </button>
        <button onClick={redo} disabled={!undoable.canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
          Redo
        </button>
        {dirty ? (
          <>
            <span className="muted">unsaved changes (kept if you close the app)</span>
            <button
              className="ghost"
              onClick={() => setDraft(saved)}
              title="Back to the saved version (Undo brings your edits back)"
              data-testid="discard-edits"
            >
              Discard edits
            </button>
          </>
        ) : null}
        {info && !dirty ? (
          <span className="muted" data-testid="save-info" role="status">
            {info}
          </span>
        ) : null}
        {error ? <ErrorLine error={error.message} /> : null}
      </div>
      <ConfirmRules
        skillId={skill.id}
        latest={confirmations[0]}
        version={view.versions[view.versions.length - 1]?.number}
        dirty={dirty}
        onRemoveHarmful={(ids) => setDraft((d) => ({ ...d, rules: d.rules.map((x) => (ids.includes(x.id) ? removeRule(x) : x)) }))}
      />

      <div className="card front-matter">
        <label>
          name{' '}
          <input
            value={draft.frontMatter.name}
            onChange={(e) => setDraft((d) => ({ ...d, frontMatter: { ...d.frontMatter, name: e.target.value } }), 'name')}
            data-testid="fm-name"
            aria-label="Skill name"
          />
        </label>
        <label className="grow wide">
          description{' '}
          <AutoTextarea
            value={draft.frontMatter.description}
            onChange={(e) => setDraft((d) => ({ ...d, frontMatter: { ...d.frontMatter, description: e.target.value } }), 'description')}
            data-testid="fm-description"
            aria-label="Skill description"
          />
        </label>
        <label className="grow">
          title{' '}
          <input value={draft.title} onChange={(e) => setDraft((d) => ({ ...d, title: e.target.value }), 'title')} aria-label="Title" />
        </label>
        <label className="grow wide">
          when to use{' '}
          <AutoTextarea
            value={draft.whenToUse}
            onChange={(e) => setDraft((d) => ({ ...d, whenToUse: e.target.value }), 'when')}
            aria-label="When to use"
          />
        </label>
        <TextFlagsNote
          text={draft.frontMatter.description}
          provenance={skill.provenance?.description}
          batchId={batchId}
          what="the description"
        />
        <TextFlagsNote text={draft.title} provenance={skill.provenance?.title} batchId={batchId} what="the title" />
        <TextFlagsNote text={draft.whenToUse} provenance={skill.provenance?.whenToUse} batchId={batchId} what={'"when to use"'} />
        {problems.length ? (
          <ul className="problems" data-testid="fm-problems" role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : (
          <div className="ok-text">Front matter follows the Agent Skills rules.</div>
        )}
      </div>

      <div className="composer">
        <div className="cards-col">
          <p className="muted" data-testid="tier-thresholds">
            {tiersLine(skill.tiers)}
          </p>
          {TIERS.map((tier) => {
            const list = draft.rules.filter((r) => r.tier === tier)
            return (
              <div key={tier} className={`tier tier-${tier}`} data-testid={`tier-${tier}`}>
                <h3>
                  {tierTitle(tier, skill.tiers, hasTopics(draft))} <span className="muted">{list.length}</span>
                </h3>
                {tier === 'edge-case' ? <TopicGroups draft={draft} rules={list} edits={topicEdits} card={card} /> : list.map(card)}
              </div>
            )
          })}
          <Scripts rules={draft.rules} skillId={skill.id} batchId={batchId} onChange={updateRule} />
          {draft.conflicts.length ? (
            <div className="tier">
              <h3>Conflicts decided by evidence</h3>
              {draft.conflicts.map((c) => {
                const w = draft.rules.find((r) => r.id === c.winner)
                const l = draft.rules.find((r) => r.id === c.loser)
                return (
                  <div key={c.id} className="conflict" data-testid="conflict">
                    <div>
                      Kept <q>{w?.text ?? c.winner}</q> over <q>{l?.text ?? c.loser}</q>: {c.decision}
                      {c.reversed ? ' (reversed by you)' : ''}. <span className="muted">{c.why}</span>
                    </div>
                    <button
                      disabled={dirty}
                      title={dirty ? 'Save your changes first' : 'Keep the other rule instead'}
                      onClick={() =>
                        reverseConflict.mutate({ skillId: skill.id, conflictId: c.id }, { onSuccess: resetTo, onError: setError })
                      }
                    >
                      Reverse
                    </button>
                  </div>
                )
              })}
            </div>
          ) : null}
        </div>
        <div className="text-col">
          <div className="label">
            SKILL.md{' '}
            {draft.markdown !== undefined ? (
              <span className="badge warn">edited by hand</span>
            ) : (
              <span className="muted">(from the rule cards)</span>
            )}
            {draft.markdown !== undefined ? (
              <button
                className="ghost"
                onClick={() => setDraft((d) => ({ ...d, markdown: undefined }))}
                title="Drop the hand edits and show the text made from the cards"
              >
                Rebuild from cards
              </button>
            ) : null}
          </div>
          <MarkdownEditor
            value={text}
            onChange={(t) => setDraft((d) => ({ ...d, markdown: t }), 'text')}
            label="SKILL.md text"
            testId="skill-text"
          />
          <div className="label">Preview</div>
          <SkillPreview text={text} batchId={batchId} />
          {references.map((f) => (
            <details key={f.name} data-testid="reference-preview">
              <summary>references/{f.name}.md</summary>
              <SkillPreview text={f.content} batchId={batchId} />
            </details>
          ))}
        </div>
      </div>
      <Versions view={view} onRestored={resetTo} confirmations={confirmations} />
      <VerificationsPanel skillId={skill.id} />
      <ExportPanel skillId={skill.id} dirty={dirty} problems={problems} batchId={batchId} />
    </section>
  )
}
