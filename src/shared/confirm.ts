/**
 * Confirming a version's rules by re-running their failures (the paper's gate): each rule drawn from
 * bad runs is tested alone, its bad variations re-run with the skill as it would be with only that one
 * of the rules under test (they should now pass: `expect: 'fix'`) and a good variation as the harm
 * check (it should still pass: `expect: 'keep'`). What a confirmation is about, its estimate, and its
 * results per rule (a pure function of its runs' grades). Pure data + zod schemas shared by main, the
 * CLI and the renderer.
 */
import { z } from 'zod'
import { RunSettingsSchema } from './runs'

export const CONFIRM_EXPECTS = ['fix', 'keep'] as const
export type ConfirmExpect = (typeof CONFIRM_EXPECTS)[number]

/** Re-run bad variations per rule, good variations per rule, and the most runs, by default. */
export const CONFIRM_PER_RULE = 2
export const CONFIRM_GOOD_PER_RULE = 1
export const CONFIRM_CAP = 40

/** A rule under test: its id and text in the version, and the bad runs (numbers in the batch it was learned from) it cites. */
export const ConfirmRuleSchema = z.object({
  id: z.string(),
  text: z.string(),
  badRuns: z.array(z.number().int()),
  /** the variations (0-based, in the verification's variations) re-run to be fixed, and kept as the harm check */
  fix: z.array(z.number().int()),
  keep: z.array(z.number().int())
})
export type ConfirmRule = z.infer<typeof ConfirmRuleSchema>

/** What a confirmation (a verification of kind 'confirm') is about. */
export const ConfirmSetupSchema = z.object({
  /** the batch the version was learned from (the skill's newest): its bad and good runs' variations are re-run */
  batchId: z.string(),
  perRule: z.number().int().min(1),
  goodPerRule: z.number().int().min(0),
  rules: z.array(ConfirmRuleSchema)
})
export type ConfirmSetup = z.infer<typeof ConfirmSetupSchema>

export const CONFIRM_STATUSES = ['confirmed', 'unconfirmed', 'harmful', 'pending'] as const
export type ConfirmStatus = (typeof CONFIRM_STATUSES)[number]

export const ConfirmRunSchema = z.object({
  runId: z.string(),
  /** the blind deck's number */
  number: z.number().int(),
  expect: z.enum(CONFIRM_EXPECTS),
  /** the variation (0-based, in the verification's variations) */
  variation: z.number().int(),
  prompt: z.string(),
  state: z.string(),
  label: z.enum(['good', 'bad']).nullable()
})
export type ConfirmRun = z.infer<typeof ConfirmRunSchema>

const CountSchema = z.object({ passed: z.number().int(), graded: z.number().int(), n: z.number().int() })
export const ConfirmRuleResultSchema = z.object({
  ruleId: z.string(),
  text: z.string(),
  status: z.enum(CONFIRM_STATUSES),
  /** its re-run bad variations: how many now pass, of how many graded, of how many */
  fix: CountSchema,
  /** its good variations (the harm check): how many still pass */
  keep: CountSchema,
  runs: z.array(ConfirmRunSchema)
})
export type ConfirmRuleResult = z.infer<typeof ConfirmRuleResultSchema>

export const ConfirmResultsSchema = z.object({
  version: z.object({ id: z.string(), number: z.number().int() }),
  rules: z.array(ConfirmRuleResultSchema),
  counts: z.object({ confirmed: z.number().int(), unconfirmed: z.number().int(), harmful: z.number().int(), pending: z.number().int() })
})
export type ConfirmResults = z.infer<typeof ConfirmResultsSchema>

/**
 * A rule's status from its runs: harmful when a good variation now fails (before all else); pending
 * while any of its runs is not graded; confirmed when at least half (and at least one) of its re-run
 * bad variations now pass; else unconfirmed.
 */
export function ruleStatus(runs: Pick<ConfirmRun, 'expect' | 'label'>[]): ConfirmStatus {
  if (runs.some((r) => r.expect === 'keep' && r.label === 'bad')) return 'harmful'
  if (runs.some((r) => !r.label)) return 'pending'
  const fix = runs.filter((r) => r.expect === 'fix')
  const passed = fix.filter((r) => r.label === 'good').length
  return passed >= 1 && passed * 2 >= fix.length ? 'confirmed' : 'unconfirmed'
}

/** Each rule under test with its status and the runs behind it (in deck order). */
export function confirmResults(
  version: ConfirmResults['version'],
  rules: Pick<ConfirmRule, 'id' | 'text'>[],
  runs: (ConfirmRun & { rule: string })[]
): ConfirmResults {
  const out = rules.map((rule): ConfirmRuleResult => {
    const mine = runs.filter((r) => r.rule === rule.id).sort((a, b) => a.number - b.number)
    const count = (expect: ConfirmExpect) => {
      const xs = mine.filter((r) => r.expect === expect)
      return { passed: xs.filter((r) => r.label === 'good').length, graded: xs.filter((r) => r.label).length, n: xs.length }
    }
    return {
      ruleId: rule.id,
      text: rule.text,
      status: ruleStatus(mine),
      fix: count('fix'),
      keep: count('keep'),
      runs: mine.map(({ rule: _r, ...r }) => r)
    }
  })
  const counts = { confirmed: 0, unconfirmed: 0, harmful: 0, pending: 0 }
  for (const r of out) counts[r.status]++
  return { version, rules: out, counts }
}

/** The badge a rule card shows: "confirmed 2/2", "unconfirmed 0/2", "harmful: broke a good variation", "pending 1/3 graded". */
export function statusBadge(r: Pick<ConfirmRuleResult, 'status' | 'fix' | 'keep'>): string {
  if (r.status === 'harmful') return `harmful: broke a good variation`
  if (r.status === 'pending') return `pending ${r.fix.graded + r.keep.graded}/${r.fix.n + r.keep.n} graded`
  return `${r.status} ${r.fix.passed}/${r.fix.n}`
}

/** One line per rule, as the CLI and the history say it: "confirmed 2/2 (good variation kept 1/1)". */
export function statusLine(r: Pick<ConfirmRuleResult, 'status' | 'fix' | 'keep'>): string {
  const keep = r.keep.n ? `good variation${r.keep.n === 1 ? '' : 's'} kept ${r.keep.passed}/${r.keep.n}` : 'no good variation to check'
  return r.status === 'pending' ? statusBadge(r) : `${statusBadge(r)} (${keep})`
}

/** What a confirmation would be, before it starts. */
export const ConfirmEstimateSchema = z.object({
  version: z.object({ id: z.string(), number: z.number().int() }),
  batchId: z.string(),
  /** the rules it would test, each with its runs */
  rules: z.array(z.object({ id: z.string(), text: z.string(), fix: z.number().int(), keep: z.number().int() })),
  /** rules under test whose runs do not fit under the cap: left out unless it is raised */
  left: z.array(z.object({ id: z.string(), text: z.string(), runs: z.number().int() })),
  /** rules of the version not drawn from bad runs: they stay installed in every run */
  kept: z.number().int(),
  runs: z.number().int(),
  /** the runs of every rule under test, were the cap high enough */
  wanted: z.number().int(),
  cap: z.number().int(),
  costPerRunUsd: z.number().nullable(),
  usd: z.number().nullable(),
  basis: z.string(),
  /** the settings its runs will run with: those given, the rest the batch's it was learned from */
  settings: RunSettingsSchema,
  /** texts of the version that are flagged (a command, a URL...): installing it needs a confirmation (acceptFlagged) */
  flagged: z.number().int(),
  warnings: z.array(z.string())
})
export type ConfirmEstimate = z.infer<typeof ConfirmEstimateSchema>
