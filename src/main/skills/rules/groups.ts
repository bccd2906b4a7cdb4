/**
 * A merge in two levels, for runs analysed in groups (as the Trace2Skill paper does): first each
 * group's rules are consolidated on their own, then the groups' results together; the app keeps track
 * of the analysts' original rules behind each consolidated one, so the skill's rules cite them as if
 * merged in one go. Pure; Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { ANALYSTS, isGuard, type AnalystRule, type SkillRule } from '../../../shared/skills'
import { mergeRules } from './consolidate'
import { sameAsExisting, type MergeAnswer } from './schema'

/** The rules of runs analysed in groups, by their group (a field of the rule; rules of no group are left out). */
export function rulesByGroup(rules: AnalystRule[]): Map<number, AnalystRule[]> {
  const byGroup = new Map<number, AnalystRule[]>()
  for (const r of rules) if (r.group !== undefined) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r])
  return byGroup
}

/** Whether the groups are consolidated first: more than one group, with two rules a group or more on average. */
export const twoLevels = (byGroup: Map<number, AnalystRule[]>, rules: AnalystRule[]) => byGroup.size > 1 && byGroup.size * 2 <= rules.length

/** One group's first consolidation: the model's answer for its rules (null: it failed, its rules go on one by one). */
export interface GroupAnswer {
  g: number
  list: AnalystRule[]
  answer: MergeAnswer | null
}

/**
 * The first level's result as rules for the final merge (ids `L1-g<group>-<n>`), with the analysts'
 * rules each stands for (`origin`); rules of no group go on as they are.
 */
export function firstLevel(rules: AnalystRule[], answers: GroupAnswer[]): { level2: AnalystRule[]; origin: Map<string, AnalystRule[]> } {
  const level2: AnalystRule[] = []
  const origin = new Map<string, AnalystRule[]>()
  for (const { g, list, answer } of answers) {
    const local = mergeRules({
      rules: list,
      groups: (answer?.groups ?? []).map((g) => sameAsExisting(g, 0)),
      contradictions: [],
      newId: () => randomUUID()
    })
    for (const m of local.rules) {
      const members = list.filter((r) => m.sources.includes(r.id))
      const id = `L1-g${g}-${level2.length + 1}`
      origin.set(id, members)
      level2.push({
        id,
        analyst: members[0].analyst,
        group: g,
        rule: m.text,
        evidence: m.evidence,
        priority: m.priority,
        reason: m.reasons.join(' | ').slice(0, 4000),
        pointers: m.pointers.slice(0, 50),
        // the group's why and best example go on to the final merge
        ...(m.why ? { why: m.why } : {}),
        ...(m.example ? { example: { ...m.example, runs: [...m.example.runs] } } : {})
      })
      // (a first level's topics are not the skill's: the final merge names them)
    }
  }
  level2.push(...rules.filter((r) => r.group === undefined))
  return { level2, origin }
}

/** The merged rules back to the analysts' own rules: sources, analysts and guards as if merged in one go. */
export function backToAnalysts(merged: SkillRule[], origin: Map<string, AnalystRule[]>, level2: AnalystRule[]): SkillRule[] {
  return merged.map((r) => {
    const members = r.sources.flatMap((id) => origin.get(id) ?? level2.filter((x) => x.id === id))
    if (!members.length) return r
    return {
      ...r,
      sources: members.map((m) => m.id),
      analysts: ANALYSTS.filter((k) => members.some((m) => m.analyst === k)),
      guard: members.some((m) => m.analyst === 'edge') && isGuard(r.text)
    }
  })
}
