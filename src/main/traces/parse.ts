/**
 * The full parser: one Claude Code session file (plus its sub-agent transcripts) into the normalized
 * trace of src/shared/trace.ts. Tolerant by design: it never throws on any file; malformed lines,
 * unknown record types and a truncated last line are kept and reported, never dropped silently.
 */
import { readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { ImageRef, ParseWarning, SubagentTrace, ToolCallEvent, ToolResult, Trace, TraceEvent } from '../../shared/trace'
import { MAX_LINE_SHOWN, readJsonlLines } from './jsonl'
import { MAX_META, notRegular, readRegularFile, skipped, UnreadableFile } from '../base/safe-file'
import { reportedCostOf, sessionCost, totalTokens, type Numbers } from '../../shared/numbers'
import { costUsd } from './pricing'
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
import { addModel, assignOwn, deepWarning, isDeeperThan, MAX_MODEL, pruneDeep, shortString, validTimestamp } from './untrusted'

const MALFORMED_KEEP = 64 * 1024

interface LinePos {
  file: string
  lineNo: number
  offset: number
  length: number
}

/** Parsed records of one conversation (a session file, a sub-agent file, or one old-style sidechain). */
class Conversation {
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

interface ReadConversation {
  main: Conversation
  /** old format: records with isSidechain true, in file order */
  sidechain: { rec: Rec; pos: LinePos }[]
  lines: number
  bytes: number
}

async function readConversation(file: string, splitSidechain: boolean): Promise<ReadConversation> {
  const conv = new Conversation(file)
  const sidechain: { rec: Rec; pos: LinePos }[] = []
  const handleLine = (buf: Buffer, offset: number, length: number, lineNo: number, fileOffset: number, tail: boolean) => {
    const text = buf.toString('utf8', offset, offset + length)
    const pos: LinePos = { file, lineNo, offset: fileOffset, length }
    let rec: unknown
    try {
      rec = JSON.parse(text)
    } catch (err) {
      if (tail) conv.warn(lineNo, 'truncated last line (session still being written?)')
      else conv.warn(lineNo, `not JSON: ${(err as Error).message.slice(0, 120)}`)
      conv.malformed(pos, text, tail ? 'truncated' : (err as Error).message.slice(0, 200))
      return
    }
    // Nesting deep enough to overflow recursive code downstream (JSON, structured clone, zod, React).
    if (isDeeperThan(buf, offset, length)) conv.warn(lineNo, deepWarning(pruneDeep(rec)))
    if (!isObj(rec)) {
      conv.warn(lineNo, 'line is JSON but not an object')
      conv.malformed(pos, text, 'not an object')
      return
    }
    if (splitSidechain && rec.isSidechain === true) sidechain.push({ rec, pos })
    else conv.handle(rec, pos)
  }
  // A line too long to read: a placeholder in its place, and a warning.
  const onLongLine = (lineNo: number, fileOffset: number, length: number, complete: boolean) => {
    conv.warn(lineNo, `line of ${length} bytes is longer than ${MAX_LINE_SHOWN}: not read${complete ? '' : ' (truncated last line?)'}`)
    conv.malformed(
      { file, lineNo, offset: fileOffset, length },
      `[a line of ${length} bytes, longer than ${MAX_LINE_SHOWN}: not read]`,
      'too long'
    )
  }
  const r = await readJsonlLines(file, {
    onLine: (buf, o, l, n, fo) => handleLine(buf, o, l, n, fo, false),
    onLongLine
  })
  if (r.error) conv.warn(0, `cannot read file: ${r.error}`)
  if (r.partialTail) {
    // Read the unterminated last line on its own (it may be a complete record without a newline).
    const { partialTail } = r
    await readJsonlLines(file, {
      start: partialTail.offset,
      firstLineNo: partialTail.lineNo,
      includePartialTail: true,
      onLine: (buf, o, l, n, fo) => handleLine(buf, o, l, n, fo, true)
    })
  }
  return { main: conv, sidechain, lines: r.lines + (r.partialTail || r.longTail ? 1 : 0), bytes: r.bytes }
}

function toSubagent(agentId: string, conv: Conversation, extra: Partial<SubagentTrace> = {}): SubagentTrace {
  return {
    agentId,
    file: conv.file,
    events: conv.events,
    usage: conv.ledger.total(),
    models: [...conv.models],
    warnings: conv.warnings,
    ...extra
  }
}

/** Group old-style sidechain records into conversations (each rooted at a record whose parent is not a sidechain record). */
function sidechainConversations(file: string, records: { rec: Rec; pos: LinePos }[]): Conversation[] {
  const owner = new Map<string, Conversation>()
  const out: Conversation[] = []
  for (const { rec, pos } of records) {
    const parent = typeof rec.parentUuid === 'string' ? owner.get(rec.parentUuid) : undefined
    let conv = parent
    if (!conv) {
      conv = new Conversation(file)
      out.push(conv)
    }
    conv.handle(rec, pos)
    if (typeof rec.uuid === 'string') owner.set(rec.uuid, conv)
  }
  return out
}

const promptOf = (call: ToolCallEvent): string | undefined =>
  isObj(call.input) && typeof call.input.prompt === 'string' ? call.input.prompt : undefined
const isAgentCall = (call: ToolCallEvent) => call.name === 'Task' || call.name === 'Agent' || promptOf(call) !== undefined

/** The agent id a Task/Agent call's result names, when Claude Code recorded one. */
function agentIdOf(call: ToolCallEvent): string | undefined {
  const extra = call.result?.extra
  if (isObj(extra) && typeof extra.agentId === 'string') return extra.agentId
  const m = call.result?.text.match(/agentId:\s*([A-Za-z0-9_-]+)/)
  return m?.[1]
}

/** The session's numbers (src/shared/numbers.ts): the main conversation's turns; the rest over it and every sub-agent. */
function traceTotals(main: Conversation, subs: Conversation[]): Numbers {
  const all = [main, ...subs]
  let toolCalls = 0
  let toolErrors = 0
  let tokens = 0
  let estimated = 0
  for (const conv of all) {
    for (const e of conv.events) {
      if (e.kind === 'tool_call') {
        toolCalls++
        if (e.result?.isError) toolErrors++
      } else if (e.kind === 'tool_result' && e.result.isError) toolErrors++
    }
    tokens += totalTokens(conv.ledger.total())
    estimated += conv.ledger.cost(costUsd)
  }
  return { turns: main.ledger.turns, toolCalls, toolErrors, tokens, ...sessionCost(main.reportedCost, estimated) }
}

export async function parseSessionFile(file: string, opts: { sessionId?: string } = {}): Promise<Trace> {
  const read = await readConversation(file, true)
  const main = read.main
  const sessionId = opts.sessionId ?? basename(file, '.jsonl')
  const subagents: SubagentTrace[] = []
  const subConvs: Conversation[] = []
  const firstPrompts = new Map<string, string | undefined>()

  // Current format: <dir>/<session-id>/subagents/agent-<id>.jsonl (+ agent-<id>.meta.json). The folder
  // may be a copy from anywhere: only regular files are read (no link followed, no FIFO waited on).
  const subDir = join(dirname(file), basename(file, '.jsonl'), 'subagents')
  let names: string[] = []
  try {
    const entries = (await readdir(subDir, { withFileTypes: true })).filter((e) => e.name.endsWith('.jsonl'))
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const what = notRegular(e)
      if (what) main.warn(0, skipped(what), join(subDir, e.name))
      else names.push(e.name)
    }
  } catch {
    /* no sub-agents */
    names = []
  }
  for (const name of names) {
    const subFile = join(subDir, name)
    const sub = await readConversation(subFile, false)
    const agentId = name.replace(/^agent-/, '').replace(/\.jsonl$/, '')
    const metaFile = join(subDir, name.replace(/\.jsonl$/, '.meta.json'))
    let meta: unknown
    try {
      const bytes = await readRegularFile(metaFile, MAX_META)
      meta = JSON.parse(bytes.toString('utf8'))
      if (isDeeperThan(bytes, 0, bytes.length)) main.warn(1, deepWarning(pruneDeep(meta)), metaFile)
    } catch (err) {
      // optional; one that is there but not readable as what it says is named
      if (err instanceof UnreadableFile) main.warn(0, err.message, metaFile)
    }
    const m = isObj(meta) ? meta : {}
    subConvs.push(sub.main)
    subagents.push(
      toSubagent(agentId, sub.main, {
        meta,
        description: typeof m.description === 'string' ? m.description : undefined,
        agentType: typeof m.agentType === 'string' ? m.agentType : typeof m.subagent_type === 'string' ? m.subagent_type : undefined
      })
    )
    firstPrompts.set(agentId, sub.main.firstUserText)
  }
  // Old format: isSidechain lines inline.
  sidechainConversations(file, read.sidechain).forEach((conv, i) => {
    const id = `sidechain-${i + 1}`
    subConvs.push(conv)
    subagents.push(toSubagent(id, conv))
    firstPrompts.set(id, conv.firstUserText)
  })

  // Link each sub-agent to the call that started it: by the agent id in the call's result, else by prompt.
  const calls = main.toolCalls().filter(isAgentCall)
  const taken = new Set<string>()
  for (const sub of subagents) {
    const byMeta =
      isObj(sub.meta) && typeof sub.meta.toolUseId === 'string' ? calls.find((c) => c.id === (sub.meta as Rec).toolUseId) : undefined
    if (byMeta && !byMeta.subagentId) link(byMeta, sub)
  }
  for (const call of calls) {
    if (call.subagentId) continue
    const id = agentIdOf(call)
    const sub = id ? subagents.find((s) => s.agentId === id) : undefined
    if (sub && !taken.has(sub.agentId)) link(call, sub)
  }
  for (const call of calls) {
    if (call.subagentId) continue
    const prompt = promptOf(call)?.trim()
    const sub = subagents.find((s) => !taken.has(s.agentId) && prompt && firstPrompts.get(s.agentId)?.trim() === prompt)
    if (sub) link(call, sub)
  }
  function link(call: ToolCallEvent, sub: SubagentTrace) {
    call.subagentId = sub.agentId
    sub.parentToolUseId = call.id
    if (!sub.description && isObj(call.input) && typeof call.input.description === 'string') sub.description = call.input.description
    if (!sub.agentType && isObj(call.input) && typeof call.input.subagent_type === 'string') sub.agentType = call.input.subagent_type
    taken.add(sub.agentId)
  }

  const usage = main.ledger.total()
  const totals = traceTotals(main, subConvs)
  return {
    sessionId,
    file,
    cwd: main.cwd,
    fromArchive: false,
    events: main.events,
    subagents,
    usage,
    models: [...main.models],
    costUsd: totals.costUsd,
    totals,
    lines: read.lines,
    bytes: read.bytes,
    warnings: main.warnings
  }
}
