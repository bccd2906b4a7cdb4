/**
 * One conversation of a session (the session file, a sub-agent's file, or one old-style sidechain):
 * its records, in file order, into the normalized events of src/shared/trace.ts, with the usage,
 * models and warnings met on the way. Tolerant: a record of any shape becomes an event.
 */
import type { ImageRef, ParseWarning, ToolCallEvent, ToolResult, TraceEvent } from '../../shared/trace'
import { reportedCostOf } from '../../shared/numbers'
import {
  contentBlocks,
  imageBlocks,
  implausibleTokens,
  isObj,
  isRealPrompt,
  isTokenCount,
  META_TYPES,
  SYNTHETIC_MODEL,
  usageOf,
  UsageLedger,
  type Rec
} from './records'
import { addModel, assignOwn, MAX_MODEL, shortString, validTimestamp } from './untrusted'

const MALFORMED_KEEP = 64 * 1024

export interface LinePos {
  file: string
  lineNo: number
  offset: number
  length: number
}

/** Parsed records of one conversation (a session file, a sub-agent file, or one old-style sidechain). */
export class Conversation {
  readonly events: TraceEvent[] = []
  readonly warnings: ParseWarning[] = []
  readonly ledger = new UsageLedger()
  readonly models = new Set<string>()
  private readonly calls = new Map<string, ToolCallEvent>()
  private turn = 0
  private lastCompaction: Extract<TraceEvent, { kind: 'compaction' }> | null = null
  /** Claude Code's own cost of the session (its last cost-state record), unless the conversation went on after it */
  reportedCost: number | undefined
  cwd: string | undefined
  sessionId: string | undefined
  firstUserText: string | undefined

  constructor(readonly file: string) {}

  toolCalls(): ToolCallEvent[] {
    return [...this.calls.values()]
  }

  warn(line: number, message: string, file = this.file): void {
    this.warnings.push({ file, line, message })
  }

  private base(rec: Rec, pos: LinePos) {
    return {
      line: pos.lineNo,
      uuid: typeof rec.uuid === 'string' ? rec.uuid : undefined,
      parentUuid: typeof rec.parentUuid === 'string' || rec.parentUuid === null ? rec.parentUuid : undefined,
      ts: validTimestamp(rec.timestamp),
      turn: this.turn
    }
  }

  private imageRef(block: Rec, all: Rec[], pos: LinePos): ImageRef {
    return {
      file: pos.file,
      offset: pos.offset,
      length: pos.length,
      index: all.indexOf(block),
      mediaType: String(block.source?.media_type ?? 'application/octet-stream'),
      bytes: String(block.source?.data ?? '').length
    }
  }

  private toolResult(block: Rec, rec: Rec, images: Rec[], pos: LinePos): ToolResult {
    const texts: string[] = []
    const refs: ImageRef[] = []
    const c = block.content
    if (typeof c === 'string') texts.push(c)
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (!isObj(part)) continue
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text)
        else if (images.includes(part)) refs.push(this.imageRef(part, images, pos))
        else texts.push(JSON.stringify(part))
      }
    }
    return {
      line: pos.lineNo,
      ts: validTimestamp(rec.timestamp),
      text: texts.join('\n'),
      isError: block.is_error === true,
      images: refs,
      extra: rec.toolUseResult === undefined ? undefined : stripBase64(rec.toolUseResult)
    }
  }

  handle(rec: Rec, pos: LinePos): void {
    if (!this.cwd) this.cwd = shortString(rec.cwd)
    if (!this.sessionId) this.sessionId = shortString(rec.sessionId)
    const type = typeof rec.type === 'string' ? rec.type : ''
    const reported = reportedCostOf(rec)
    if (reported !== undefined) this.reportedCost = reported
    switch (type) {
      case 'user':
        return this.user(rec, pos)
      case 'assistant':
        return this.assistant(rec, pos)
      case 'system':
        if (rec.subtype === 'compact_boundary') {
          const meta = isObj(rec.compactMetadata) ? rec.compactMetadata : {}
          const ev: Extract<TraceEvent, { kind: 'compaction' }> = {
            kind: 'compaction',
            ...this.base(rec, pos),
            trigger: typeof meta.trigger === 'string' ? meta.trigger : undefined,
            preTokens: isTokenCount(meta.preTokens) ? meta.preTokens : undefined
          }
          this.lastCompaction = ev
          this.events.push(ev)
          return
        }
        this.events.push({
          kind: 'system',
          ...this.base(rec, pos),
          subtype: typeof rec.subtype === 'string' ? rec.subtype : undefined,
          level: typeof rec.level === 'string' ? rec.level : undefined,
          text: typeof rec.content === 'string' ? rec.content : JSON.stringify(rec.content ?? rec.subtype ?? '')
        })
        return
      case 'summary':
        this.events.push({
          kind: 'summary',
          ...this.base(rec, pos),
          text: String(rec.summary ?? ''),
          leafUuid: typeof rec.leafUuid === 'string' ? rec.leafUuid : undefined
        })
        return
      default:
        this.events.push({
          kind: META_TYPES.has(type) ? 'meta' : 'unknown',
          ...this.base(rec, pos),
          recordType: type || '(no type)',
          raw: stripBase64(rec)
        })
    }
  }

  private user(rec: Rec, pos: LinePos): void {
    const blocks = contentBlocks(rec.message)
    const images = imageBlocks(rec.message)
    if (rec.isCompactSummary === true) {
      const text = blocks
        .filter((b) => b.type === 'text')
        .map((b) => String(b.text ?? ''))
        .join('\n')
      if (this.lastCompaction && this.lastCompaction.summary === undefined) {
        this.lastCompaction.summary = text
        this.lastCompaction.summaryLine = pos.lineNo
      } else this.events.push({ kind: 'compaction', ...this.base(rec, pos), summary: text, summaryLine: pos.lineNo })
      return
    }
    const prompt = isRealPrompt(rec)
    if (prompt) this.turn++
    const texts: string[] = []
    const refs: ImageRef[] = []
    let others = 0
    for (const b of blocks) {
      if (b.type === 'tool_result') {
        const id = String(b.tool_use_id ?? '')
        const result = this.toolResult(b, rec, images, pos)
        const call = this.calls.get(id)
        if (call && !call.result) call.result = result
        else this.events.push({ kind: 'tool_result', ...this.base(rec, pos), toolUseId: id, result })
      } else if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text)
      else if (images.includes(b)) refs.push(this.imageRef(b, images, pos))
      else others++
    }
    if (texts.length || refs.length || (others > 0 && !blocks.some((b) => b.type === 'tool_result')) || blocks.length === 0) {
      const text = texts.join('\n')
      if (prompt && this.firstUserText === undefined) this.firstUserText = text
      this.events.push({ kind: 'user', ...this.base(rec, pos), text, images: refs, isMeta: !prompt })
    }
    if (others > 0) {
      for (const b of blocks) {
        if (b.type === 'tool_result' || b.type === 'text' || images.includes(b)) continue
        this.events.push({ kind: 'unknown', ...this.base(rec, pos), recordType: `user:${String(b.type)}`, raw: stripBase64(b) })
      }
    }
  }

  private assistant(rec: Rec, pos: LinePos): void {
    const msg = isObj(rec.message) ? rec.message : {}
    const messageId = typeof msg.id === 'string' ? msg.id : undefined
    const model = shortString(msg.model, MAX_MODEL)
    if (model && model !== SYNTHETIC_MODEL) addModel(this.models, model)
    const usage = usageOf(msg.usage)
    if (usage?.bad.length) this.warn(pos.lineNo, implausibleTokens(usage.bad))
    if (model !== SYNTHETIC_MODEL) {
      this.ledger.message(messageId, model, usage?.usage)
      // the conversation went on after Claude Code wrote its cost: that figure is not the whole
      this.reportedCost = undefined
    }
    const blocks = contentBlocks(msg)
    for (const b of blocks) {
      const base = this.base(rec, pos)
      if (b.type === 'text') this.events.push({ kind: 'assistant', ...base, messageId, model, text: String(b.text ?? '') })
      else if (b.type === 'thinking') this.events.push({ kind: 'thinking', ...base, text: String(b.thinking ?? ''), redacted: false })
      else if (b.type === 'redacted_thinking') this.events.push({ kind: 'thinking', ...base, text: '', redacted: true })
      else if (b.type === 'tool_use' || b.type === 'server_tool_use') {
        const ev: ToolCallEvent = {
          kind: 'tool_call',
          ...base,
          id: String(b.id ?? ''),
          name: String(b.name ?? '?'),
          input: b.input,
          messageId
        }
        this.calls.set(ev.id, ev)
        this.events.push(ev)
      } else this.events.push({ kind: 'unknown', ...base, recordType: `assistant:${String(b.type)}`, raw: stripBase64(b) })
    }
    if (blocks.length === 0) this.events.push({ kind: 'assistant', ...this.base(rec, pos), messageId, model, text: '' })
  }

  malformed(pos: LinePos, text: string, error: string): void {
    this.events.push({
      kind: 'malformed',
      line: pos.lineNo,
      turn: this.turn,
      text: text.length > MALFORMED_KEEP ? text.slice(0, MALFORMED_KEEP) : text,
      bytes: pos.length,
      error
    })
  }
}

/**
 * Replace base64 payloads (kept in the file, reachable through ImageRef) by a short note. Values are
 * at most MAX_DEPTH deep here (lines are pruned when read), so the recursion is bounded.
 */
function stripBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripBase64)
  if (!isObj(value)) return value
  const out: Rec = {}
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'data' || k === 'base64') && typeof v === 'string' && v.length > 1024)
      out[k] = `[${v.length} bytes of base64 left in the file]`
    else assignOwn(out, k, stripBase64(v))
  }
  return out
}
