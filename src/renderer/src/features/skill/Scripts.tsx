/**
 * The composer's Scripts: each helper the good runs kept writing, proposed as scripts/<name> with the
 * rule that says when to run it. Its name, the runs it came from, that rule, its content (a run's real
 * file: untrusted text a future agent may execute, shown inert in an editor and flagged like the rules),
 * a tick to include it in the export (off until the person read it), and removing it. Edits go to the
 * rule (the composer's draft: saved as a version, undone with the other edits).
 */
import { scriptMention, scriptPath } from '@shared/skill-scripts'
import type { SkillRule } from '@shared/skills'
import { RunBadges } from '../../components/RunBadge'
import { MarkdownEditor } from '../../components/MarkdownEditor'
import { TextFlagsNote } from '../../components/TextFlags'

export const NOTE_SCRIPT_REMOVED = 'removed by you'

export function Scripts({
  rules,
  skillId,
  batchId,
  onChange
}: {
  rules: SkillRule[]
  skillId: string
  batchId?: string
  onChange: (id: string, p: Partial<SkillRule>, coalesce?: string) => void
}) {
  const withScript = rules.filter((r) => r.script)
  const notes = rules.filter((r) => !r.script && r.scriptNote)
  if (!withScript.length && !notes.length) return null
  return (
    <div className="tier scripts" data-testid="scripts">
      <h3>
        Scripts <span className="muted">{withScript.length}</span>
      </h3>
      <p className="muted small">
        Helpers good runs kept writing, taken from their real files. An agent may run them: read each one, then tick it to export it as
        scripts/&lt;name&gt; with its run bit.
      </p>
      {withScript.map((r) => {
        const s = r.script!
        const live = r.tier !== 'discarded'
        const mention = scriptMention({ ...r, script: { ...s, include: true } })
        return (
          <div key={r.id} className="card script" data-testid="script">
            <div className="script-head">
              <code data-testid="script-name">{scriptPath(s.name)}</code>{' '}
              {s.runs.length ? (
                <span className="muted small">
                  from{' '}
                  <RunBadges
                    batchId={s.batchId ?? batchId}
                    runs={s.runs}
                    from={{ skillId, ruleId: r.id }}
                    counts={false}
                    testId="script-badge"
                  />
                </span>
              ) : null}
            </div>
            <div className="small" data-testid="script-rule">
              When: <q>{r.text}</q>
              {mention ? <span className="muted"> (SKILL.md adds: {mention})</span> : null}
            </div>
            {!live ? (
              <div className="muted small" data-testid="script-discarded">
                Its rule is discarded: the script is not exported.
              </div>
            ) : null}
            {!s.include && r.text.includes(scriptPath(s.name)) ? (
              <div className="muted small" data-testid="script-dangling">
                The rule names {scriptPath(s.name)}: include the script, or the exported skill points to a file it does not have.
              </div>
            ) : null}
            <MarkdownEditor
              plain
              value={s.content}
              onChange={(t) => onChange(r.id, { script: { ...s, content: t } }, `script-${r.id}`)}
              label={`Script ${scriptPath(s.name)}`}
              testId="script-content"
            />
            <TextFlagsNote text={s.content} batchId={batchId} what="this script" />
            <div className="script-actions">
              <label className="small">
                <input
                  type="checkbox"
                  checked={s.include}
                  onChange={(e) => onChange(r.id, { script: { ...s, include: e.target.checked } })}
                  data-testid="script-include"
                  aria-label={`Include ${scriptPath(s.name)} in the export`}
                />{' '}
                Include in the export
              </label>
              <button
                className="ghost small"
                onClick={() => onChange(r.id, { script: undefined, scriptNote: `Script ${scriptPath(s.name)}: ${NOTE_SCRIPT_REMOVED}.` })}
                data-testid="remove-script"
              >
                Remove the script
              </button>
            </div>
          </div>
        )
      })}
      {notes.length ? (
        <details data-testid="script-notes">
          <summary className="muted small">Scripts not kept ({notes.length})</summary>
          <ul className="small">
            {notes.map((r) => (
              <li key={r.id}>
                {r.scriptNote} <span className="muted">(rule: {r.text})</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  )
}
