/**
 * Step 4: the SKILL.md composer. Rule cards by tier (edit, move, delete, undo), the front matter
 * checked as you type, the text in an editor with a live preview whose citations are evidence badges
 * (a badge opens the run in the review deck), conflicts that can be reversed, versions that can be
 * diffed and restored, and the export into a project folder with a preview of what it writes.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import type { SkillView } from '@shared/contract'
import { parseCitations, renderEdgeCasesMd, renderSkillMd, validateFrontMatter } from '@shared/skill-md'
import { removeRule, restoreRule, TIERS, type Skill, type SkillRule, type Tier } from '@shared/skills'
import { api } from '../api'
import { fmtLocalTime, timeOf } from '../lib/format'
import { useAsync } from '../lib/hooks'
import { ErrorLine } from './ErrorLine'
import { Markdown } from './Markdown'

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
    return new Date(t).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
  } catch {
    return new Date(t).toISOString()
  }
}

const draftKey = (id: string) => `t2s-skill-draft-${id}`
type Draft = Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'conflicts' | 'markdown'>
const draftOf = (s: Skill): Draft => ({ frontMatter: s.frontMatter, title: s.title, whenToUse: s.whenToUse, rules: s.rules, conflicts: s.conflicts, markdown: s.markdown })
const same = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b)

/** Links to the review deck for run n (at the trace line an analyst pointed to, when there is one). */
const runHref = (batchId: string | undefined, n: number, line?: number) => (batchId ? `#/review/${encodeURIComponent(batchId)}/${n}${line ? `/line/${line}` : ''}` : undefined)

export function SkillList() {
  const list = useAsync(() => api().listSkills({}), [])
  if (list.error) return <ErrorLine error={list.error} retry={list.reload} />
  if (!list.data) return <div className="muted pad">Loading…</div>
  return (
    <section className="page" data-testid="skills">
      <h1>Skills</h1>
      {!list.data.length ? <div className="empty">No skills yet. Grade a batch, then Analyse it: the analysts' rules become a skill here.</div> : null}
      {list.data.map((s) => (
        <a key={s.id} className="card skill-link" href={`#/skill/${encodeURIComponent(s.id)}`}>
          <strong>{s.frontMatter.name}</strong> <span className="muted">{s.frontMatter.description}</span>
          <div className="muted small">
            {s.rules.filter((r) => r.tier === 'core').length} core · {s.rules.filter((r) => r.tier === 'guidance').length} guidance · {s.rules.filter((r) => r.tier === 'edge-case').length} edge cases · updated {fmtLocalTime(s.updatedAt)}
          </div>
        </a>
      ))}
    </section>
  )
}

export function SkillPage({ skillId }: { skillId: string }) {
  const loaded = useAsync(() => api().getSkill({ skillId }), [skillId])
  const [view, setView] = useState<SkillView | null>(null)
  useEffect(() => setView(loaded.data ?? null), [loaded.data])
  if (loaded.error) return <ErrorLine error={loaded.error} retry={loaded.reload} />
  if (!view) return <div className="muted pad">Loading…</div>
  return <Composer key={view.skill.id} view={view} onSaved={setView} />
}

function Composer({ view, onSaved }: { view: SkillView; onSaved: (v: SkillView) => void }) {
  const skill = view.skill
  const batchId = skill.batchIds[skill.batchIds.length - 1]
  const saved = useMemo(() => draftOf(skill), [skill])
  const [draft, setDraftState] = useState<Draft>(() => {
    // an unsaved draft from before a reload or a crash comes back
    try {
      const kept = localStorage.getItem(draftKey(skill.id))
      if (kept) return JSON.parse(kept) as Draft
    } catch {
      /* a bad draft is ignored */
    }
    return saved
  })
  const past = useRef<Draft[]>([])
  const future = useRef<Draft[]>([])
  const [, bump] = useState(0)
  const [error, setError] = useState<Error | null>(null)
  const [saving, setSaving] = useState(false)
  /** one line after a save that had nothing to save */
  const [info, setInfo] = useState<string | null>(null)
  const dirty = !same(draft, saved)
  const lastVersion = view.versions[view.versions.length - 1]?.number

  const setDraft = useCallback((next: Draft | ((d: Draft) => Draft), coalesce?: string) => {
    setDraftState((d) => {
      const n = typeof next === 'function' ? next(d) : next
      // typing in one field makes one undo step, not one per key
      const last = past.current[past.current.length - 1] as (Draft & { __k?: string }) | undefined
      if (!coalesce || last?.__k !== coalesce) past.current.push(Object.assign({ ...d }, { __k: coalesce }))
      future.current = []
      return n
    })
    bump((x) => x + 1)
  }, [])
  useEffect(() => {
    if (dirty) localStorage.setItem(draftKey(skill.id), JSON.stringify(draft))
    else localStorage.removeItem(draftKey(skill.id))
  }, [draft, dirty, skill.id])

  const plain = (d: Draft & { __k?: string }): Draft => {
    const { __k: _ignored, ...rest } = d
    return rest
  }
  const undo = () => {
    const prev = past.current.pop()
    if (!prev) return
    future.current.push(draft)
    setDraftState(plain(prev))
    bump((x) => x + 1)
  }
  const redo = () => {
    const next = future.current.pop()
    if (!next) return
    past.current.push(draft)
    setDraftState(next)
    bump((x) => x + 1)
  }
  const save = async (label?: string) => {
    setError(null)
    setInfo(null)
    // nothing to save: no version is made (Ctrl+S on a saved skill)
    if (!dirty) return setInfo(lastVersion ? `Nothing changed since version ${lastVersion}: no new version.` : 'Nothing changed: no new version.')
    setSaving(true)
    try {
      const { frontMatter, title, whenToUse, rules, conflicts, markdown } = draft
      const v = await api().saveSkill({ skillId: skill.id, patch: { frontMatter, title, whenToUse, rules, conflicts, markdown: markdown ?? null }, label })
      localStorage.removeItem(draftKey(skill.id))
      past.current = []
      future.current = []
      onSaved(v)
      setDraftState(draftOf(v.skill))
      if (v.unchangedSince) setInfo(`Nothing changed since version ${v.unchangedSince}: no new version.`)
    } catch (e) {
      setError(e as Error)
    } finally {
      setSaving(false)
    }
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey
      if (!mod) return
      const inField = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement
      if (e.key === 's') {
        e.preventDefault()
        void save()
      } else if (!inField && e.key === 'z' && !e.shiftKey) {
        e.preventDefault()
        undo()
      } else if (!inField && (e.key === 'y' || (e.key === 'z' && e.shiftKey))) {
        e.preventDefault()
        redo()
      }
    }
    window.addEventListener('keydown', onKey)
    const leave = (e: BeforeUnloadEvent) => {
      if (dirty) e.preventDefault()
    }
    window.addEventListener('beforeunload', leave)
    return () => {
      window.removeEventListener('keydown', onKey)
      window.removeEventListener('beforeunload', leave)
    }
  })

  const problems = validateFrontMatter(draft.frontMatter, draft.frontMatter.name)
  const rendered = renderSkillMd({ ...draft })
  const text = draft.markdown ?? rendered
  const edge = renderEdgeCasesMd({ ...draft })
  const updateRule = (id: string, patch: Partial<SkillRule>, coalesce?: string) => setDraft((d) => ({ ...d, rules: d.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) }), coalesce)

  return (
    <section className="page skill" data-testid="skill">
      <div className="crumbs">{batchId ? <a href={`#/analyze/${encodeURIComponent(batchId)}`}>← Analysis</a> : null}</div>
      <div className="skill-bar">
        <h1>{draft.frontMatter.name || 'skill'}</h1>
        <button className="primary" disabled={!dirty || saving} onClick={() => void save()} data-testid="save-skill" title="Save as a new version (Ctrl+S)">
          {saving ? 'Saving…' : dirty ? 'Save version (Ctrl+S)' : 'Saved'}
        </button>
        <button onClick={undo} disabled={!past.current.length} title="Undo (Ctrl+Z)" data-testid="undo">
          Undo
        </button>
        <button onClick={redo} disabled={!future.current.length} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        {dirty ? (
          <>
            <span className="muted">unsaved changes (kept if you close the app)</span>
            <button className="ghost" onClick={() => setDraft(saved)} title="Back to the saved version (Undo brings your edits back)" data-testid="discard-edits">
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
          <input value={draft.frontMatter.name} onChange={(e) => setDraft((d) => ({ ...d, frontMatter: { ...d.frontMatter, name: e.target.value } }), 'name')} data-testid="fm-name" aria-label="Skill name" />
        </label>
        <label className="grow">
          description{' '}
          <input
            value={draft.frontMatter.description}
            onChange={(e) => setDraft((d) => ({ ...d, frontMatter: { ...d.frontMatter, description: e.target.value } }), 'description')}
            data-testid="fm-description"
            aria-label="Skill description"
          />
        </label>
        <label className="grow">
          title <input value={draft.title} onChange={(e) => setDraft((d) => ({ ...d, title: e.target.value }), 'title')} aria-label="Title" />
        </label>
        <label className="grow">
          when to use <input value={draft.whenToUse} onChange={(e) => setDraft((d) => ({ ...d, whenToUse: e.target.value }), 'when')} aria-label="When to use" />
        </label>
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
                    batchId={batchId}
                    onChange={updateRule}
                    // a deleted card stays under Discarded, marked removed, until it is deleted for good
                    onDelete={() => setDraft((d) => ({ ...d, rules: r.removed ? d.rules.filter((x) => x.id !== r.id) : d.rules.map((x) => (x.id === r.id ? removeRule(x) : x)) }))}
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
                        void api()
                          .reverseConflict({ skillId: skill.id, conflictId: c.id })
                          .then((v) => (onSaved(v), setDraftState(draftOf(v.skill))), setError)
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
            SKILL.md {draft.markdown !== undefined ? <span className="badge warn">edited by hand</span> : <span className="muted">(from the rule cards)</span>}
            {draft.markdown !== undefined ? (
              <button className="ghost" onClick={() => setDraft((d) => ({ ...d, markdown: undefined }))} title="Drop the hand edits and show the text made from the cards">
                Rebuild from cards
              </button>
            ) : null}
          </div>
          <textarea className="skill-text" value={text} onChange={(e) => setDraft((d) => ({ ...d, markdown: e.target.value }), 'text')} spellCheck={false} aria-label="SKILL.md text" data-testid="skill-text" />
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
      <Versions view={view} onRestored={(v) => (onSaved(v), setDraftState(draftOf(v.skill)))} />
      <ExportPanel skillId={skill.id} dirty={dirty} problems={problems} />
    </section>
  )
}

function RuleCard({
  rule: r,
  batchId,
  onChange,
  onDelete,
  onRestore
}: {
  rule: SkillRule
  batchId?: string
  onChange: (id: string, p: Partial<SkillRule>, coalesce?: string) => void
  onDelete: () => void
  onRestore: () => void
}) {
  const lineFor = (n: number) => r.pointers.find((p) => p.run === n && p.line)?.line
  return (
    <div className={`rule-card${r.removed ? ' removed' : ''}`} data-testid="rule-card" data-tier={r.tier} data-removed={r.removed ? 'true' : undefined}>
      <textarea value={r.text} rows={2} onChange={(e) => onChange(r.id, { text: e.target.value }, `rule-${r.id}`)} aria-label="Rule" data-testid="rule-text" />
      <div className="rule-meta">
        <span className="evidence">
          {r.evidence.map((n) => (
            <a key={n} className="run-badge" href={runHref(batchId, n, lineFor(n))} title={`Run ${n}: open it in the review deck`} data-testid="evidence-badge">
              {n}
            </a>
          ))}
        </span>
        <span className={`badge prio-${r.priority}`}>{r.priority}</span>
        {r.analysts.map((a) => (
          <span key={a} className="badge">
            {a}
          </span>
        ))}
        {r.guard ? <span className="badge">guard</span> : null}
        {r.existing ? <span className="badge">from the existing skill</span> : null}
        {r.removed ? <span className="badge">removed</span> : null}
        <select value={r.tier} onChange={(e) => onChange(r.id, { tier: e.target.value as Tier, pinnedTier: true, note: 'moved by you', removed: undefined })} aria-label="Move to tier">
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
          <button className="ghost" onClick={onDelete} title="Delete: it goes under Discarded, where it can be restored (Undo brings it back too)" data-testid="delete-rule">
            Delete
          </button>
        )}
      </div>
      {r.note ? <div className="muted small">{r.note}</div> : null}
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
        {c.runs.map((n) => (
          <a key={n} className="run-badge" href={runHref(batchId, n)} title={`Run ${n}: open it in the review deck`}>
            {n}
          </a>
        ))}
      </span>
    )
    at = c.end
  }
  out.push(text.slice(at))
  return out
}

function Versions({ view, onRestored }: { view: SkillView; onRestored: (v: SkillView) => void }) {
  const [picked, setPicked] = useState<string[]>([])
  const [diff, setDiff] = useState<{ skillMd: string; edgeCasesMd: string; identical: boolean } | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const restore = (versionId: string, n: number) =>
    void api()
      .restoreSkillVersion({ versionId })
      .then((r) => {
        setNote(r.unchangedSince ? `Version ${n} is what the skill already is (as version ${r.unchangedSince}): nothing to restore.` : null)
        onRestored(r)
      }, setError)
  useEffect(() => {
    if (picked.length !== 2) return setDiff(null)
    // always the older version against the newer, whichever was ticked first
    const num = (id: string) => view.versions.find((v) => v.id === id)?.number ?? 0
    const [a, b] = [...picked].sort((x, y) => num(x) - num(y))
    void api().diffSkillVersions({ a, b }).then(setDiff, setError)
  }, [picked]) // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <details className="card versions" data-testid="versions">
      <summary>Versions ({view.versions.length}): tick two to diff</summary>
      {view.versions
        .slice()
        .reverse()
        .map((v) => (
          <div key={v.id} className="version">
            <label>
              <input type="checkbox" checked={picked.includes(v.id)} onChange={() => setPicked((p) => (p.includes(v.id) ? p.filter((x) => x !== v.id) : [...p.slice(-1), v.id]))} /> Version {v.number}
            </label>{' '}
            <span className="muted" data-testid="version-time">
              {fmtVersionTime(v.createdAt)} {v.label ? `· ${v.label}` : ''}
            </span>{' '}
            <button className="ghost" onClick={() => restore(v.id, v.number)}>
              Restore
            </button>
          </div>
        ))}
      {diff ? (
        diff.identical ? (
          <div className="muted" data-testid="version-diff" data-identical="true">
            {(() => {
              const [a, b] = picked.map((id) => view.versions.find((v) => v.id === id)?.number).sort((x, y) => (x ?? 0) - (y ?? 0))
              return `Version ${a} and version ${b} are identical (SKILL.md and references/edge-cases.md).`
            })()}
          </div>
        ) : (
          <>
            <pre className="diff" data-testid="version-diff">
              {diff.skillMd}
            </pre>
            <pre className="diff">{diff.edgeCasesMd}</pre>
          </>
        )
      ) : null}
      {note ? <div className="muted">{note}</div> : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </details>
  )
}

function ExportPanel({ skillId, dirty, problems }: { skillId: string; dirty: boolean; problems: string[] }) {
  const [folder, setFolder] = useState('')
  const [plan, setPlan] = useState<Awaited<ReturnType<ReturnType<typeof api>['planSkillExport']>> | null>(null)
  const [result, setResult] = useState<Awaited<ReturnType<ReturnType<typeof api>['exportSkill']>> | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const blocked = dirty ? 'Save your changes first: the export writes the saved version.' : problems.length ? 'Fix the front matter first.' : null
  const preview = () => {
    setResult(null)
    setError(null)
    void api().planSkillExport({ skillId, folder: folder.trim() }).then(setPlan, (e: Error) => (setPlan(null), setError(e)))
  }
  return (
    <div className="card export" data-testid="export">
      <div className="label">Export into a project</div>
      <div className="row-form">
        <input value={folder} onChange={(e) => (setFolder(e.target.value), setPlan(null))} placeholder="/path/to/your/project" aria-label="Project folder" data-testid="export-folder" className="grow" />
        <button onClick={() => void api().pickFolder({}).then((r) => r.path && (setFolder(r.path), setPlan(null)), setError)} title="Choose a folder (desktop app)">
          Choose…
        </button>
        <button disabled={!folder.trim() || !!blocked} onClick={preview} data-testid="export-preview">
          Preview
        </button>
      </div>
      {blocked ? <div className="muted">{blocked}</div> : null}
      {plan ? (
        <div data-testid="export-plan">
          <div className="muted">Into {plan.folder}:</div>
          <ul className="file-tree">
            {plan.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className={`badge status-${f.status}`}>{f.status === 'changed' ? 'replaces the file there (backed up)' : f.status === 'same' ? 'already there, identical' : 'new'}</span>
                {f.diff ? (
                  <details>
                    <summary className="muted small">diff against the file there</summary>
                    <pre className="diff">{f.diff}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
          <button className="primary" onClick={() => void api().exportSkill({ skillId, folder: folder.trim() }).then((r) => (setResult(r), setPlan(null)), setError)} data-testid="export-write">
            Export {plan.files.filter((f) => f.status !== 'same').length} files
          </button>
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
