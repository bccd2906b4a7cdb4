/**
 * Steps 3 and 4: analyst rules, merged skill rules, skills and their versions. Pure data + zod
 * schemas, shared by main, renderer and the CLI.
 */
import { z } from 'zod'
import { FieldProvenanceSchema, ProvenanceSchema } from './rule-flags'

export const ANALYSTS = ['error', 'success', 'structure', 'edge'] as const
export const AnalystKindSchema = z.enum(ANALYSTS)
export type AnalystKind = z.infer<typeof AnalystKindSchema>

export const PRIORITIES = ['high', 'medium', 'low'] as const
export const PrioritySchema = z.enum(PRIORITIES)
export type Priority = z.infer<typeof PrioritySchema>

/**
 * Where the analyst saw it: the run number, and the session file's line, or one of the run's output
 * files (its path in the run's folder), when given.
 */
export const PointerSchema = z.object({
  run: z.number().int(),
  line: z.number().int().optional(),
  file: z.string().max(1000).optional()
})
export type Pointer = z.infer<typeof PointerSchema>

/** The most lines a wrong or right snippet of an example keeps (longer ones are cut to these). */
export const EXAMPLE_MAX_LINES = 6

/**
 * Where good and bad runs differ concretely: a short snippet quoted from a real file or command of a
 * bad run (`wrong`) and of a good one (`right`), with the runs they come from. After the merge each
 * snippet is checked against those runs' files and commands (src/main/skills/examples.ts); one not
 * found there is dropped.
 */
export const RuleExampleSchema = z.object({
  wrong: z.string().max(4000).optional(),
  right: z.string().max(4000).optional(),
  runs: z.array(z.number().int()).max(500)
})
export type RuleExample = z.infer<typeof RuleExampleSchema>

/**
 * A helper the good runs kept writing (a check, a build step), proposed as `scripts/<name>` of the
 * skill: a file name, and where runs wrote it (a file in a run's final files). Its content is never the
 * model's: the app takes it from a real run's file (src/main/skills/scripts.ts).
 */
export const ProposedScriptSchema = z.object({
  name: z.string().max(200),
  from: z
    .array(z.object({ run: z.number().int(), file: z.string().max(1000) }))
    .min(1)
    .max(20)
})
export type ProposedScript = z.infer<typeof ProposedScriptSchema>

/** The most lines and bytes a script may have (a longer helper is no script of the skill). */
export const SCRIPT_MAX_LINES = 300
export const SCRIPT_MAX_BYTES = 16 * 1024

/**
 * A rule's script, as the skill keeps it: its file name in scripts/, its content (a real run's file,
 * then as the person edited it), the runs that wrote it, and whether the export writes it (`include`,
 * off until the person ticks it). `from`: what the analysts cited; `batchId`: set once checked.
 */
export const RuleScriptSchema = z.object({
  name: z.string().min(1).max(100),
  content: z.string().max(64 * 1024),
  runs: z.array(z.number().int()).max(500),
  from: ProposedScriptSchema.shape.from.optional(),
  batchId: z.string().max(200).optional(),
  include: z.boolean().default(false)
})
export type RuleScript = z.infer<typeof RuleScriptSchema>

/** What an analyst proposes (the forced tool call's schema, item by item). */
export const ProposedRuleSchema = z.object({
  /** imperative: "Run the build before reporting success" */
  rule: z.string().min(3).max(800),
  /** run numbers ("Run 3" in the feedback) */
  evidence: z.array(z.number().int()).min(1).max(500),
  priority: PrioritySchema,
  /** the reason, in the trace: what happened and where */
  reason: z.string().max(4000),
  pointers: z.array(PointerSchema).max(50).optional(),
  /** one short reason drawn from what happened in the runs ("Pages with two CTAs above the fold had lower click-through.") */
  why: z.string().max(2000).optional(),
  /** where a good and a bad run differ concretely: a wrong/right pair quoted from their files or commands */
  example: RuleExampleSchema.optional(),
  /** a helper two or more good runs wrote, to bundle as scripts/<name>; the rule says when to run it */
  script: ProposedScriptSchema.optional()
})
export type ProposedRule = z.infer<typeof ProposedRuleSchema>

/**
 * A rule as an analyst proposed it. Its origin is in fields, never in its id: the analyst, and when
 * the runs were analysed in groups, the group (1-based) whose runs it was drawn from.
 */
export const AnalystRuleSchema = ProposedRuleSchema.extend({
  id: z.string(),
  analyst: AnalystKindSchema,
  group: z.number().int().min(1).optional()
})
export type AnalystRule = z.infer<typeof AnalystRuleSchema>

/** A proposed rule the app did not accept, kept visible with why. */
export const SetAsideSchema = z.object({ rule: AnalystRuleSchema, why: z.string() })
export type SetAside = z.infer<typeof SetAsideSchema>

export const TIERS = ['core', 'guidance', 'edge-case', 'discarded'] as const
export const TierSchema = z.enum(TIERS)
export type Tier = z.infer<typeof TierSchema>

/** The fewest supporting runs for each tier, for a number of graded runs. */
export const ThresholdsSchema = z.object({
  /** the graded runs they are scaled to */
  runs: z.number().int().min(0),
  core: z.number().int().min(1),
  guidance: z.number().int().min(1),
  edgeCase: z.number().int().min(1)
})
export type Thresholds = z.infer<typeof ThresholdsSchema>

/**
 * The thresholds a skill's rules were tiered with: the batch's, and for guards (the edge analyst's
 * "Before X, verify Y") the hard and adversarial runs' (their run numbers, to count a guard's runs among them).
 */
export const TierThresholdsSchema = ThresholdsSchema.extend({
  guards: ThresholdsSchema.extend({ hardRuns: z.array(z.number().int()).max(10_000) }).optional()
})
export type TierThresholds = z.infer<typeof TierThresholdsSchema>

/** The seed's runs: 8+ core, 4-7 guidance, 2-3 edge case are its thresholds at this many graded runs. */
export const SEED_RUNS = 20

/**
 * The thresholds for `graded` runs: the seed's share of them (core 40%, guidance 20%, edge case 10%,
 * rounded up), an edge case never below 2 runs, and each tier at least one run above the next.
 */
export function thresholdsFor(graded: number): Thresholds {
  const n = Math.max(0, Math.floor(graded))
  const share = (seed: number) => Math.ceil((seed * n) / SEED_RUNS)
  const edgeCase = Math.max(2, share(2))
  const guidance = Math.max(edgeCase + 1, share(4))
  const core = Math.max(guidance + 1, share(8))
  return { runs: n, core, guidance, edgeCase }
}
export const SEED_THRESHOLDS: Thresholds = thresholdsFor(SEED_RUNS)

/** The deterministic tier for a number of supporting runs (the seed's thresholds: 8+ core, 4-7 guidance, 2-3 edge case, else discarded). */
export function tierFor(runs: number, t: Omit<Thresholds, 'runs'> = SEED_THRESHOLDS): Tier {
  return runs >= t.core ? 'core' : runs >= t.guidance ? 'guidance' : runs >= t.edgeCase ? 'edge-case' : 'discarded'
}

/** "core 8+, patterns 4-7, edge cases 2-3" */
export function thresholdsText(t: Omit<Thresholds, 'runs'>): string {
  const range = (lo: number, hi: number) => (hi <= lo ? `${lo}` : `${lo}-${hi}`)
  return `core ${t.core}+, patterns ${range(t.guidance, t.core - 1)}, edge cases ${range(t.edgeCase, t.guidance - 1)}`
}

/** The line the skill page shows: "Tiers for 20 graded runs: core 8+, patterns 4-7, edge cases 2-3" (and the guards'). */
export function tiersLine(t: TierThresholds | undefined): string {
  if (!t) return `Tiers: ${thresholdsText(SEED_THRESHOLDS)} (the seed's, for about ${SEED_RUNS} runs)`
  const runs = (n: number) => `${n} graded run${n === 1 ? '' : 's'}`
  const guards = t.guards
    ? `; guards, against ${t.guards.runs} hard or adversarial run${t.guards.runs === 1 ? '' : 's'}: ${thresholdsText(t.guards)}`
    : ''
  return `Tiers for ${runs(t.runs)}: ${thresholdsText(t)}${guards}`
}

/** The thresholds for a batch's graded runs, and for its guards those of its graded hard and adversarial runs. */
export function tierThresholds(graded: { number: number; difficulty?: string }[]): TierThresholds {
  const hardRuns = [...new Set(graded.filter((r) => r.difficulty === 'hard' || r.difficulty === 'adversarial').map((r) => r.number))].sort(
    (a, b) => a - b
  )
  return { ...thresholdsFor(graded.length), ...(hardRuns.length ? { guards: { ...thresholdsFor(hardRuns.length), hardRuns } } : {}) }
}
export const MAX_MAIN_RULES = 30

/** Runs cited from an earlier batch (the one a deepened skill's rule was first learned from). */
export const EarlierCitationSchema = z.object({
  /** the batch the run numbers are in (absent: a pasted SKILL.md's own citations, batch unknown) */
  batchId: z.string().optional(),
  runs: z.array(z.number().int())
})
export type EarlierCitation = z.infer<typeof EarlierCitationSchema>

export const SkillRuleSchema = z.object({
  id: z.string(),
  text: z.string().min(1).max(2000),
  /** union of the member rules' runs, sorted (runs of the skill's newest batch) */
  evidence: z.array(z.number().int()),
  /** runs of earlier batches a rule kept from the skill being deepened cites: never lost */
  earlier: z.array(EarlierCitationSchema).optional(),
  priority: PrioritySchema,
  tier: TierSchema,
  /** ids of the analyst rules merged into this one */
  sources: z.array(z.string()),
  analysts: z.array(AnalystKindSchema),
  reasons: z.array(z.string()),
  pointers: z.array(PointerSchema),
  /** a guard from the edge analyst ("Before X, verify Y"): rendered under failure modes */
  guard: z.boolean().default(false),
  /** kept from the SKILL.md being deepened */
  existing: z.boolean().default(false),
  /** the person moved it: tiering leaves it where they put it */
  pinnedTier: z.boolean().default(false),
  /** why it is where it is when that is not its evidence tier (cap, conflict, the person) */
  note: z.string().optional(),
  /** the person removed it: it stays under discarded, and this is where it was, to restore it */
  removed: z.object({ tier: TierSchema, pinnedTier: z.boolean(), note: z.string().optional() }).optional(),
  /**
   * what the verification the skill was deepened from showed of it: the pairs (keys "v3") where the
   * with-skill run followed it and the skill fixed the run (helped) or broke it (hurt), in that
   * verification of `version`. The tiers demote on it (src/main/skills/rules/tiers.ts `demotion`).
   */
  outcome: z.object({ version: z.number().int().optional(), helped: z.array(z.string()), hurt: z.array(z.string()) }).optional(),
  /** one short reason drawn from the runs, rendered after the rule in the same paragraph */
  why: z.string().max(2000).optional(),
  /** a wrong/right pair quoted from the runs' files or commands; `batchId`: the batch its runs are in (set once checked) */
  example: RuleExampleSchema.extend({ batchId: z.string().max(200).optional() }).optional(),
  /** what the check of the example against the runs dropped ("the right snippet was not found in run 4") */
  exampleNote: z.string().max(1000).optional(),
  /** where its text (a span copied word for word, a command, a URL) was found in the runs it cites (src/shared/rule-flags.ts) */
  provenance: z.array(ProvenanceSchema).max(50).optional(),
  /** runs an analyst cited that the support check did not confirm (they do not count toward the tier), with the checker's reason */
  unconfirmed: z.array(z.object({ run: z.number().int(), reason: z.string().max(500) })).optional(),
  /** the reference file an edge case goes to, by its topic's name (src/shared/skill-references.ts; unknown or absent: "edge-cases") */
  topic: z.string().max(200).optional(),
  /** a helper the runs kept writing, exported as scripts/<name> when the person includes it (src/main/skills/scripts.ts) */
  script: RuleScriptSchema.optional(),
  /** why a proposed script is not there (not found in two good runs, too long, removed by the person) */
  scriptNote: z.string().max(1000).optional()
})
export type SkillRule = z.infer<typeof SkillRuleSchema>

export const NOTE_REMOVED = 'removed by you'

/** Removing a rule card keeps it: discarded, pinned there, with where it was (a second removal keeps the first place). */
export function removeRule(r: SkillRule): SkillRule {
  if (r.removed) return { ...r }
  return {
    ...r,
    tier: 'discarded',
    pinnedTier: true,
    note: NOTE_REMOVED,
    removed: { tier: r.tier, pinnedTier: r.pinnedTier, ...(r.note !== undefined ? { note: r.note } : {}) }
  }
}

/** A removed rule back where it was (tier, pin and note); any other rule as it is. */
export function restoreRule(r: SkillRule): SkillRule {
  if (!r.removed) return { ...r }
  const { removed, note: _note, ...rest } = r
  return { ...rest, tier: removed.tier, pinnedTier: removed.pinnedTier, ...(removed.note !== undefined ? { note: removed.note } : {}) }
}

/**
 * Does a rule read as a guard ("Before X, verify Y", "If X, do Y")? The edge analyst's rules must,
 * and a merged rule is tagged a guard only when its merged wording does.
 */
export const isGuard = (text: string) => /^\s*(before|if|when|unless|never|always check|check|verify)\b/i.test(text)

/** Two merged rules that contradict each other; the one with more evidence wins unless reversed. */
export const ConflictSchema = z.object({
  id: z.string(),
  a: z.string(),
  b: z.string(),
  why: z.string(),
  winner: z.string(),
  loser: z.string(),
  /** how it was decided, in one line */
  decision: z.string(),
  reversed: z.boolean().default(false)
})
export type Conflict = z.infer<typeof ConflictSchema>

/**
 * A reference file of the skill: edge cases on one topic, in references/<name>.md, linked from SKILL.md
 * with "Read references/<name>.md when <when>." (src/shared/skill-references.ts).
 */
export const SkillTopicSchema = z.object({
  /** the file's name without .md: lowercase letters, digits and hyphens (made so from whatever a model said) */
  name: z.string().max(200),
  title: z.string().max(300),
  /** when a future agent should read it: "the page needs a form" */
  when: z.string().max(1000)
})
export type SkillTopic = z.infer<typeof SkillTopicSchema>

/** A file of the skill's folder other than SKILL.md, by its name (a reference file: references/<name>.md). */
export const SkillFileSchema = z.object({ name: z.string().max(200), content: z.string() })
export type SkillFile = z.infer<typeof SkillFileSchema>

export const FrontMatterSchema = z.object({ name: z.string(), description: z.string() })
export type FrontMatter = z.infer<typeof FrontMatterSchema>

export const SkillSchema = z.object({
  id: z.string(),
  batchIds: z.array(z.string()),
  taskId: z.string().optional(),
  frontMatter: FrontMatterSchema,
  title: z.string(),
  whenToUse: z.string(),
  rules: z.array(SkillRuleSchema),
  conflicts: z.array(ConflictSchema),
  setAside: z.array(SetAsideSchema),
  /** the SKILL.md text when the person edited it by hand (else it is rendered from the rules) */
  markdown: z.string().optional(),
  /** where the description, title and "when to use" were found in the runs, word for word (src/shared/rule-flags.ts) */
  provenance: FieldProvenanceSchema.optional(),
  /** the thresholds its rules were tiered with (absent: the seed's, 8+ / 4-7 / 2-3) */
  tiers: TierThresholdsSchema.optional(),
  /** the reference files the edge cases go to, by topic (absent: one references/edge-cases.md, as before topics) */
  topics: z.array(SkillTopicSchema).max(50).optional(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type Skill = z.infer<typeof SkillSchema>

export const SkillVersionSchema = z.object({
  id: z.string(),
  skillId: z.string(),
  number: z.number().int().min(1),
  createdAt: z.string(),
  label: z.string().optional(),
  skillMd: z.string(),
  /** references/edge-cases.md as it read (with topics: that file's text, or "" when the skill has none) */
  edgeCasesMd: z.string(),
  /** every reference file as it read, references/<name>.md (absent in versions saved before topics: edgeCasesMd is their one file) */
  references: z.array(SkillFileSchema).optional(),
  /** the thresholds its rules were tiered with (absent in versions saved before they scaled) */
  tiers: TierThresholdsSchema.optional(),
  /** the scripts it exports (scripts/<name>, the ones the person included), so the version installs as it was */
  scripts: z.array(z.object({ name: z.string(), content: z.string() })).optional(),
  /** the skill's structured state at that version, to go back to */
  state: z.unknown()
})
export type SkillVersion = z.infer<typeof SkillVersionSchema>
