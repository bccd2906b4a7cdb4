/**
 * The normalized trace model: what every part of the app (parser, store, IPC, UI, CLI) speaks.
 * Pure data + zod schemas; safe to import from main, preload, renderer and the CLI.
 */
import { z } from 'zod'
import { CostSourceSchema, NumbersSchema } from './numbers'

/**
 * A session id: the name of its file without `.jsonl` (Claude Code's are UUIDs; copied sessions and
 * sub-agents use other plain names, e.g. `agent-a8c94204ceff97979`, and a copied file may be named
 * anything, `my run (2)`). One file name: no `/`, `\` or control characters, not starting with a dot,
 * at most 200 characters, and never a name Object.prototype has (`__proto__`...): an id from outside is
 * looked up among the files listed, and can never spell a path or a prototype key.
 */
export const SESSION_ID = /^[^./\\\u0000-\u001f][^/\\\u0000-\u001f]{0,199}$/
export const isSessionId = (v: unknown): v is string => typeof v === 'string' && SESSION_ID.test(v) && !(v in Object.prototype)
export const SessionIdSchema = z
  .string()
  .refine(isSessionId, { message: 'not a session id (one file name: no "/", "\\" or control characters, not starting with ".")' })

export const UsageSchema = z.object({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheCreation: z.number()
})
export type Usage = z.infer<typeof UsageSchema>
export const emptyUsage = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 })

/** A base64 image left in its file: found again by byte offset, never loaded into the event list. */
export const ImageRefSchema = z.object({
  file: z.string(),
  /** byte offset of the line that holds the image */
  offset: z.number().int().min(0),
  /** byte length of that line (the reader takes lines up to 512 MiB) */
  length: z
    .number()
    .int()
    .min(1)
    .max(512 * 1024 * 1024),
  /** the n-th image within that line (document order) */
  index: z.number().int().min(0),
  mediaType: z.string(),
  /** size of the base64 data in bytes */
  bytes: z.number().int().min(0)
})
export type ImageRef = z.infer<typeof ImageRefSchema>

export const ParseWarningSchema = z.object({
  file: z.string(),
  line: z.number(),
  message: z.string()
})
export type ParseWarning = z.infer<typeof ParseWarningSchema>

const base = {
  /** 1-based line number in its file */
  line: z.number(),
  uuid: z.string().optional(),
  parentUuid: z.string().nullable().optional(),
  ts: z.string().optional(),
  /** index of the conversation turn (a turn starts at each real user prompt); 0 = before the first prompt */
  turn: z.number()
}

export const ToolResultSchema = z.object({
  line: z.number(),
  ts: z.string().optional(),
  text: z.string(),
  isError: z.boolean(),
  images: z.array(ImageRefSchema),
  /** the structured `toolUseResult` Claude Code stores beside the result, if any */
  extra: z.unknown().optional()
})
export type ToolResult = z.infer<typeof ToolResultSchema>

export const TraceEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    ...base,
    text: z.string(),
    images: z.array(ImageRefSchema),
    /** Claude Code marks injected context (caveats, command output) as meta */
    isMeta: z.boolean()
  }),
  z.object({ kind: z.literal('assistant'), ...base, messageId: z.string().optional(), model: z.string().optional(), text: z.string() }),
  z.object({ kind: z.literal('thinking'), ...base, text: z.string(), redacted: z.boolean() }),
  z.object({
    kind: z.literal('tool_call'),
    ...base,
    id: z.string(),
    name: z.string(),
    input: z.unknown(),
    messageId: z.string().optional(),
    result: ToolResultSchema.optional(),
    /** set when this call started a sub-agent whose transcript is in `Trace.subagents` */
    subagentId: z.string().optional()
  }),
  /** a tool_result whose tool_use was never seen */
  z.object({ kind: z.literal('tool_result'), ...base, toolUseId: z.string(), result: ToolResultSchema }),
  z.object({
    kind: z.literal('compaction'),
    ...base,
    trigger: z.string().optional(),
    preTokens: z.number().optional(),
    summary: z.string().optional(),
    /** line of the summary record merged into this event */
    summaryLine: z.number().optional()
  }),
  z.object({ kind: z.literal('summary'), ...base, text: z.string(), leafUuid: z.string().optional() }),
  z.object({ kind: z.literal('system'), ...base, subtype: z.string().optional(), level: z.string().optional(), text: z.string() }),
  /** known Claude Code bookkeeping records (attachment, queue-operation, file-history-snapshot, last-prompt...) */
  z.object({ kind: z.literal('meta'), ...base, recordType: z.string(), raw: z.unknown() }),
  /** record types this parser does not know: kept whole, never dropped */
  z.object({ kind: z.literal('unknown'), ...base, recordType: z.string(), raw: z.unknown() }),
  /** a line that is not JSON: its text is kept (cut at 64 KiB) */
  z.object({ kind: z.literal('malformed'), ...base, text: z.string(), bytes: z.number(), error: z.string() })
])
export type TraceEvent = z.infer<typeof TraceEventSchema>
export type TraceEventKind = TraceEvent['kind']
export type ToolCallEvent = Extract<TraceEvent, { kind: 'tool_call' }>

export const SubagentTraceSchema = z.object({
  agentId: z.string(),
  /** file the transcript came from (a subagents/agent-*.jsonl file, or the session file for old isSidechain lines) */
  file: z.string(),
  description: z.string().optional(),
  agentType: z.string().optional(),
  /** id of the Task/Agent tool call that started it, when known */
  parentToolUseId: z.string().optional(),
  events: z.array(TraceEventSchema),
  usage: UsageSchema,
  models: z.array(z.string()),
  meta: z.unknown().optional(),
  warnings: z.array(ParseWarningSchema)
})
export type SubagentTrace = z.infer<typeof SubagentTraceSchema>

export const TraceSchema = z.object({
  sessionId: z.string(),
  file: z.string(),
  cwd: z.string().optional(),
  /** true when read from the app's archive because the original is gone */
  fromArchive: z.boolean(),
  events: z.array(TraceEventSchema),
  subagents: z.array(SubagentTraceSchema),
  /** the main conversation's tokens (sub-agents' are in theirs; `totals.tokens` has them all) */
  usage: UsageSchema,
  models: z.array(z.string()),
  /** the session's cost, = totals.costUsd (see src/shared/numbers.ts) */
  costUsd: z.number(),
  /** turns, tool calls, tool errors, tokens and cost by the definitions of src/shared/numbers.ts: what every screen shows */
  totals: NumbersSchema,
  lines: z.number(),
  bytes: z.number(),
  warnings: z.array(ParseWarningSchema)
})
export type Trace = z.infer<typeof TraceSchema>

export const SessionSummarySchema = z.object({
  sessionId: z.string(),
  /** the project folder id (Claude Code's folder name under projects/, or an opened folder's path) */
  projectId: z.string(),
  file: z.string(),
  cwd: z.string().optional(),
  firstPrompt: z.string(),
  start: z.string().optional(),
  end: z.string().optional(),
  durationMs: z.number(),
  /** model responses in the main conversation (src/shared/numbers.ts) */
  turns: z.number(),
  /** messages a person typed */
  prompts: z.number().optional(),
  toolCalls: z.number(),
  toolErrors: z.number(),
  models: z.array(z.string()),
  /** main conversation and sub-agents */
  usage: UsageSchema,
  costUsd: z.number(),
  /** absent: estimated */
  costSource: CostSourceSchema.optional(),
  bytes: z.number(),
  lines: z.number(),
  subagents: z.number(),
  gitBranch: z.string().optional(),
  version: z.string().optional(),
  warnings: z.number(),
  pinned: z.boolean(),
  archived: z.boolean(),
  /** the original file is gone; the session is served from the archive */
  missing: z.boolean()
})
export type SessionSummary = z.infer<typeof SessionSummarySchema>

export const ProjectSchema = z.object({
  id: z.string(),
  /** folder that holds the session files */
  dir: z.string(),
  /** the real working directory, read from the sessions' `cwd` field */
  cwd: z.string().optional(),
  sessions: z.number(),
  lastActivity: z.string().optional(),
  bytes: z.number(),
  /** opened by the user with "open any folder" rather than found under the Claude config dir */
  opened: z.boolean(),
  /** a folder trace2skill ran one of its own runs in (its data dir's workspaces/<batch>/run-<n>-…, or blind-… for a verification's) */
  run: z
    .object({
      batchId: z.string(),
      /** the batch's and its task's names, while they are in the store */
      batch: z.string().optional(),
      task: z.string().optional(),
      /** the run's number; unknown for an earlier attempt of a verification's run (its folder is not named by number) */
      number: z.number().optional(),
      /** the run's state; "earlier attempt" when the run was retried in a new folder since */
      state: z.string().optional()
    })
    .optional()
})
export type Project = z.infer<typeof ProjectSchema>
