/**
 * How a skill's rules fared in its verifications: the explained pairs (src/shared/verify.ts) whose
 * with-skill run followed a rule, where the skill fixed the run or broke it. Matched by the rule's text
 * (a rule keeps its text across versions). Pure.
 */
import { z } from 'zod'
import type { Explanation, Verification } from './verify'

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase()

/** The verdicts of an explained pair that say the with-skill run followed this rule (matched by its text). */
const followedIn = (e: Explanation, text: string) =>
  e.rules.filter((x) => x.verdict === 'followed' && normalize(x.text) === normalize(text))

/**
 * Rules of a skill followed in runs the skill broke, by any verification of it: the person should look
 * at them before the next version. Matched by their text (a rule keeps its text across versions).
 */
/** A rule followed in runs the skill broke: which verification, which pairs, which runs and lines. */
export interface RuleFlag {
  ruleId: string
  verificationId: string
  version: number
  pairs: string[]
  runs: number[]
  pointers: { run: number; line?: number }[]
}

export function brokenRuleFlags(
  rules: { id: string; text: string }[],
  verifications: Pick<Verification, 'id' | 'version' | 'explanations'>[],
  brokenKeys: (verificationId: string) => string[]
): RuleFlag[] {
  const out: RuleFlag[] = []
  for (const v of verifications) {
    const broken = new Set(brokenKeys(v.id))
    for (const r of rules) {
      const hits = Object.entries(v.explanations).filter(([key, e]) => broken.has(key) && followedIn(e, r.text).length)
      if (!hits.length) continue
      const pointers = hits.flatMap(([, e]) => followedIn(e, r.text).flatMap((x) => x.pointers))
      out.push({
        ruleId: r.id,
        verificationId: v.id,
        version: v.version.number,
        pairs: hits.map(([k]) => k),
        runs: [...new Set(pointers.map((p) => p.run))],
        pointers
      })
    }
  }
  return out
}

/** How a rule fared across verifications: explained pairs where it was followed and the skill fixed the run, or broke it. */
export interface RuleTally {
  helpful: number
  harmful: number
}

/**
 * Per rule (by id), across the skill's verifications: in how many explained pairs the with-skill run
 * followed it and the skill fixed the run (helpful), and in how many it followed it and the skill broke
 * it (harmful). Pairs that came out the same say nothing either way. Rules never followed in a fixed or
 * broken pair are left out.
 */
export function ruleTallies(
  rules: { id: string; text: string }[],
  verifications: Pick<Verification, 'id' | 'explanations'>[],
  outcome: (verificationId: string) => { fixed: string[]; broken: string[] }
): Map<string, RuleTally> {
  const out = new Map<string, RuleTally>()
  for (const v of verifications) {
    const { fixed, broken } = outcome(v.id)
    const kinds = new Map<string, keyof RuleTally>([
      ...fixed.map((k) => [k, 'helpful'] as const),
      ...broken.map((k) => [k, 'harmful'] as const)
    ])
    for (const [key, e] of Object.entries(v.explanations)) {
      const kind = kinds.get(key)
      if (!kind) continue
      for (const r of rules) {
        if (!followedIn(e, r.text).length) continue
        const t = out.get(r.id) ?? { helpful: 0, harmful: 0 }
        t[kind]++
        out.set(r.id, t)
      }
    }
  }
  return out
}

/** What one verification showed of one rule (by its text): the pairs where it was followed and the skill fixed the run (helped) or broke it (hurt). */
export const RuleOutcomeSchema = z.object({ text: z.string(), helped: z.array(z.string()), hurt: z.array(z.string()) })
export type RuleOutcome = z.infer<typeof RuleOutcomeSchema>

/** A verification's outcomes for the rules of the version it verified: what a deepen from it gives the merge. */
export const VerificationOutcomesSchema = z.object({ version: z.number().int().optional(), rules: z.array(RuleOutcomeSchema) })
export type VerificationOutcomes = z.infer<typeof VerificationOutcomesSchema>

/**
 * Per rule text followed in an explained fixed or broken pair of one verification: those pairs (keys
 * sorted). The same 'followed in this pair' match as the tallies and the flags; rules never followed
 * in a fixed or broken pair are left out.
 */
export function verificationOutcomes(
  explanations: Verification['explanations'],
  comparison: { fixed: string[]; broken: string[] }
): RuleOutcome[] {
  const fixed = new Set(comparison.fixed)
  const broken = new Set(comparison.broken)
  const byText = new Map<string, RuleOutcome>()
  for (const key of Object.keys(explanations).sort()) {
    const kind = fixed.has(key) ? 'helped' : broken.has(key) ? 'hurt' : undefined
    if (!kind) continue
    for (const x of explanations[key].rules) {
      if (x.verdict !== 'followed') continue
      const t = normalize(x.text)
      const o = byText.get(t) ?? { text: x.text.trim(), helped: [], hurt: [] }
      if (!o[kind].includes(key)) o[kind].push(key)
      byText.set(t, o)
    }
  }
  return [...byText.values()]
}

/** The outcome of a rule text among a verification's, matched as the tallies match (whitespace and case aside). */
export const outcomeOf = (outcomes: RuleOutcome[] | undefined, text: string): RuleOutcome | undefined =>
  outcomes?.find((o) => normalize(o.text) === normalize(text))
