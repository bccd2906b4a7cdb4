/**
 * Step 4: merging the analysts' rules into one set of skill rules. The model only says which rules
 * say the same thing (groups) and which groups contradict each other; everything else (evidence
 * unions, tiers, conflict winners, the 30-rule cap) is computed here, deterministically.
 *
 * Pure: no I/O, no Electron; inputs are never mutated.
 */
import {
  ANALYSTS,
  isGuard,
  MAX_MAIN_RULES,
  tierFor,
  type AnalystRule,
  type Conflict,
  type Priority,
  type SkillRule,
  type Tier
} from '../../shared/skills'

export interface MergeGroup {
  /** analyst rule ids that say the same thing */
  members: string[]
  /** one wording for all of them */
  wording: string
}

export interface Contradiction {
  /** indexes into groups (existing rules follow at groups.length + i) */
  a: number
  b: number
  why: string
}

export type ExistingTier = 'core' | 'guidance' | 'edge-case'

export interface MergeInput {
  /** accepted analyst rules (ids unique) */
  rules: AnalystRule[]
  /** from a model; may be incomplete or wrong */
  groups: MergeGroup[]
  contradictions: Contradiction[]
  /** deepen mode: rules of the SKILL.md being improved */
  existing?: { text: string; tier: ExistingTier }[]
  /** default: deterministic ids r1, r2, ... (conflicts then get c1, c2, ...) */
  newId?: () => string
}

export interface MergeResult {
  rules: SkillRule[]
  conflicts: Conflict[]
  warnings: string[]
}

export const NOTE_EXISTING = 'kept from the existing SKILL.md'
export const NOTE_CAP = `moved down: the main file holds at most ${MAX_MAIN_RULES} rules`

const TIER_RANK: Record<Tier, number> = { core: 0, guidance: 1, 'edge-case': 2, discarded: 3 }
const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 }

/** Code-point order, the same on every machine (no locale). */
const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((x, y) => x - y)

/**
 * Existing rules have no evidence, so their tier "as given" cannot be recomputed; it is kept in
 * their reasons (visible, and it survives a round trip through the skill schema).
 */
export function existingReason(tier: ExistingTier): string {
  return `in the existing SKILL.md as ${tier === 'edge-case' ? 'an' : 'a'} ${tier} rule`
}
function existingTier(rule: SkillRule): ExistingTier {
  for (const r of rule.reasons) {
    const m = /^in the existing SKILL\.md as an? (core|guidance|edge-case) rule$/.exec(r)
    if (m) return m[1] as ExistingTier
  }
  // not ours: its current tier when that is not the work of a conflict or the cap
  if (rule.tier !== 'discarded' && rule.note !== NOTE_CAP) return rule.tier
  return 'guidance'
}

export function mergeRules(input: MergeInput): MergeResult {
  const warnings: string[] = []
  let ruleCounter = 0
  let conflictCounter = 0
  const newRuleId = input.newId ?? (() => `r${++ruleCounter}`)
  const newConflictId = input.newId ?? (() => `c${++conflictCounter}`)

  const byId = new Map<string, AnalystRule>()
  for (const r of input.rules) {
    if (byId.has(r.id)) warnings.push(`analyst rule "${r.id}" appears twice; kept the first`)
    else byId.set(r.id, r)
  }

  // 1. groups: known ids only, each rule in its first group only
  const placed = new Map<string, number>() // analyst rule id -> group index
  const rules: SkillRule[] = []
  /** contradiction index -> the merged rule (undefined: dropped group) */
  const addressable: (SkillRule | undefined)[] = []
  input.groups.forEach((g, gi) => {
    const members: AnalystRule[] = []
    for (const id of g.members ?? []) {
      const r = byId.get(id)
      if (!r) {
        warnings.push(`group ${gi}: unknown rule id "${id}" ignored`)
        continue
      }
      const first = placed.get(id)
      if (first !== undefined) {
        warnings.push(
          first === gi
            ? `group ${gi}: rule "${id}" is listed twice`
            : `group ${gi}: rule "${id}" is already in group ${first}; kept it there only`
        )
        continue
      }
      placed.set(id, gi)
      members.push(r)
    }
    if (members.length === 0) {
      warnings.push(`group ${gi} has no known rules; dropped`)
      addressable.push(undefined)
      return
    }
    const rule = mergeGroup(newRuleId(), members, g.wording)
    rules.push(rule)
    addressable.push(rule)
  })

  // 2. rules the model left out: each its own group
  for (const r of byId.values()) {
    if (placed.has(r.id)) continue
    rules.push(mergeGroup(newRuleId(), [r], r.rule))
  }

  // 3. deepen mode: the existing SKILL.md's rules, addressable after the groups
  const existingRules = new Set<string>()
  ;(input.existing ?? []).forEach((e, ei) => {
    if (typeof e.text !== 'string' || e.text.trim() === '') {
      warnings.push(`existing rule ${ei} (group ${input.groups.length + ei}) has no text; dropped`)
      addressable.push(undefined)
      return
    }
    const rule: SkillRule = {
      id: newRuleId(),
      text: e.text.trim(),
      evidence: [],
      priority: 'medium',
      tier: e.tier,
      sources: [],
      analysts: [],
      reasons: [existingReason(e.tier)],
      pointers: [],
      guard: false,
      existing: true,
      pinnedTier: false,
      note: NOTE_EXISTING
    }
    existingRules.add(rule.id)
    rules.push(rule)
    addressable.push(rule)
  })

  // 4. contradictions
  const conflicts: Conflict[] = []
  const seenPairs = new Set<string>()
  input.contradictions.forEach((c, ci) => {
    const bad = (why: string) => warnings.push(`contradiction ${ci} (${c.a}, ${c.b}): ${why}; ignored`)
    const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < addressable.length
    if (!valid(c.a) || !valid(c.b)) return bad('no such group')
    if (c.a === c.b) return bad('a group cannot contradict itself')
    const ra = addressable[c.a]
    const rb = addressable[c.b]
    if (!ra || !rb) return bad(`group ${ra ? c.b : c.a} was dropped`)
    const pair = [ra.id, rb.id].sort().join('\u0000')
    if (seenPairs.has(pair)) return bad('the same two groups already conflict')
    const ea = existingRules.has(ra.id)
    const eb = existingRules.has(rb.id)
    if (ea && eb) return bad('two existing rules; nothing to decide with')

    const why = (c.why ?? '').trim()
    let winner: SkillRule
    let loser: SkillRule
    let decision: string
    if (ea || eb) {
      winner = ea ? rb : ra
      loser = ea ? ra : rb
      if (winner.evidence.length < 1) return bad('no run evidence against the existing rule')
      decision = `evidence from ${plural(winner.evidence.length, 'run')} against the existing rule`
    } else {
      const na = ra.evidence.length
      const nb = rb.evidence.length
      const pa = PRIORITY_RANK[ra.priority]
      const pb = PRIORITY_RANK[rb.priority]
      if (na !== nb) {
        ;[winner, loser] = na > nb ? [ra, rb] : [rb, ra]
        decision = `${plural(winner.evidence.length, 'run')} against ${loser.evidence.length}`
      } else if (pa !== pb) {
        ;[winner, loser] = pa < pb ? [ra, rb] : [rb, ra]
        decision = `tie at ${plural(na, 'run')}: ${winner.priority} priority against ${loser.priority}`
      } else {
        ;[winner, loser] = c.a < c.b ? [ra, rb] : [rb, ra]
        decision = 'tie: kept the first'
      }
    }
    seenPairs.add(pair)
    conflicts.push({ id: newConflictId(), a: ra.id, b: rb.id, why, winner: winner.id, loser: loser.id, decision, reversed: false })
  })

  return { rules: retier(rules, conflicts), conflicts, warnings }
}

function mergeGroup(id: string, members: AnalystRule[], wording: string | undefined): SkillRule {
  let text = (wording ?? '').trim()
  if (text === '') {
    let best = members[0]
    for (const m of members) if (new Set(m.evidence).size > new Set(best.evidence).size) best = m
    text = best.rule.trim()
  }
  const evidence = uniqueSorted(members.flatMap((m) => m.evidence))
  let priority: Priority = 'low'
  for (const m of members) if (PRIORITY_RANK[m.priority] < PRIORITY_RANK[priority]) priority = m.priority
  const present = new Set(members.map((m) => m.analyst))
  return {
    id,
    text,
    evidence,
    priority,
    tier: tierFor(evidence.length),
    sources: members.map((m) => m.id),
    analysts: ANALYSTS.filter((a) => present.has(a)),
    reasons: members.map((m) => m.reason).filter((r) => typeof r === 'string' && r.trim() !== ''),
    pointers: members.flatMap((m) => (m.pointers ?? []).map((p) => ({ ...p }))),
    // a guard from the edge analyst, and only while the merged wording still reads as one
    guard: members.some((m) => m.analyst === 'edge') && isGuard(text),
    existing: false,
    pinnedTier: false
  }
}

/**
 * Recomputes every tier: evidence tiers for merged rules, the given tier for existing rules, then
 * the conflicts' losers, then the cap. Rules the person pinned keep their tier (and note). Returns a
 * new array, sorted; the input is not touched.
 */
export function retier(rules: SkillRule[], conflicts: Conflict[]): SkillRule[] {
  const out: SkillRule[] = rules.map((r) => {
    const copy: SkillRule = { ...r }
    if (r.pinnedTier) return copy
    if (r.existing) {
      copy.tier = existingTier(r)
      copy.note = NOTE_EXISTING
    } else {
      copy.tier = tierFor(new Set(r.evidence).size)
      delete copy.note
    }
    return copy
  })
  const byId = new Map(out.map((r) => [r.id, r]))

  // conflicts: the loser (after any reversal, `loser` names the current one) is discarded
  const lost = new Set<string>()
  for (const c of conflicts) {
    const winner = byId.get(c.winner)
    const loser = byId.get(c.loser)
    if (!winner || !loser || winner === loser || loser.pinnedTier || lost.has(loser.id)) continue
    lost.add(loser.id)
    loser.tier = 'discarded'
    loser.note = `lost a conflict with "${winner.text}": ${c.why}`
  }

  // the cap: at most MAX_MAIN_RULES in core + guidance; pinned rules rank first and never move
  const main = out.filter((r) => r.tier === 'core' || r.tier === 'guidance')
  main.sort((x, y) => Number(y.pinnedTier) - Number(x.pinnedTier) || compareRank(x, y))
  for (const r of main.slice(MAX_MAIN_RULES)) {
    if (r.pinnedTier) continue
    r.tier = 'edge-case'
    r.note = NOTE_CAP
  }

  return out.sort(compareOutput)
}

/** Flips the winner and loser of one conflict (reversed = !reversed), then retiers. */
export function reverseConflict(
  rules: SkillRule[],
  conflicts: Conflict[],
  conflictId: string
): { rules: SkillRule[]; conflicts: Conflict[] } {
  if (!conflicts.some((c) => c.id === conflictId)) throw new Error(`no conflict with id "${conflictId}"`)
  const next = conflicts.map((c) => (c.id === conflictId ? { ...c, winner: c.loser, loser: c.winner, reversed: !c.reversed } : { ...c }))
  return { rules: retier(rules, next), conflicts: next }
}

/** Main-file rank: tier, evidence desc, priority, text, id. */
function compareRank(x: SkillRule, y: SkillRule): number {
  return (
    TIER_RANK[x.tier] - TIER_RANK[y.tier] ||
    new Set(y.evidence).size - new Set(x.evidence).size ||
    PRIORITY_RANK[x.priority] - PRIORITY_RANK[y.priority] ||
    cmpText(x.text, y.text) ||
    cmpText(x.id, y.id)
  )
}

/** Output order: tier, evidence desc, text, id. */
function compareOutput(x: SkillRule, y: SkillRule): number {
  return (
    TIER_RANK[x.tier] - TIER_RANK[y.tier] ||
    new Set(y.evidence).size - new Set(x.evidence).size ||
    cmpText(x.text, y.text) ||
    cmpText(x.id, y.id)
  )
}
