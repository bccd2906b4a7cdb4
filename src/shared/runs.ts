/**
 * Step 1 of the workflow: tasks, their variations, batches of `claude -p` runs and what each produced.
 * Pure data + zod schemas shared by main, the CLI and the renderer.
 */
import { z } from 'zod'
import { CostSourceSchema, type Numbers } from './numbers'

export const DIFFICULTIES = ['easy', 'normal', 'hard', 'adversarial'] as const
export const DifficultySchema = z.enum(DIFFICULTIES)
export type Difficulty = z.infer<typeof DifficultySchema>

export const MixSchema = z.object({
  easy: z.number().int().min(0).max(50),
  normal: z.number().int().min(0).max(50),
  hard: z.number().int().min(0).max(50),
  adversarial: z.number().int().min(0).max(50)
})
export type Mix = z.infer<typeof MixSchema>
export const DEFAULT_MIX: Mix = { easy: 5, normal: 8, hard: 4, adversarial: 3 }

export const TaskSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(200),
  text: z.string().min(1).max(100_000),
  /** a folder each run's workspace starts as a copy of; none = an empty folder */
  templateDir: z.string().optional(),
  /** an existing SKILL.md to improve (deepen mode) */
  skillMd: z.string().max(200_000).optional(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type Task = z.infer<typeof TaskSchema>

export const VariationSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  difficulty: DifficultySchema,
  prompt: z.string().min(1).max(50_000),
  /** a near miss: similar words, a different job (a "should not trigger" case); not run in a batch unless included */
  nearMiss: z.boolean().optional()
})
export type Variation = z.infer<typeof VariationSchema>

/**
 * How much a run may do on this machine. sandboxed: Claude Code's own sandbox (Bash confined to the
 * run's workspace, network only to allowed domains); accept-edits: acceptEdits with an allow-list of
 * tools, no sandbox; full-access: bypassPermissions (an explicit opt-in).
 */
export const PERMISSION_PRESETS = ['sandboxed', 'accept-edits', 'full-access'] as const
export const PermissionPresetSchema = z.enum(PERMISSION_PRESETS)
export type PermissionPreset = z.infer<typeof PermissionPresetSchema>
export const DEFAULT_TOOLS = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'Agent', 'Task', 'TodoWrite']

export const PRESET_LABELS: Record<PermissionPreset, string> = {
  sandboxed: 'Sandboxed',
  'accept-edits': 'Accept edits',
  'full-access': 'Full access'
}

/** A host sandboxed commands may reach: `example.com`, `*.example.com`, `db.example.com:5432`, `127.0.0.1:8080`. */
export const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/,
    'a host such as example.com, *.example.com or db.example.com:5432 (no scheme, no path)'
  )

/** Domains typed as one line: separated by spaces, commas or new lines. */
export function parseDomains(text: string): { domains: string[]; errors: string[] } {
  const domains: string[] = []
  const errors: string[] = []
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const r = DomainSchema.safeParse(part)
    if (r.success) {
      if (!domains.includes(r.data)) domains.push(r.data)
    } else errors.push(`"${part}" is not a host: use a host such as example.com, *.example.com or db.example.com:5432 (no scheme, no path)`)
  }
  return { domains, errors }
}

export const RunSettingsSchema = z.object({
  model: z.string().max(100).optional(),
  /** see PERMISSION_PRESETS; a batch without one is sandboxed (refused where the sandbox cannot work) */
  permission: PermissionPresetSchema.default('sandboxed'),
  allowedTools: z.array(z.string().min(1).max(100)).max(100).default(DEFAULT_TOOLS),
  /** sandboxed only: the hosts Bash may reach (through Claude Code's sandbox proxy); none when absent */
  allowedDomains: z.array(DomainSchema).max(100).optional(),
  maxTurns: z.number().int().min(1).max(1000).default(40),
  maxBudgetUsd: z.number().positive().max(10_000).optional(),
  concurrency: z.number().int().min(1).max(16).default(3),
  repeats: z.number().int().min(1).max(20).default(1),
  /** the `claude` binary; default: on PATH */
  claudePath: z.string().max(4096).optional(),
  /**
   * Runs load the user's own Claude Code settings (hooks, allow rules, MCP servers) from the config
   * folder; off (the default): the app's settings only. A template's project settings never load.
   */
  useMyClaudeSettings: z.boolean().optional(),
  /** a run still going after this is stopped */
  timeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(24 * 3600_000)
    .default(30 * 60_000)
})
export type RunSettings = z.infer<typeof RunSettingsSchema>

/** One line: what a batch's runs may do. */
export function describePreset(s: Pick<RunSettings, 'permission'> & { allowedDomains?: string[] }): string {
  const domains = s.allowedDomains ?? []
  if (s.permission === 'sandboxed')
    return `Sandboxed: Bash and file edits write only inside each run's folder; network: ${domains.length ? `only ${domains.join(', ')}` : 'none'}`
  if (s.permission === 'accept-edits')
    return "Accept edits: no sandbox; the allowed tools run without asking, with your user's access to files and network"
  return 'Full access: no permission checks and no sandbox; any command, anywhere your user can reach'
}

/** One line: whose Claude Code settings a batch's runs load. */
export function describeClaudeSettings(s: Pick<RunSettings, 'useMyClaudeSettings'>): string {
  return s.useMyClaudeSettings
    ? 'your own Claude Code settings (hooks, allow rules, MCP servers) are used: their hooks and MCP servers run outside the sandbox'
    : 'your own Claude Code settings (hooks, allow rules, MCP servers) are not used'
}

/** What a task's template holds for Claude Code, and whether its runs load each (see main/agents/claude-code/isolation.ts). */
export const TemplateInspectionSchema = z.object({
  dir: z.string(),
  entries: z.array(
    z.object({
      /** template-relative, with `/` */
      path: z.string(),
      kind: z.enum(['settings', 'mcp', 'skill', 'agent', 'command', 'memory', 'other']),
      loaded: z.boolean(),
      /** e.g. "hooks: SessionStart, PreToolUse; allow rules: Write" */
      detail: z.string().optional()
    })
  )
})
export type TemplateInspection = z.infer<typeof TemplateInspectionSchema>

export const PresetAvailabilitySchema = z.object({
  available: z.boolean(),
  /** why not, with what to do about it */
  reason: z.string().optional()
})
export type PresetAvailability = z.infer<typeof PresetAvailabilitySchema>

/** Which presets can work on this machine, and the one a new batch starts with. */
export const PermissionPreflightSchema = z.object({
  platform: z.string(),
  presets: z.object({
    sandboxed: PresetAvailabilitySchema,
    'accept-edits': PresetAvailabilitySchema,
    'full-access': PresetAvailabilitySchema
  }),
  /** sandboxed where available, else accept-edits */
  defaultPreset: PermissionPresetSchema,
  /** one line: the default preset and why */
  summary: z.string()
})
export type PermissionPreflight = z.infer<typeof PermissionPreflightSchema>

export const RUN_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const
export const RunStateSchema = z.enum(RUN_STATES)
export type RunState = z.infer<typeof RunStateSchema>
export const isFinished = (s: RunState) => s !== 'queued' && s !== 'running'

/**
 * A run's numbers (definitions: src/shared/numbers.ts). Live from the stream while it runs (an
 * estimate); once it has ended, the numbers of its trace, the same the deck and the browser show.
 */
export const RunProgressSchema = z.object({
  turns: z.number(),
  toolCalls: z.number(),
  currentTool: z.string().optional(),
  tokens: z.number(),
  costUsd: z.number(),
  /** whose figure costUsd is; absent: estimated */
  costSource: CostSourceSchema.optional(),
  elapsedMs: z.number()
})
export type RunProgress = z.infer<typeof RunProgressSchema>

export const ShotSchema = z.object({
  label: z.enum(['desktop', 'mobile']),
  width: z.number(),
  height: z.number(),
  /** PNG path inside the app's data dir */
  file: z.string(),
  bytes: z.number(),
  blank: z.boolean(),
  timedOut: z.boolean(),
  blockedRequests: z.array(z.string()),
  error: z.string().optional(),
  /** the page's full height when taller than the shot (cut at 16,384 px) */
  pageHeight: z.number().optional(),
  /** one line for people, e.g. "page is 50,000 px tall; the first 16,384 px are shown" */
  note: z.string().optional()
})
export type ShotInfo = z.infer<typeof ShotSchema>

export const OutputFileSchema = z.object({
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted']),
  bytes: z.number(),
  /** unified diff against the template, for text files of reasonable size */
  diff: z.string().optional(),
  binary: z.boolean(),
  /** too large for a text diff: listed with its size only */
  tooLarge: z.boolean().optional()
})
export type OutputFile = z.infer<typeof OutputFileSchema>

export const FeedbackSchema = z.object({
  label: z.enum(['good', 'bad']).nullable(),
  /** one sentence about what the run produced */
  text: z.string().max(5000),
  updatedAt: z.string(),
  /** who graded: absent or 'person' is the person; 'grader' a grade the grader gave that no person confirmed (issue 21) */
  by: z.enum(['person', 'grader']).optional(),
  /** a grade the grader gave while unsure (issue 22): why; the person should look at it */
  unsure: z.object({ why: z.string() }).optional()
})
export type Feedback = z.infer<typeof FeedbackSchema>

export const RunSchema = z.object({
  id: z.string(),
  batchId: z.string(),
  /** "Run 2" in feedback: 1-based, stable within the batch */
  number: z.number().int().min(1),
  variationId: z.string().optional(),
  difficulty: DifficultySchema.optional(),
  prompt: z.string(),
  repeat: z.number().int().min(1),
  state: RunStateSchema,
  /**
   * state 'running' after its claude has exited: its outputs are being collected (files listed,
   * screenshots taken, its session archived). Not counted as running: "running" is a live claude.
   */
  collecting: z.boolean().optional(),
  /** one line: why it failed, was cancelled or interrupted */
  reason: z.string().optional(),
  workspace: z.string().optional(),
  sessionId: z.string(),
  /** the session's project folder id once found */
  projectId: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  exitCode: z.number().nullable().optional(),
  /** process id while running (so a restart can end what a crashed app left behind) */
  pid: z.number().optional(),
  /** when that process started, as the OS reports it (ms since the epoch): a reused pid is not mistaken for it */
  pidStartedAt: z.number().optional(),
  progress: RunProgressSchema,
  /** the final result text of `claude -p` */
  result: z.string().optional(),
  files: z.array(OutputFileSchema).default([]),
  screenshots: z.array(z.object({ html: z.string(), shots: z.array(ShotSchema) })).default([]),
  /** a past session added from the browser, not run by the app */
  imported: z.boolean().default(false),
  /** the person's grade of what the run produced */
  feedback: FeedbackSchema.optional(),
  /**
   * A run of a verification not every run of which is graded yet, as it is shown: what would say its
   * arm (its session, folder, times and numbers) is left out until the last grade (src/main/verify/blind.ts).
   */
  blind: z.literal(true).optional()
})
export type Run = z.infer<typeof RunSchema>

export const BatchSchema = z.object({
  id: z.string(),
  taskId: z.string().optional(),
  name: z.string(),
  createdAt: z.string(),
  settings: RunSettingsSchema,
  runIds: z.array(z.string())
})
export type Batch = z.infer<typeof BatchSchema>

export const emptyProgress = (): RunProgress => ({ turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, elapsedMs: 0 })

/** The tag of a near-miss prompt in a numbered list: "1. [normal] [near-miss] fix the README's typo". */
export const NEAR_MISS_TAG = 'near-miss'
type ListItem = { difficulty: Difficulty; prompt: string; nearMiss?: true }

/**
 * A numbered list pasted by the user: "1. [hard] prompt..." lines; continuation lines join the item.
 * Leading one-word tags in brackets: a difficulty, and `[near-miss]` (a prompt with similar words and a
 * different job, kept with the task and not run unless included); any other tag is an error naming its
 * line (a markdown link, `[text](url)`, is part of the prompt).
 */
export function parseNumberedList(text: string): { items: ListItem[]; errors: string[] } {
  const items: (ListItem & { bad?: true })[] = []
  const errors: string[] = []
  const lines = text.split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd()
    if (!line.trim()) continue
    const m = line.match(/^\s*(\d+)[.)]\s*((?:\[[^\]\s]+\](?=\s|$)\s*){0,2})(.*)$/)
    if (m) {
      const prompt = m[3].trim()
      const tags = [...m[2].matchAll(/\[([^\]\s]+)\]/g)].map((t) => t[1])
      const nearMiss = tags.some((t) => t.toLowerCase() === NEAR_MISS_TAG)
      const others = tags.filter((t) => t.toLowerCase() !== NEAR_MISS_TAG)
      const tag = others[0]?.toLowerCase()
      const unknown = others.find((t) => !(DIFFICULTIES as readonly string[]).includes(t.toLowerCase()))
      const bad = unknown !== undefined || others.length > 1
      if (unknown !== undefined)
        errors.push(
          `line ${i + 1}: item ${m[1]} has an unknown difficulty [${unknown}]: use ${DIFFICULTIES.map((d) => `[${d}]`)
            .join(', ')
            .replace(/, ([^,]*)$/, ' or $1')}, and [${NEAR_MISS_TAG}] for a near miss`
        )
      else if (others.length > 1) errors.push(`line ${i + 1}: item ${m[1]} has two difficulties: give it one`)
      else if (!prompt) errors.push(`line ${i + 1}: item ${m[1]} has no prompt`)
      // a bad item keeps its continuation lines, so they are not read as part of the one before
      items.push({
        difficulty: (!bad && tag ? tag : 'normal') as Difficulty,
        prompt,
        ...(nearMiss ? { nearMiss: true as const } : {}),
        ...(bad ? { bad: true as const } : {})
      })
    } else if (items.length) items[items.length - 1].prompt += `\n${line.trim()}`
    else errors.push(`line ${i + 1}: expected "1. prompt" (optionally "1. [hard] prompt")`)
  }
  if (!items.length && !errors.length) errors.push('no numbered items found')
  return { items: items.filter((x) => x.prompt && !x.bad).map(({ bad: _bad, ...item }) => item), errors }
}

// the feedback text (one line per graded run): ./feedback-text.ts
export { formatFeedbackLine, parseFeedback, type ParsedFeedback } from './feedback-text'

export const FilePairDiffSchema = z.object({
  path: z.string(),
  /** what each run did to the file (null: it did not touch it) */
  a: OutputFileSchema.shape.status.nullable(),
  b: OutputFileSchema.shape.status.nullable(),
  /** both runs ended with the same bytes */
  same: z.boolean(),
  binary: z.boolean(),
  /** unified diff from run A's file to run B's */
  diff: z.string().optional(),
  /** too large for a text diff (compared by content all the same) */
  tooLarge: z.boolean().optional()
})
export type FilePairDiff = z.infer<typeof FilePairDiffSchema>

/** A finished run's stored numbers: its trace's totals, with the wall-clock time it took. */
export function progressOf(n: Numbers, elapsedMs: number): RunProgress {
  return { turns: n.turns, toolCalls: n.toolCalls, tokens: n.tokens, costUsd: n.costUsd, costSource: n.costSource, elapsedMs }
}
