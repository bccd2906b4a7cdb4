/**
 * One typed reader of `claude -p --output-format stream-json --verbose`, for the runner and the
 * analysts alike. Electron-free.
 *
 * The shapes follow the official Agent SDK's message types (`SDKMessage` in
 * `@anthropic-ai/claude-agent-sdk`): `SDKSystemMessage` (init), `SDKAPIRetryMessage`,
 * `SDKAssistantMessage`, `SDKUserMessage`, `SDKResultMessage` and `SDKPartialAssistantMessage`
 * (`stream_event`, with --include-partial-messages). Only the fields we use are modelled, each
 * tolerant of a bad value (it reads as absent) so one odd field never loses a message; every other
 * field is kept as is. Anything else claude prints (other message types, other system subtypes,
 * other stream events: hooks, task notifications, rate limits...) is ignored and counted, never an
 * error; a line that is not JSON, or a known message without its required fields, is counted as
 * malformed and skipped.
 *
 * Lines are split on bytes, not on chunks: a chunk boundary in the middle of a UTF-8 character
 * never garbles the text.
 */
import { StringDecoder } from 'node:string_decoder'
import { z } from 'zod'

/** a field that reads as absent when it is missing or of the wrong type */
const optString = z.string().optional().catch(undefined)
const optNumber = z.number().optional().catch(undefined)
const optBoolean = z.boolean().optional().catch(undefined)
/** set on messages produced inside a sub-agent (the tool_use that started it) */
const parentId = z.string().nullish().catch(null)

/** token usage as the Messages API reports it (any field may be missing) */
export const StreamUsageSchema = z.looseObject({
  input_tokens: optNumber.nullable().catch(undefined),
  output_tokens: optNumber.nullable().catch(undefined),
  cache_read_input_tokens: optNumber.nullable().catch(undefined),
  cache_creation_input_tokens: optNumber.nullable().catch(undefined)
})
export type StreamUsage = z.infer<typeof StreamUsageSchema>
const optUsage = StreamUsageSchema.optional().catch(undefined)

/** one content block: text, thinking, tool_use, server_tool_use, tool_result... */
export const ContentBlockSchema = z.looseObject({
  type: z.string(),
  id: optString,
  name: optString,
  text: optString,
  /** tool_result */
  tool_use_id: optString,
  is_error: optBoolean,
  content: z.unknown().optional()
})
export type ContentBlock = z.infer<typeof ContentBlockSchema>
/** a list of blocks: one block that cannot be read is dropped, not the message */
const blocks = z
  .array(z.unknown())
  .catch([])
  .transform((list) =>
    list.flatMap((b) => {
      const r = ContentBlockSchema.safeParse(b)
      return r.success ? [r.data] : []
    })
  )

/** `SDKSystemMessage`: the first line, with the session id */
export const InitMessageSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string(),
  model: optString,
  cwd: optString,
  claude_code_version: optString,
  permissionMode: optString
})

/** `SDKAPIRetryMessage`: claude is retrying a failed API request */
export const ApiRetryMessageSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: z.number().catch(0),
  max_retries: optNumber,
  error_status: z.number().nullable().catch(null),
  error: optString
})

/** `SDKAssistantMessage`: one content block of a model response (several may share message.id) */
export const AssistantMessageSchema = z.looseObject({
  type: z.literal('assistant'),
  parent_tool_use_id: parentId,
  message: z.looseObject({
    id: optString,
    model: optString,
    content: blocks,
    usage: optUsage,
    stop_reason: optString.nullable().catch(undefined)
  }),
  error: optString
})

/** `SDKUserMessage`: the prompt, or tool results going back to the model */
export const UserMessageSchema = z.looseObject({
  type: z.literal('user'),
  parent_tool_use_id: parentId,
  message: z.looseObject({ content: z.union([z.string(), blocks]).catch([]) })
})

/** `SDKResultMessage`: the last line, with claude's own totals */
export const ResultMessageSchema = z.looseObject({
  type: z.literal('result'),
  /** success | error_during_execution | error_max_turns | error_max_budget_usd | error_max_structured_output_retries */
  subtype: z.string(),
  is_error: optBoolean,
  result: optString,
  num_turns: optNumber,
  total_cost_usd: optNumber,
  duration_ms: optNumber,
  usage: optUsage,
  /** --json-schema: the accepted answer */
  structured_output: z.unknown().optional(),
  errors: z.array(z.unknown()).optional().catch(undefined),
  session_id: optString
})

/** the streaming events we use (--include-partial-messages); others are ignored */
export const MessageStartEventSchema = z.looseObject({
  type: z.literal('message_start'),
  message: z.looseObject({ id: optString, model: optString, usage: optUsage }).catch({ id: undefined, model: undefined, usage: undefined })
})
export const ContentBlockDeltaEventSchema = z.looseObject({
  type: z.literal('content_block_delta'),
  index: optNumber,
  delta: z.looseObject({ type: z.string(), partial_json: optString, text: optString })
})
export const MessageDeltaEventSchema = z.looseObject({
  type: z.literal('message_delta'),
  usage: optUsage
})
const STREAM_EVENTS = {
  message_start: MessageStartEventSchema,
  content_block_delta: ContentBlockDeltaEventSchema,
  message_delta: MessageDeltaEventSchema
} as const

/** `SDKPartialAssistantMessage` */
export const StreamEventMessageSchema = z.looseObject({
  type: z.literal('stream_event'),
  parent_tool_use_id: parentId,
  event: z.discriminatedUnion('type', [MessageStartEventSchema, ContentBlockDeltaEventSchema, MessageDeltaEventSchema])
})

export type InitMessage = z.infer<typeof InitMessageSchema>
export type ApiRetryMessage = z.infer<typeof ApiRetryMessageSchema>
export type AssistantMessage = z.infer<typeof AssistantMessageSchema>
export type UserMessage = z.infer<typeof UserMessageSchema>
export type ResultMessage = z.infer<typeof ResultMessageSchema>
export type StreamEventMessage = z.infer<typeof StreamEventMessageSchema>
/** every message the reader yields; narrow on `type` (and `subtype` for system messages) */
export type ClaudeMessage = InitMessage | ApiRetryMessage | AssistantMessage | UserMessage | ResultMessage | StreamEventMessage

const SYSTEM_SUBTYPES = { init: InitMessageSchema, api_retry: ApiRetryMessageSchema } as const
const TYPES = {
  assistant: AssistantMessageSchema,
  user: UserMessageSchema,
  result: ResultMessageSchema,
  stream_event: StreamEventMessageSchema
} as const

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)

/** One line: a message we model, one we ignore, a malformed line, or a blank one. */
export type ParsedLine =
  { kind: 'message'; message: ClaudeMessage } | { kind: 'ignored'; type: string } | { kind: 'malformed'; line: string } | { kind: 'blank' }

export function parseLine(line: string): ParsedLine {
  const text = line.trim()
  if (!text) return { kind: 'blank' }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { kind: 'malformed', line: text.slice(0, 200) }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || typeof (raw as { type?: unknown }).type !== 'string')
    return { kind: 'malformed', line: text.slice(0, 200) }
  const o = raw as { type: string; subtype?: unknown; event?: { type?: unknown } }
  let schema: z.ZodType<ClaudeMessage> | undefined
  if (o.type === 'system') {
    schema =
      typeof o.subtype === 'string' && own(SYSTEM_SUBTYPES, o.subtype)
        ? SYSTEM_SUBTYPES[o.subtype as keyof typeof SYSTEM_SUBTYPES]
        : undefined
    if (!schema) return { kind: 'ignored', type: `system/${String(o.subtype)}` }
  } else if (own(TYPES, o.type)) {
    schema = TYPES[o.type as keyof typeof TYPES]
    // a stream event we do not use (content_block_start, ping, message_stop...) is not malformed
    if (o.type === 'stream_event') {
      const t = o.event && typeof o.event === 'object' ? o.event.type : undefined
      if (typeof t === 'string' && !own(STREAM_EVENTS, t)) return { kind: 'ignored', type: `stream_event/${t}` }
    }
  } else return { kind: 'ignored', type: o.type }
  const r = schema.safeParse(raw)
  return r.success ? { kind: 'message', message: r.data } : { kind: 'malformed', line: text.slice(0, 200) }
}

export interface StreamStats {
  /** non-blank lines read */
  lines: number
  /** messages yielded */
  messages: number
  /** lines of a kind we do not use (other message types, system subtypes, stream events) */
  ignored: number
  /** lines that are not JSON objects with a type, or known messages without their required fields */
  malformed: number
}

/**
 * Splits a byte stream into lines and yields typed messages. Feed it chunks (`push`), then `end()`
 * for a last line without a newline.
 */
export class StreamReader {
  readonly stats: StreamStats = { lines: 0, messages: 0, ignored: 0, malformed: 0 }
  private readonly decoder = new StringDecoder('utf8')
  private pending = ''

  constructor(private readonly onMessage: (message: ClaudeMessage) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk)
    let nl: number
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, nl)
      this.pending = this.pending.slice(nl + 1)
      this.line(line)
    }
  }

  end(): void {
    this.pending += this.decoder.end()
    const rest = this.pending
    this.pending = ''
    if (rest.trim()) this.line(rest)
  }

  private line(line: string): void {
    const p = parseLine(line)
    if (p.kind === 'blank') return
    this.stats.lines++
    if (p.kind === 'ignored') this.stats.ignored++
    else if (p.kind === 'malformed') this.stats.malformed++
    else {
      this.stats.messages++
      this.onMessage(p.message)
    }
  }
}

/** The typed messages of a whole stream (a child's stdout, a saved stream.jsonl). */
export async function* readMessages(source: AsyncIterable<Buffer | string>, stats?: StreamStats): AsyncGenerator<ClaudeMessage> {
  const queue: ClaudeMessage[] = []
  const reader = new StreamReader((m) => queue.push(m))
  try {
    for await (const chunk of source) {
      reader.push(chunk)
      while (queue.length) yield queue.shift()!
    }
    reader.end()
    while (queue.length) yield queue.shift()!
  } finally {
    if (stats) Object.assign(stats, reader.stats)
  }
}

/** Usage as four whole numbers (absent ones 0). */
export function usageNumbers(u: StreamUsage | undefined): { input: number; output: number; cacheRead: number; cacheCreation: number } {
  return {
    input: u?.input_tokens ?? 0,
    output: u?.output_tokens ?? 0,
    cacheRead: u?.cache_read_input_tokens ?? 0,
    cacheCreation: u?.cache_creation_input_tokens ?? 0
  }
}

/** The text of a tool_result block's content (a string, or text blocks). */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content
      .map((x) => (x && typeof x === 'object' && typeof (x as { text?: unknown }).text === 'string' ? (x as { text: string }).text : ''))
      .join(' ')
  return ''
}
