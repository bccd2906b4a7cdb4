/**
 * Step 4: merging the analysts' rules into one set of skill rules. The model only says which rules
 * say the same thing (groups) and which groups contradict each other (schema.ts, prompt.ts); everything
 * else (evidence unions, one rule per meaning, conflict winners) is computed here, deterministically,
 * and the tiers and the 30-rule cap in tiers.ts.
 *
 * Pure: no I/O, no Electron; inputs are never mutated.
 */
import { covers, sameMeaning } from '../../../shared/rule-meaning'
import { betterScript, proposedScript } from '../../../shared/skill-scripts'
import {
  ANALYSTS,
  isGuard,
  tierFor,
  type AnalystRule,
  type Conflict,
  type EarlierCitation,
  type Priority,
  type SkillRule,
  type SkillTopic,
  type TierThresholds
} from '../../../shared/skills'
import { outcomeOf, type VerificationOutcomes } from '../../../shared/rule-outcomes'
import { mergedTopics, withTopics } from './topics'
import { citedRuns, decideConflict, existingReason, NOTE_EXISTING, PRIORITY_RANK, retier, uniqueSorted, type ExistingTier } from './tiers'

export interface MergeGroup {
  /** analyst rule ids that say the same thing */
  members: string[]
  /** one wording for all of them */
  wording: string
  /** the merge's why for the group (else the best of its members') */
  why?: string
  /** deepen mode: the index (0-based) of the existing rule this group says the same as, by the model's word */
  existing?: number
  /** the topic (reference file) the model gave the group, by name */
  topic?: string
}

export interface Contradiction {
  /** indexes into groups (existing rules follow at groups.length + i) */
  a: number
  b: number
  why: string
}

/** A rule of the SKILL.md being deepened, with its citations. */
export interface ExistingRule {
  text: string
  tier: ExistingTier
  /** the runs it cites, in `batchId` */
  evidence?: number[]
  /** the batch its `evidence` is in (absent: a pasted SKILL.md's own) */
  batchId?: string
  /** what it cited from batches before that */
  earlier?: EarlierCitation[]
  guard?: boolean
  /** its why and example, kept */
  why?: string
  example?: SkillRule['example']
  /** the person pinned its tier: it keeps it (and its note) */
  pinned?: boolean
  note?: string
  /** the reference file it was in: it stays there */
  topic?: string
  /** its script (checked against its own batch when it was made) */
  script?: SkillRule['script']
}

export interface MergeInput {
  /** accepted analyst rules (ids unique) */
  rules: AnalystRule[]
  /** from a model; may be incomplete or wrong */
  groups: MergeGroup[]
  contradictions: Contradiction[]
  /** deepen mode: rules of the SKILL.md being improved */
  existing?: ExistingRule[]
  /** the batch the analyst rules' runs are in: an existing rule's runs from another batch become its `earlier` citations */
  batchId?: string
  /** default: deterministic ids r1, r2, ... (conflicts then get c1, c2, ...) */
  newId?: () => string
  /** the thresholds for the batch's graded runs (shared/skills.ts tierThresholds); default: the seed's */
  tiers?: TierThresholds
  /**
   * deepen from a verification: what it showed of the existing rules (matched by text), each rule's
   * pairs where it was followed and the skill fixed or broke the run; the tiers demote on them (tiers.ts `demotion`)
   */
  outcomes?: VerificationOutcomes
  /** the topics the model named (reference files; at most MAX_TOPICS are kept, names made safe) */
  topics?: Partial<SkillTopic>[] | null
  /** deepen mode: the topics of the skill being improved (carried forward) */
  existingTopics?: SkillTopic[]
}

export interface MergeResult {
  rules: SkillRule[]
  conflicts: Conflict[]
  warnings: string[]
  /** the skill's topics (absent when none was named: the skill keeps one edge-cases.md) */
  topics?: SkillTopic[]
}

type Example = NonNullable<SkillRule['example']>
const exampleScore = (e: Example | undefined) =>
  e ? (e.wrong?.trim() ? 2 : 0) + (e.right?.trim() ? 2 : 0) + Math.min(e.runs.length, 1) : 0
/** The better of two examples: a full wrong/right pair over half of one; the first on a tie. */
function betterExample(a: Example | undefined, b: Example | undefined): Example | undefined {
  return exampleScore(b) > exampleScore(a) ? b : a
}
/** A copy of an example, or nothing when it holds no snippet. */
function exampleOf(e: Example | undefined): Example | undefined {
  if (!e || !(e.wrong?.trim() || e.right?.trim())) return undefined
  return { ...e, runs: uniqueSorted(e.runs) }
}

/** Earlier citations together, one entry per batch, runs sorted. */
function joinEarlier(...lists: (EarlierCitation[] | undefined)[]): EarlierCitation[] {
  const out: EarlierCitation[] = []
  for (const c of lists.flatMap((l) => l ?? [])) {
    if (!c.runs.length) continue
    const same = out.find((x) => x.batchId === c.batchId)
    if (same) same.runs = uniqueSorted([...same.runs, ...c.runs])
    else out.push({ ...(c.batchId !== undefined ? { batchId: c.batchId } : {}), runs: uniqueSorted(c.runs) })
  }
  return out
}

/**
 * One rule out of two that say the same thing: the evidence of both (an existing rule takes a new
 * finding's runs and keeps its own), the wording of the one that says more when it covers the other.
 */
function absorb(into: SkillRule, from: SkillRule): SkillRule {
  const longer = (t: string) => t.replace(/\s+/g, ' ').trim().length
  const text = covers(from.text, into.text) && longer(from.text) > longer(into.text) ? from.text : into.text
  const present = new Set([...into.analysts, ...from.analysts])
  const priority = PRIORITY_RANK[from.priority] < PRIORITY_RANK[into.priority] ? from.priority : into.priority
  const earlier = joinEarlier(into.earlier, from.earlier)
  const out: SkillRule = {
    ...into,
    text,
    evidence: uniqueSorted([...into.evidence, ...from.evidence]),
    priority,
    sources: [...new Set([...into.sources, ...from.sources])],
    analysts: ANALYSTS.filter((a) => present.has(a)),
    reasons: [...new Set([...into.reasons, ...from.reasons])],
    pointers: [...into.pointers, ...from.pointers.map((p) => ({ ...p }))],
    guard: (into.guard || from.guard) && isGuard(text),
    existing: into.existing || from.existing
  }
  if (earlier.length) out.earlier = earlier
  else delete out.earlier
  // the why of the rule kept (else the other's), and the better example
  const why = into.why?.trim() ? into.why : from.why
  if (why?.trim()) out.why = why
  const example = betterExample(into.example, from.example)
  if (example) out.example = { ...example, runs: [...example.runs] }
  else delete out.example
  // what a verification showed of either, together; a tier the person pinned stays
  const outcome = joinOutcomes(into.outcome, from.outcome)
  if (outcome) out.outcome = outcome
  if (!into.pinnedTier && from.pinnedTier) Object.assign(out, { pinnedTier: true, tier: from.tier, note: from.note })
  // the topic of the rule kept (an existing rule stays in its file), else the other's
  const topic = into.topic ?? from.topic
  if (topic !== undefined) out.topic = topic
  // the better-supported script of the two
  const script = betterScript(into.script, from.script)
  if (script) out.script = script
  return out
}

type Outcome = NonNullable<SkillRule['outcome']>
function joinOutcomes(a: Outcome | undefined, b: Outcome | undefined): Outcome | undefined {
  const copy = (x: Outcome) => ({ ...x, helped: [...x.helped], hurt: [...x.hurt] })
  if (!a || !b) return a ? copy(a) : b && copy(b)
  const keys = (x: string[], y: string[]) => [...new Set([...x, ...y])].sort()
  return { ...(a.version !== undefined ? { version: a.version } : {}), helped: keys(a.helped, b.helped), hurt: keys(a.hurt, b.hurt) }
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
  let rules: SkillRule[] = []
  /** a group the model said restates an existing rule (index into input.existing) */
  const sameAsExisting = new Map<SkillRule, number>()
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
    const rule = mergeGroup(newRuleId(), members, g.wording, g.why)
    if (typeof g.topic === 'string' && g.topic.trim()) rule.topic = g.topic.trim()
    rules.push(rule)
    addressable.push(rule)
    if (typeof g.existing === 'number') sameAsExisting.set(rule, g.existing)
  })

  // 2. rules the model left out: each its own group
  for (const r of byId.values()) {
    if (placed.has(r.id)) continue
    rules.push(mergeGroup(newRuleId(), [r], r.rule))
  }

  // 3. deepen mode: the existing SKILL.md's rules, addressable after the groups, with their citations:
  // runs of the batch being analysed stay its evidence, runs of another batch become earlier citations
  const existingRules: (SkillRule | undefined)[] = []
  ;(input.existing ?? []).forEach((e, ei) => {
    if (typeof e.text !== 'string' || e.text.trim() === '') {
      warnings.push(`existing rule ${ei} (group ${input.groups.length + ei}) has no text; dropped`)
      addressable.push(undefined)
      existingRules.push(undefined)
      return
    }
    const own = uniqueSorted(e.evidence ?? [])
    const sameBatch = e.batchId === input.batchId
    const earlier = joinEarlier(e.earlier, sameBatch ? [] : [{ ...(e.batchId !== undefined ? { batchId: e.batchId } : {}), runs: own }])
    const text = e.text.trim()
    const o = outcomeOf(input.outcomes?.rules, text)
    const outcome = o && {
      ...(input.outcomes?.version !== undefined ? { version: input.outcomes.version } : {}),
      helped: [...o.helped],
      hurt: [...o.hurt]
    }
    const rule: SkillRule = {
      id: newRuleId(),
      text,
      evidence: sameBatch ? own : [],
      ...(earlier.length ? { earlier } : {}),
      priority: 'medium',
      tier: e.tier,
      sources: [],
      analysts: [],
      reasons: [existingReason(e.tier)],
      pointers: [],
      guard: Boolean(e.guard) && isGuard(text),
      existing: true,
      pinnedTier: Boolean(e.pinned),
      note: e.pinned && e.note ? e.note : NOTE_EXISTING,
      ...(outcome ? { outcome } : {}),
      ...(e.why?.trim() ? { why: e.why.trim() } : {}),
      ...(exampleOf(e.example) ? { example: exampleOf(e.example) } : {}),
      ...(e.topic ? { topic: e.topic } : {}),
      ...(e.script ? { script: { ...e.script, runs: [...e.script.runs] } } : {})
    }
    existingRules.push(rule)
    rules.push(rule)
    addressable.push(rule)
  })

  // 3b. one rule per meaning: a group the model mapped to an existing rule, or that restates one, goes
  // into it; then any two rules left that say the same thing (the model did not group them) become one
  const into = new Map<SkillRule, SkillRule>() // folded rule -> the rule it went into
  const fold = (target: SkillRule, from: SkillRule) => {
    const merged = absorb(target, from)
    into.set(target, merged)
    into.set(from, merged)
    rules = rules.filter((r) => r !== target && r !== from)
    rules.push(merged)
    return merged
  }
  const live = (r: SkillRule): SkillRule => {
    let x = r
    while (into.has(x)) x = into.get(x)!
    return x
  }
  for (const rule of [...rules]) {
    if (rule.existing) continue
    const mapped = sameAsExisting.get(rule)
    let target = mapped !== undefined ? existingRules[mapped] : undefined
    if (mapped !== undefined && !target) warnings.push(`a group names existing rule ${mapped + 1}, which is not there; kept apart`)
    target ??= existingRules.find((e) => e && sameMeaning(live(e).text, rule.text))
    if (target) fold(live(target), rule)
  }
  // strongest first, so a weaker restatement goes into the stronger rule
  const byStrength = [...rules].sort((x, y) => citedRuns(y) - citedRuns(x) || Number(y.existing) - Number(x.existing))
  const kept: SkillRule[] = []
  for (const rule of byStrength) {
    const same = kept.findIndex((k) => sameMeaning(live(k).text, rule.text))
    if (same < 0) kept.push(rule)
    else kept[same] = fold(live(kept[same]), rule)
  }
  for (let i = 0; i < addressable.length; i++) if (addressable[i]) addressable[i] = live(addressable[i]!)

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
    if (ra === rb) return bad('the two say the same thing and are one rule')
    const why = (c.why ?? '').trim()
    // more runs, then priority, then the first group named (tiers.ts)
    const d = c.a < c.b ? decideConflict(ra, rb) : decideConflict(rb, ra)
    if (typeof d === 'string') return bad(d)
    seenPairs.add(pair)
    conflicts.push({
      id: newConflictId(),
      a: ra.id,
      b: rb.id,
      why,
      winner: d.winner.id,
      loser: d.loser.id,
      decision: d.decision,
      reversed: false
    })
  })

  // 5. topics: names made safe, the deepened skill's kept; a rule with none or an unknown one goes to "edge-cases"
  const topics = mergedTopics(input.existingTopics, input.topics)
  const tiered = withTopics(retier(rules, conflicts, input.tiers), topics)
  return { rules: tiered, conflicts, warnings, ...(topics.length ? { topics } : {}) }
}

function mergeGroup(id: string, members: AnalystRule[], wording: string | undefined, groupWhy?: string): SkillRule {
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
  // the merge's why, else that of the member with the most runs; the best example of the members
  const whys = [...members].sort((a, b) => new Set(b.evidence).size - new Set(a.evidence).size).map((m) => m.why?.trim())
  const why = groupWhy?.trim() || whys.find(Boolean)
  const example = members.map((m) => exampleOf(m.example)).reduce<Example | undefined>((best, e) => betterExample(best, e), undefined)
  const script = members.reduce<SkillRule['script']>((best, m) => betterScript(best, m.script && proposedScript(m.script)), undefined)
  return {
    ...(why ? { why } : {}),
    ...(example ? { example } : {}),
    ...(script ? { script } : {}),
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
