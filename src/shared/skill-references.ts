/**
 * References by topic: a skill's edge cases go into a few topic files (references/<name>.md), each
 * linked from SKILL.md with "Read references/<name>.md when <when>." The merge names the topics; a rule
 * with no topic, or one no topic of the skill has, goes to "edge-cases". Topic names come from models
 * and people: they are made into safe file names here, and never used as paths as they were given. A
 * skill with no topics (older ones, pasted ones) keeps its one references/edge-cases.md.
 *
 * Pure and shared with the renderer: no Node imports. Rendering the files: skill-md.ts.
 */
import type { Skill, SkillFile, SkillRule, SkillTopic, SkillVersion } from './skills'

/** The topic a rule goes to when it has none the skill knows; also the one file of a skill without topics. */
export const EDGE_CASES_TOPIC = 'edge-cases'
/** The most topics the merge names. */
export const MAX_TOPICS = 5
/** The longest topic name (a file name, without .md). */
export const TOPIC_NAME_MAX = 64

const DEFAULT_TITLE = 'edge cases'
const DEFAULT_WHEN = 'a situation is rarer than the rules above cover'

/**
 * A slug of any text: "Forms & Inputs!" -> "forms-inputs", "../x" -> "x"; "" when nothing is left.
 * `keepCase` (a script's name): letters keep their case, '_' stays, and an apostrophe is one more '-'.
 */
export function toSlug(text: string, max = TOPIC_NAME_MAX, opts: { keepCase?: boolean } = {}): string {
  const plain = String(text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
  return (
    opts.keepCase
      ? plain.replace(/[^A-Za-z0-9_]+/g, '-')
      : plain
          .toLowerCase()
          .replace(/['\u2019]/g, '')
          .replace(/[^a-z0-9]+/g, '-')
  )
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '')
}

/** Untrusted text on one line, trimmed. */
const flat = (s: unknown) => (typeof s === 'string' ? s : '').replace(/[\s\u0085]+/g, ' ').trim()

/** A "when" clause as it follows "Read ... when": without a leading "when" or "read this when", nor a final full stop. */
export function whenClause(s: unknown): string {
  return flat(s)
    .replace(/^(?:read (?:it|this|this file|the file)\s+)?when\b[:,]?\s*/i, '')
    .replace(/[.\s]+$/, '')
}

/**
 * Topics as a skill keeps them: names made safe and unique (the first of a name wins), titles and "when"
 * on one line; one with neither name nor title is dropped. `max`: the most kept.
 */
export function normalizeTopics(list: readonly Partial<SkillTopic>[] | null | undefined, max = Infinity): SkillTopic[] {
  const out: SkillTopic[] = []
  for (const t of list ?? []) {
    if (out.length >= max) break
    if (!t || typeof t !== 'object') continue
    const name = toSlug(flat(t.name)) || toSlug(flat(t.title))
    if (!name || out.some((x) => x.name === name)) continue
    out.push({ name, title: flat(t.title).slice(0, 300) || name.replace(/-/g, ' '), when: whenClause(t.when).slice(0, 1000) })
  }
  return out
}

/** The topic a rule goes to among `names` (already normalized): its own when the skill has it, else "edge-cases". */
export function topicOf(rule: Pick<SkillRule, 'topic'>, names: ReadonlySet<string>): string {
  const own = toSlug(rule.topic ?? '')
  return own && names.has(own) ? own : EDGE_CASES_TOPIC
}

/** A reference file of a skill with topics: the topic, and its edge-case rules in the skill's order. */
export interface TopicGroup<R extends Pick<SkillRule, 'tier' | 'topic'> = SkillRule> extends SkillTopic {
  rules: R[]
}

/** Whether a skill has topics (else it renders one references/edge-cases.md, as before topics). */
export const hasTopics = (skill: { topics?: readonly SkillTopic[] }) => normalizeTopics(skill.topics).length > 0

/**
 * Every topic of a skill, the fallback "edge-cases" last unless the skill names it, each with its
 * edge-case rules (a topic may have none: it renders no file). null for a skill without topics.
 */
export function topicGroups<R extends Pick<SkillRule, 'tier' | 'topic'>>(skill: {
  topics?: readonly SkillTopic[]
  rules: readonly R[]
}): TopicGroup<R>[] | null {
  const topics = normalizeTopics(skill.topics)
  if (!topics.length) return null
  if (!topics.some((t) => t.name === EDGE_CASES_TOPIC)) topics.push({ name: EDGE_CASES_TOPIC, title: DEFAULT_TITLE, when: DEFAULT_WHEN })
  const names = new Set(topics.map((t) => t.name))
  const edge = skill.rules.filter((r) => r.tier === 'edge-case')
  return topics.map((t) => ({ ...t, when: t.when || DEFAULT_WHEN, rules: edge.filter((r) => topicOf(r, names) === t.name) }))
}

/** SKILL.md's line for one reference file: "Read [references/forms.md](references/forms.md) when the page has a form." */
export const referenceLink = (t: Pick<SkillTopic, 'name' | 'when'>) =>
  `Read [references/${t.name}.md](references/${t.name}.md) when ${whenClause(t.when) || DEFAULT_WHEN}.`

/** A version's reference files: those it stored, or for a version saved before topics its one edge-cases.md (when it had edge cases). */
export function versionReferences(v: Pick<SkillVersion, 'edgeCasesMd' | 'references' | 'state'>): SkillFile[] {
  if (v.references) return v.references
  const rules = (v.state as Partial<Skill> | undefined)?.rules
  return rules?.some((r) => r.tier === 'edge-case') && v.edgeCasesMd.trim() ? [{ name: EDGE_CASES_TOPIC, content: v.edgeCasesMd }] : []
}

// ---------------------------------------------------------------------------------------------
// The composer's edits (pure: a new skill draft from the old)

type Draftish = { topics?: SkillTopic[]; rules: SkillRule[] }

/** The topics a draft shows: its own, or for a skill without topics the one "edge-cases" file it has. */
export const draftTopics = (d: Draftish): SkillTopic[] =>
  (topicGroups(d) ?? [{ name: EDGE_CASES_TOPIC, title: DEFAULT_TITLE, when: DEFAULT_WHEN, rules: [] }]).map(({ name, title, when }) => ({
    name,
    title,
    when
  }))

/** A draft's topic as typed (not yet made tidy), by its name. */
export const rawTopic = (d: { topics?: SkillTopic[] }, name: string) => d.topics?.find((t) => toSlug(t.name) === name)

/** A topic's title or "when" changed, as typed (a skill without topics gets its topics then). */
export function editTopic<D extends Draftish>(d: D, name: string, patch: Partial<Pick<SkillTopic, 'title' | 'when'>>): D {
  const topics = d.topics?.length ? d.topics : draftTopics(d)
  const all = topics.some((t) => toSlug(t.name) === name) ? topics : [...topics, ...draftTopics(d).filter((t) => t.name === name)]
  return { ...d, topics: all.map((t) => (toSlug(t.name) === name ? { ...t, ...patch } : t)) }
}

/** A rule moved to another topic. */
export function moveToTopic<D extends Draftish>(d: D, ruleId: string, name: string): D {
  return { ...d, topics: d.topics ?? draftTopics(d), rules: d.rules.map((r) => (r.id === ruleId ? { ...r, topic: name } : r)) }
}

/** A new topic ("new-topic", "new-topic-2"...), with `ruleId` moved to it when given. */
export function addTopic<D extends Draftish>(d: D, ruleId?: string): { draft: D; name: string } {
  const taken = draftTopics(d)
  let name = 'new-topic'
  for (let n = 2; taken.some((t) => t.name === name); n++) name = `new-topic-${n}`
  // after the skill's own topics (the fallback edge-cases stays last unless the skill named it)
  const next = { ...d, topics: [...(d.topics?.length ? d.topics : taken), { name, title: 'New topic', when: '' }] }
  return { draft: ruleId ? moveToTopic(next, ruleId, name) : next, name }
}

/** A topic renamed (its file name, made safe); its rules follow it. Refused (the draft as it is) for a name taken or empty. */
export function renameTopic<D extends Draftish>(d: D, name: string, to: string): D {
  const slug = toSlug(to)
  const topics = draftTopics(d)
  if (!slug || slug === name || topics.some((t) => t.name === slug)) return d
  const names = new Set(topics.map((t) => t.name))
  return {
    ...d,
    topics: topics.map((t) => (t.name === name ? { ...t, name: slug } : t)),
    rules: d.rules.map((r) => (r.tier === 'edge-case' || r.topic ? (topicOf(r, names) === name ? { ...r, topic: slug } : r) : r))
  }
}
