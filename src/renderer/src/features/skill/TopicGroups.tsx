/**
 * The edge cases by reference file (topic): each topic's file name, title and "when to read it"
 * editable, its rule cards under it. A topic with no edge case writes no file (it says so). The
 * edits go into the composer's draft (undo as any other edit).
 */
import { useEffect, useState, type ReactNode } from 'react'
import { rawTopic, topicGroups, type TopicGroup } from '@shared/skill-references'
import type { SkillRule, SkillTopic } from '@shared/skills'
import { AutoTextarea } from '../../components/AutoTextarea'

export interface TopicEdits {
  edit: (name: string, patch: Partial<Pick<SkillTopic, 'title' | 'when'>>, coalesce?: string) => void
  rename: (name: string, to: string) => void
  add: (ruleId?: string) => void
}

export function TopicGroups({
  draft,
  rules,
  edits,
  card
}: {
  draft: { topics?: SkillTopic[]; rules: SkillRule[] }
  /** the edge-case rules shown */
  rules: SkillRule[]
  edits: TopicEdits
  card: (r: SkillRule) => ReactNode
}) {
  // a skill without topics: its one edge-cases.md, editable too (it gets topics then)
  const groups: TopicGroup[] = topicGroups({ topics: draft.topics, rules }) ?? [
    { name: 'edge-cases', title: 'edge cases', when: '', rules }
  ]
  return (
    <div className="topic-groups" data-testid="topic-groups">
      {groups.map((g) => {
        // the title and "when" as typed
        const raw = rawTopic(draft, g.name)
        return (
          <div key={g.name} className="topic-group" data-testid="topic-group" data-topic={g.name}>
            <div className="topic-head">
              <label className="small">
                references/
                <TopicName name={g.name} onRename={(to) => edits.rename(g.name, to)} />
                .md
              </label>
              <label className="small">
                title{' '}
                <input
                  value={raw?.title ?? g.title}
                  onChange={(e) => edits.edit(g.name, { title: e.target.value }, `topic-title-${g.name}`)}
                  aria-label={`Title of references/${g.name}.md`}
                  data-testid="topic-title"
                />
              </label>
              <label className="small grow">
                read it when{' '}
                <AutoTextarea
                  value={raw?.when ?? ''}
                  placeholder={g.when || 'a situation is rarer than the rules above cover'}
                  onChange={(e) => edits.edit(g.name, { when: e.target.value }, `topic-when-${g.name}`)}
                  aria-label={`When to read references/${g.name}.md`}
                  data-testid="topic-when"
                />
              </label>
              {g.rules.length ? null : <span className="muted small">no edge case in it: no file is written</span>}
            </div>
            {g.rules.map((r) => card(r))}
          </div>
        )
      })}
      <button className="ghost small" onClick={() => edits.add()} data-testid="add-topic" title="A new reference file for edge cases">
        Add a topic
      </button>
    </div>
  )
}

/** A topic's file name: typed freely, renamed (made a safe name) when the field is left or Enter is pressed. */
function TopicName({ name, onRename }: { name: string; onRename: (to: string) => void }) {
  const [value, setValue] = useState(name)
  useEffect(() => setValue(name), [name])
  const commit = () => {
    if (value.trim() && value !== name) onRename(value)
    setValue(name)
  }
  return (
    <input
      className="topic-name"
      value={value}
      size={Math.max(8, value.length)}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit()
      }}
      aria-label={`File name of references/${name}.md`}
      data-testid="topic-name"
    />
  )
}
