/**
 * The merge's topics: the reference files the rarer rules go to (src/shared/skill-references.ts). The
 * model names them and gives each group one; the app keeps them safe and bounded: names made into file
 * names, at most MAX_TOPICS new ones (those of the skill being deepened are carried forward), and a rule
 * with no topic or an unknown one goes to "edge-cases". A merge that names no topic (and deepens a skill
 * with none) gives no topics at all: the skill keeps its one edge-cases.md. Pure; Electron-free.
 */
import { MAX_TOPICS, normalizeTopics, topicOf } from '../../../shared/skill-references'
import type { SkillRule, SkillTopic } from '../../../shared/skills'

/** The skill's topics after a merge: the deepened skill's first (all kept), then the model's new ones up to MAX_TOPICS in all. */
export function mergedTopics(
  existing: readonly Partial<SkillTopic>[] | undefined,
  named: readonly Partial<SkillTopic>[] | null | undefined
) {
  const kept = normalizeTopics(existing)
  const all = normalizeTopics([...kept, ...(named ?? [])])
  return all.slice(0, Math.max(MAX_TOPICS, kept.length))
}

/** Every rule with a topic among `topics` (its own when known, else "edge-cases"); with no topics, none has one. */
export function withTopics(rules: SkillRule[], topics: SkillTopic[]): SkillRule[] {
  if (!topics.length) return rules.map(({ topic: _topic, ...r }) => r)
  const names = new Set(topics.map((t) => t.name))
  return rules.map((r) => ({ ...r, topic: topicOf(r, names) }))
}
