/**
 * Step 4: the SKILL.md composer. Rule cards by tier (edit, move, delete, undo), the front matter
 * checked as you type, the text in an editor with a live preview whose citations are evidence badges
 * (a badge opens the run in the review deck), conflicts that can be reversed, versions that can be
 * diffed and restored, and the export into a project folder with a preview of what it writes.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { Link } from '@tanstack/react-router'
import type { SkillView } from '@shared/contract'
import { parseCitations, renderEdgeCasesMd, renderSkillMd, validateFrontMatter } from '@shared/skill-md'
import { removeRule, restoreRule, TIERS, type SkillRule, type Tier } from '@shared/skills'
import { brokenRuleFlags, describePairKey } from '@shared/verify'
import { useApi, useApiMutation } from '../data/queries'
import { createDraftHistory, draftOf, keepDraft, loadDraft, sameDraft, type Draft } from '../lib/composer'
import { fmtLocalTime, timeOf } from '../lib/format'
import { useShortcut } from '../lib/hotkeys'
import { AutoTextarea } from './AutoTextarea'
import { DiffView } from './DiffView'
import { ErrorLine } from './ErrorLine'
import { Markdown } from './Markdown'
import { MarkdownEditor } from './MarkdownEditor'
import { pointerAt, RunBadge, RunBadges } from './RunBadge'
import { FlaggedConfirm, TextFlagsNote } from './TextFlags'
import { VerificationsPanel } from '../features/verify'
import { FolderInput } from './FolderInput'

/** A rule followed in runs a verification says the skill broke: the person should look at it before the next version. */
interface RuleFlag {
  verificationId: string
  version: number
  /** the verification's batch: its run numbers */
  batchId?: string
  pairs: string[]
  runs: number[]
  /** the lines of those runs that show it */
  pointers: { run: number; line?: number }[]
}

const TIER_TITLES: Record<Tier, string> = {
  core: 'Core rules (8+ runs)',
  guidance: 'Guidance (4-7 runs)',
  'edge-case': 'Edge cases, in references/edge-cases.md (2-3 runs)',
  discarded: 'Discarded (1 run, lost a conflict, or removed)'
}

/** A version's time to the second (two versions made within a second differ by their number). */
function fmtVersionTime(iso: string): string {
  const t = timeOf(iso)
  if (t === null) return fmtLocalTime(iso)
  try {
    return new Date(t).toLocaleString(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    })
  } catch {
    return new Date(t).toISOString()
  }
}

export function SkillList() {
  const list = useApi('listSkills', {})
  if (list.error) return <ErrorLine error={list.error.message} retry={() => void list.refetch()} />
  if (!list.data) return <div className="muted pad">Loading…</div>
  return (
    <section className="page" data-testid="skills">
      <h1>Skills</h1>
      {!list.data.length ? (
        <div className="empty">No skills yet. Grade a batch, then Analyse it: the analysts' rules become a skill here.</div>
      ) : null}
      {list.data.map((s) => (
        <Link key={s.id} className="card skill-link" to="/skill/$skillId" params={{ skillId: s.id }}>
          <strong>{s.frontMatter.name}</strong> <span className="muted">{s.frontMatter.description}</span>
          <div className="muted small">
            {s.rules.filter((r) => r.tier === 'core').length} core · {s.rules.filter((r) => r.tier === 'guidance').length} guidance ·{' '}
            {s.rules.filter((r) => r.tier === 'edge-case').length} edge cases · updated {fmtLocalTime(s.updatedAt)}
          </div>
        </Link>
      ))}
    </section>
  )
}

export function SkillPage({ skillId, rule }: { skillId: string; rule?: string }) {
  // the saved skill (its versions, its problems) from the cache; saves and restores update it there
  const loaded = useApi('getSkill', { skillId })
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  return <Composer key={skillId} view={loaded.data} focusRule={rule} />
}

/** focusRule: the rule card to show (back from the deck one of its evidence badges opened). */
export function Composer({ view, focusRule }: { view: SkillView; focusRule?: string }) {
  const skill = view.skill
  const batchId = skill.batchIds[skill.batchIds.length - 1]
  const saved = useMemo(() => draftOf(skill), [skill])
  // an unsaved draft from before a reload or a crash comes back
  const [draft, setDraftState] = useState<Draft>(() => loadDraft(skill.id) ?? saved)
  const undoable = useRef(createDraftHistory()).current
  const saveSkill = useApiMutation('saveSkill')
  const reverseConflict = useApiMutation('reverseConflict')
  // the verifications of this skill (the same entry as the Verifications section's)
  const verifications = useApi('listVerifications', { skillId: skill.id })
  const [error, setError] = useState<Error | null>(null)
  /** one line after a save that had nothing to save */
  const [info, setInfo] = useState<string | null>(null)
  const dirty = !sameDraft(draft, saved)
  const lastVersion = view.versions[view.versions.length - 1]?.number
  // the draft as of the last render's changes, for changes made before the next render
  const current = useRef(draft)
  current.current = draft

  const setDraft = (next: Draft | ((d: Draft) => Draft), coalesce?: string) => {
    const before = current.current
    const n = typeof next === 'function' ? next(before) : next
    undoable.record(before, coalesce)
    current.current = n
    setDraftState(n)
  }
  /** back to what is saved (after a save, a restore or a reversed conflict); nothing to undo */
  const resetTo = (v: SkillView) => {
    undoable.clear()
    current.current = draftOf(v.skill)
    setDraftState(current.current)
  }
  useEffect(() => keepDraft(skill.id, draft, dirty), [draft, dirty, skill.id])

  const undo = () => {
    const prev = undoable.undo(current.current)
    if (prev) setDraftState((current.current = prev))
  }
  const redo = () => {
    const next = undoable.redo(current.current)
    if (next) setDraftState((current.current = next))
  }
  const save = async (label?: string) => {
    setError(null)
    setInfo(null)
    // nothing to save: no version is made (Ctrl+S on a saved skill)
    if (!dirty)
      return setInfo(lastVersion ? `Nothing changed since version ${lastVersion}: no new version.` : 'Nothing changed: no new version.')
    try {
      const { frontMatter, title, whenToUse, rules, conflicts, markdown } = draft
      const v = await saveSkill.mutateAsync({
        skillId: skill.id,
        patch: { frontMatter, title, whenToUse, rules, conflicts, markdown: markdown ?? null },
        label
      })
      keepDraft(skill.id, draftOf(v.skill), false)
      resetTo(v)
      if (v.unchangedSince) setInfo(`Nothing changed since version ${v.unchangedSince}: no new version.`)
    } catch (e) {
      setError(e as Error)
    }
  }

  useShortcut('composer.save', (e) => {
    e.preventDefault()
    void save()
  })
  // Ctrl+Z in a text field (or the SKILL.md editor) is that field's own undo
  useShortcut('composer.undo', (e) => {
    e.preventDefault()
    undo()
  })
  useShortcut('composer.redo', (e) => {
    e.preventDefault()
    redo()
  })
  useEffect(() => {
    if (!dirty) return
    const leave = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', leave)
    return () => window.removeEventListener('beforeunload', leave)
  }, [dirty])

  const problems = validateFrontMatter(draft.frontMatter, draft.frontMatter.name)
  const rendered = renderSkillMd({ ...draft })
  const text = draft.markdown ?? rendered
  const edge = renderEdgeCasesMd({ ...draft })
  const flags = useMemo(() => {
    const list = verifications.data ?? []
    const byId = new Map(list.map((x) => [x.verification.id, x]))
    const out = new Map<string, RuleFlag[]>()
    for (const f of brokenRuleFlags(
      draft.rules,
      list.map((x) => x.verification),
      (id) => byId.get(id)?.report?.comparison.broken ?? []
    ))
      out.set(f.ruleId, [...(out.get(f.ruleId) ?? []), { ...f, batchId: byId.get(f.verificationId)?.verification.batchId }])
    return out
  }, [verifications.data, draft.rules])
  const updateRule = (id: string, patch: Partial<SkillRule>, coalesce?: string) =>
    setDraft((d) => ({ ...d, rules: d.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) }), coalesce)

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
          {TIERS.map((tier) => {
            const list = draft.rules.filter((r) => r.tier === tier)
            return (
              <div key={tier} className={`tier tier-${tier}`} data-testid={`tier-${tier}`}>
                <h3>
                  {TIER_TITLES[tier]} <span className="muted">{list.length}</span>
                </h3>
                {list.map((r) => (
                  <RuleCard
                    key={r.id}
                    rule={r}
                    skillId={skill.id}
                    focused={r.id === focusRule}
                    batchId={batchId}
                    flags={flags.get(r.id)}
                    onChange={updateRule}
                    // a deleted card stays under Discarded, marked removed, until it is deleted for good
                    onDelete={() =>
                      setDraft((d) => ({
                        ...d,
                        rules: r.removed ? d.rules.filter((x) => x.id !== r.id) : d.rules.map((x) => (x.id === r.id ? removeRule(x) : x))
                      }))
                    }
                    onRestore={() => setDraft((d) => ({ ...d, rules: d.rules.map((x) => (x.id === r.id ? restoreRule(x) : x)) }))}
                  />
                ))}
              </div>
            )
          })}
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
          {edge.trim() && draft.rules.some((r) => r.tier === 'edge-case') ? (
            <details>
              <summary>references/edge-cases.md</summary>
              <SkillPreview text={edge} batchId={batchId} />
            </details>
          ) : null}
        </div>
      </div>
      <Versions view={view} onRestored={resetTo} />
      <VerificationsPanel skillId={skill.id} />
      <ExportPanel skillId={skill.id} dirty={dirty} problems={problems} batchId={batchId} />
    </section>
  )
}

function RuleCard({
  rule: r,
  skillId,
  focused,
  batchId,
  flags,
  onChange,
  onDelete,
  onRestore
}: {
  rule: SkillRule
  skillId: string
  /** the card the page was opened at: shown and marked */
  focused?: boolean
  batchId?: string
  flags?: RuleFlag[]
  onChange: (id: string, p: Partial<SkillRule>, coalesce?: string) => void
  onDelete: () => void
  onRestore: () => void
}) {
  const card = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (focused) card.current?.scrollIntoView?.({ block: 'center' })
  }, [focused])
  // where its badges lead back to from the deck
  const from = { skillId, ruleId: r.id }
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
      {r.reasons.length ? (
        <details>
          <summary className="muted small">Why ({r.reasons.length})</summary>
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

/** Analyst text is untrusted (Markdown keeps it inert); citations become badges into the review deck. */
export function SkillPreview({ text, batchId }: { text: string; batchId?: string }) {
  const badges = (children: ReactNode): ReactNode =>
    Array.isArray(children)
      ? children.map((c, i) => <span key={i}>{badges(c)}</span>)
      : typeof children === 'string'
        ? withBadges(children, batchId)
        : children
  // the YAML front matter is shown as it is, not as markdown
  const fm = /^---\n([\s\S]*?)\n---\n?/.exec(text)
  const body = fm ? text.slice(fm[0].length) : text
  return (
    <div className="skill-preview" data-testid="skill-preview">
      {fm ? <pre className="front-matter-preview">{fm[1]}</pre> : null}
      <Markdown
        text={body}
        components={{
          li: ({ children }) => <li>{badges(children)}</li>,
          p: ({ children }) => <p>{badges(children)}</p>
        }}
      />
    </div>
  )
}

function withBadges(text: string, batchId?: string): ReactNode {
  const found = parseCitations(text)
  if (!found.length) return text
  const out: ReactNode[] = []
  let at = 0
  for (const c of found) {
    out.push(text.slice(at, c.start))
    out.push(
      <span key={c.start} className="citation">
        <RunBadges batchId={batchId} runs={c.runs} counts={false} />
      </span>
    )
    at = c.end
  }
  out.push(text.slice(at))
  return out
}

function Versions({ view, onRestored }: { view: SkillView; onRestored: (v: SkillView) => void }) {
  const [picked, setPicked] = useState<string[]>([])
  const [note, setNote] = useState<string | null>(null)
  const restore = useApiMutation('restoreSkillVersion')
  const numberOf = (id: string) => view.versions.find((v) => v.id === id)?.number ?? 0
  // always the older version against the newer, whichever was ticked first
  const [a, b] = [...picked].sort((x, y) => numberOf(x) - numberOf(y))
  const diff = useApi('diffSkillVersions', picked.length === 2 ? { a, b } : null)
  const error = restore.error ?? diff.error
  const restoreVersion = (versionId: string, n: number) =>
    restore.mutate(
      { versionId },
      {
        onSuccess: (r) => {
          setNote(
            r.unchangedSince ? `Version ${n} is what the skill already is (as version ${r.unchangedSince}): nothing to restore.` : null
          )
          onRestored(r)
        }
      }
    )
  return (
    <details className="card versions" data-testid="versions">
      <summary>Versions ({view.versions.length}): tick two to diff</summary>
      {view.versions
        .slice()
        .reverse()
        .map((v) => (
          <div key={v.id} className="version">
            <label>
              <input
                type="checkbox"
                checked={picked.includes(v.id)}
                onChange={() => setPicked((p) => (p.includes(v.id) ? p.filter((x) => x !== v.id) : [...p.slice(-1), v.id]))}
              />{' '}
              Version {v.number}
            </label>{' '}
            <span className="muted" data-testid="version-time">
              {fmtVersionTime(v.createdAt)} {v.label ? `· ${v.label}` : ''}
            </span>{' '}
            <button className="ghost" onClick={() => restoreVersion(v.id, v.number)}>
              Restore
            </button>
          </div>
        ))}
      {picked.length === 2 && diff.data ? (
        diff.data.identical ? (
          <div className="muted" data-testid="version-diff" data-identical="true">
            Version {numberOf(a)} and version {numberOf(b)} are identical (SKILL.md and references/edge-cases.md).
          </div>
        ) : (
          <>
            <DiffView diff={diff.data.skillMd} testId="version-diff" />
            <DiffView diff={diff.data.edgeCasesMd} />
          </>
        )
      ) : null}
      {note ? <div className="muted">{note}</div> : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </details>
  )
}

function ExportPanel({ skillId, dirty, problems, batchId }: { skillId: string; dirty: boolean; problems: string[]; batchId?: string }) {
  const [folder, setFolder] = useState('')
  // flagged texts (a command, a URL, text copied from a run) are written only once the person ticked that they read them
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  // the folder the person asked to preview (the plan is read for it, and dropped when the folder changes)
  const [previewed, setPreviewed] = useState<string | null>(null)
  const plan = useApi('planSkillExport', previewed ? { skillId, folder: previewed } : null)
  const exportSkill = useApiMutation('exportSkill')
  const error = plan.error ?? exportSkill.error
  const blocked = dirty
    ? 'Save your changes first: the export writes the saved version.'
    : problems.length
      ? 'Fix the front matter first.'
      : null
  const choose = (path: string) => {
    setFolder(path)
    setPreviewed(null)
  }
  const preview = () => {
    exportSkill.reset()
    setAcceptFlagged(false)
    // a new folder is read when its plan's query starts; the same one again is asked afresh (never
    // refetch the waiting query: with no input it has nothing to ask, and its error would stay on screen)
    if (previewed === folder.trim()) void plan.refetch()
    else setPreviewed(folder.trim())
  }
  const result = exportSkill.data
  const toWrite = plan.data?.files.filter((f) => f.status !== 'same').length ?? 0
  return (
    <div className="card export" data-testid="export">
      <div className="label">Export into a project</div>
      <div className="row-form">
        <FolderInput
          value={folder}
          onChange={choose}
          placeholder="/path/to/your/project"
          aria-label="Project folder"
          data-testid="export-folder"
          className="grow"
        />
        <button disabled={!folder.trim() || !!blocked} onClick={preview} data-testid="export-preview">
          Preview
        </button>
      </div>
      {blocked ? <div className="muted">{blocked}</div> : null}
      {previewed && plan.data && !result ? (
        <div data-testid="export-plan">
          <div className="muted">Into {plan.data.folder}:</div>
          <ul className="file-tree">
            {plan.data.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code>{' '}
                <span className={`badge status-${f.status}`}>
                  {f.status === 'changed'
                    ? 'replaces the file there (backed up)'
                    : f.status === 'same'
                      ? 'already there, identical'
                      : 'new'}
                </span>
                {f.diff ? (
                  <details>
                    <summary className="muted small">diff against the file there</summary>
                    <DiffView diff={f.diff} />
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
          {toWrite === 0 ? (
            <div className="muted" data-testid="export-nothing">
              Nothing to write: every file in {plan.data.folder} is already identical.
            </div>
          ) : (
            <>
              <FlaggedConfirm flagged={plan.data.flagged ?? []} accepted={acceptFlagged} onAccept={setAcceptFlagged} batchId={batchId} />
              <button
                className="primary"
                disabled={exportSkill.isPending || (!!plan.data.flagged?.length && !acceptFlagged)}
                title={plan.data.flagged?.length && !acceptFlagged ? 'Read the flagged texts above and tick the box first' : undefined}
                onClick={() =>
                  exportSkill.mutate(
                    { skillId, folder: previewed, ...(plan.data?.flagged?.length ? { acceptFlagged } : {}) },
                    { onSuccess: () => setPreviewed(null) }
                  )
                }
                data-testid="export-write"
              >
                Export {toWrite} {toWrite === 1 ? 'file' : 'files'}
              </button>
            </>
          )}
        </div>
      ) : null}
      {result ? (
        <div data-testid="export-result" className="ok-text">
          Wrote {result.written.length} files into {result.folder}
          {result.unchanged.length ? `, ${result.unchanged.length} already identical` : ''}.
          {result.backups.length ? ` Replaced files were backed up: ${result.backups.map((b) => b.backup).join(', ')}` : ''}
        </div>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </div>
  )
}
