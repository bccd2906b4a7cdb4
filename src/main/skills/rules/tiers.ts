/**
 * The tiers of a skill's rules, computed, never asked of a model: evidence tiers for merged rules, the
 * tier given in the SKILL.md for existing ones (or higher when runs say so), conflicts' losers
 * discarded, and the cap on the main file. Used by the merge (consolidate.ts) and by every edit of a
 * skill (a pinned tier, a reversed conflict), with the thresholds the skill was tiered with. Pure: no I/O, no Electron; inputs are never mutated.
 */
import {
  MAX_MAIN_RULES,
  tierFor,
  type Conflict,
  type Priority,
  type SkillRule,
  type Tier,
  type TierThresholds
} from '../../../shared/skills'

export type ExistingTier = 'core' | 'guidance' | 'edge-case'

export const NOTE_EXISTING = 'kept from the existing SKILL.md'
export const NOTE_CAP = `moved down: the main file holds at most ${MAX_MAIN_RULES} rules`

export const TIER_RANK: Record<Tier, number> = { core: 0, guidance: 1, 'edge-case': 2, discarded: 3 }
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 }

/** Code-point order, the same on every machine (no locale). */
const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
export const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((x, y) => x - y)

/**
 * Existing rules have no evidence, so their tier "as given" cannot be recomputed; it is kept in
 * their reasons (visible, and it survives a round trip through the skill schema).
 */
export function existingReason(tier: ExistingTier): string {
  return `in the existing SKILL.md as ${tier === 'edge-case' ? 'an' : 'a'} ${tier} rule`
}
function existingTier(rule: SkillRule): ExistingTier {
  let best: ExistingTier | undefined
  for (const r of rule.reasons) {
    const m = /^in the existing SKILL\.md as an? (core|guidance|edge-case) rule$/.exec(r)
    if (m && (!best || TIER_RANK[m[1] as ExistingTier] < TIER_RANK[best])) best = m[1] as ExistingTier
  }
  if (best) return best
  // not ours: its current tier when that is not the work of a conflict or the cap
  if (rule.tier !== 'discarded' && !rule.note?.startsWith(NOTE_CAP)) return rule.tier
  return 'guidance'
}

/**
 * The tier a rule kept from a SKILL.md was given there, before any demotion (a merge again from the
 * same verification, a retry, starts from it: a demotion is not applied twice).
 */
export const givenTier = (rule: SkillRule): ExistingTier => existingTier(rule)

/** Every run a rule cites: its own batch's and the earlier batches'. */
export const citedRuns = (r: Pick<SkillRule, 'evidence' | 'earlier'>) =>
  new Set(r.evidence).size + (r.earlier ?? []).reduce((n, c) => n + new Set(c.runs).size, 0)

const betterTier = (a: ExistingTier, b: Tier): ExistingTier => (b !== 'discarded' && TIER_RANK[b] < TIER_RANK[a] ? b : a)

/**
 * A rule's tier by its runs against the thresholds in use (none: the seed's); a guard's also by its runs
 * among the hard and adversarial ones against theirs, whichever is higher.
 */
export function evidenceTier(r: Pick<SkillRule, 'evidence' | 'guard'>, runs: number, tiers?: TierThresholds): Tier {
  const byAll = tierFor(runs, tiers)
  const g = tiers?.guards
  if (!r.guard || !g) return byAll
  const hard = new Set(g.hardRuns)
  const byHard = tierFor(new Set(r.evidence.filter((n) => hard.has(n))).size, g)
  return TIER_RANK[byHard] < TIER_RANK[byAll] ? byHard : byAll
}

/**
 * Recomputes every tier: evidence tiers for merged rules, the given tier for existing rules, then
 * the demotions a verification calls for (`demotion`), then the conflicts' losers, then the cap. Rules
 * the person pinned keep their tier (and note). Returns a new array, sorted; the input is not touched.
 */
export function retier(rules: SkillRule[], conflicts: Conflict[], tiers?: TierThresholds): SkillRule[] {
  const out: SkillRule[] = rules.map((r) => {
    const copy: SkillRule = { ...r }
    if (r.pinnedTier) return copy
    if (r.existing) {
      // as given in the SKILL.md, or higher when its runs (new and earlier) say so
      copy.tier = betterTier(existingTier(r), evidenceTier(r, citedRuns(r), tiers))
      const fresh = new Set(r.evidence).size
      copy.note = r.sources.length && fresh ? `${NOTE_EXISTING}, restated by ${plural(fresh, 'new run')}` : NOTE_EXISTING
    } else {
      copy.tier = evidenceTier(r, new Set(r.evidence).size, tiers)
      delete copy.note
    }
    // what a verification showed of it: followed where the skill broke runs more than where it fixed them
    const down = demotion(copy.tier, r.outcome)
    if (down) Object.assign(copy, down)
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

/**
 * Demotion by a verification (the rule's `outcome`: the pairs where its with-skill run followed it and
 * the skill fixed the run, or broke it). Thresholds:
 * - followed in at least DEMOTE_MIN_HURT broken pair(s) and in more broken pairs than fixed ones
 *   (hurt >= 1 and hurt > helped): one tier down, core -> guidance -> edge case;
 * - at edge case already, followed in at least DISCARD_MIN_HURT broken pairs and in no fixed one
 *   (hurt >= 2, helped 0): discarded. At edge case with less than that it stays, the evidence said.
 * A rule that helped as often as it hurt keeps its tier. The note says why, with the pairs.
 */
export const DEMOTE_MIN_HURT = 1
export const DISCARD_MIN_HURT = 2

export function demotion(tier: Tier, o: SkillRule['outcome']): { tier: Tier; note: string } | undefined {
  if (!o || tier === 'discarded') return undefined
  const hurt = new Set(o.hurt).size
  const helped = new Set(o.helped).size
  if (hurt < DEMOTE_MIN_HURT || hurt <= helped) return undefined
  const where = o.version !== undefined ? ` in the verification of version ${o.version}` : ''
  const evidence = `followed in ${plural(hurt, 'pair')} the skill broke (${[...new Set(o.hurt)].join(', ')})${where}, helped in ${helped || 'none'}`
  if (tier === 'edge-case')
    return hurt >= DISCARD_MIN_HURT && helped === 0
      ? { tier: 'discarded', note: `discarded as an edge case: ${evidence}` }
      : { tier, note: `kept as an edge case: ${evidence} (discarded at ${DISCARD_MIN_HURT} with none helped)` }
  return { tier: tier === 'core' ? 'guidance' : 'edge-case', note: `demoted from ${tier}: ${evidence}` }
}

/** A conflict's decision: who wins, and how it was decided in one line. */
export interface Decision {
  winner: SkillRule
  loser: SkillRule
  decision: string
}

/**
 * Who wins a conflict between `a` (the first named) and `b`, by the runs each cites now: the one with
 * more runs, then the higher priority, then the first. An existing rule no new run restates has only
 * its place in the old SKILL.md: the other wins when it has any run. A string says why nothing decides.
 */
export function decideConflict(a: SkillRule, b: SkillRule): Decision | string {
  const ea = a.existing && a.evidence.length === 0
  const eb = b.existing && b.evidence.length === 0
  if (ea && eb) return 'two existing rules; nothing to decide with'
  if (ea || eb) {
    const [winner, loser] = ea ? [b, a] : [a, b]
    if (winner.evidence.length < 1) return 'no run evidence against the existing rule'
    return { winner, loser, decision: `evidence from ${plural(winner.evidence.length, 'run')} against the existing rule` }
  }
  const na = a.evidence.length
  const nb = b.evidence.length
  const pa = PRIORITY_RANK[a.priority]
  const pb = PRIORITY_RANK[b.priority]
  if (na !== nb) {
    const [winner, loser] = na > nb ? [a, b] : [b, a]
    return { winner, loser, decision: `${plural(winner.evidence.length, 'run')} against ${loser.evidence.length}` }
  }
  if (pa !== pb) {
    const [winner, loser] = pa < pb ? [a, b] : [b, a]
    return { winner, loser, decision: `tie at ${plural(na, 'run')}: ${winner.priority} priority against ${loser.priority}` }
  }
  return { winner: a, loser: b, decision: 'tie: kept the first' }
}

/**
 * The conflicts decided again on the runs the rules cite now (after the support check: the confirmed
 * ones), the decision said with `basis` when it changed. A conflict the person reversed keeps their
 * choice; one nothing decides any more keeps its winner, unless the winner lost every run against an
 * existing rule (that one wins back). Retier afterwards.
 */
export function redecideConflicts(rules: SkillRule[], conflicts: Conflict[], basis: string): Conflict[] {
  const byId = new Map(rules.map((r) => [r.id, r]))
  return conflicts.map((c) => {
    const a = byId.get(c.a)
    const b = byId.get(c.b)
    if (c.reversed || !a || !b) return { ...c }
    let d = decideConflict(a, b)
    if (typeof d === 'string') {
      const existing = [a, b].find((r) => r.existing && r.evidence.length === 0)
      const other = existing === a ? b : a
      if (!existing || other.existing || other.evidence.length) return { ...c }
      d = { winner: existing, loser: other, decision: 'no run left against the existing rule' }
    }
    // a tie goes to the first named when the merge decides it: here the winner stays
    if (d.decision === 'tie: kept the first' || (d.winner.id === c.winner && d.decision === c.decision)) return { ...c }
    return { ...c, winner: d.winner.id, loser: d.loser.id, decision: `${basis}: ${d.decision}` }
  })
}

/** Flips the winner and loser of one conflict (reversed = !reversed), then retiers. */
export function reverseConflict(
  rules: SkillRule[],
  conflicts: Conflict[],
  conflictId: string,
  tiers?: TierThresholds
): { rules: SkillRule[]; conflicts: Conflict[] } {
  if (!conflicts.some((c) => c.id === conflictId)) throw new Error(`no conflict with id "${conflictId}"`)
  const next = conflicts.map((c) => (c.id === conflictId ? { ...c, winner: c.loser, loser: c.winner, reversed: !c.reversed } : { ...c }))
  return { rules: retier(rules, next, tiers), conflicts: next }
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
