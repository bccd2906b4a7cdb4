/**
 * The fast, incremental session summary used to index thousands of sessions. It agrees with the full
 * parser (tests hold it to that) but parses only what a summary needs: small lines are parsed, large
 * ones (tool results with file contents or images, big Write inputs) are read by structural byte
 * patterns, which cannot occur inside JSON strings because quotes there are escaped.
 *
 * A checkpoint carries the running state, so a file that grew is read only from where it was left.
 */
import { statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { PricedUsage } from '../../shared/models'
import { reportedCostOf, sessionCost, type CostSource } from '../../shared/numbers'
import { emptyUsage, type Usage } from '../../shared/trace'
import { readJsonlLines } from './jsonl'
import { costUsd } from './pricing'
import { contentBlocks, isObj, isRealPrompt, promptText, SYNTHETIC_MODEL, usageOf, type Rec } from './records'
import { addModel, isDeeperThan, MAX_MODEL, shortString, validTimestamp } from './untrusted'

/** Bump when the summary's meaning changes: cached summaries of another version are recomputed. */
export const SUMMARY_VERSION = 6

/** Lines longer than this are read by byte patterns instead of JSON.parse. */
export const BIG_LINE = 2 * 1024
/** Message ids kept open for de-duplication across appends (Claude Code writes a message's lines together). */
const OPEN_IDS = 64
const FIRST_PROMPT_MAX = 500

interface Counts {
  toolCalls: number
  toolErrors: number
  usage: Usage
  costUsd: number
}

export interface SummaryState {
  sessionId?: string
  cwd?: string
  firstPrompt?: string
  start?: string
  end?: string
  gitBranch?: string
  version?: string
  /** model responses of the main conversation (src/shared/numbers.ts) */
  turns: number
  /** messages a person typed */
  prompts: number
  /** Claude Code's own cost (the last cost-state record), unless the conversation went on after it */
  reported?: number
  models: string[]
  main: Counts
  /** old-format inline sub-agent (isSidechain) lines */
  side: Counts
  sidechainRoots: number
  sidechainUuids: string[]
  warnings: number
  lines: number
  /** message ids still open: [id, usage, model, sidechain] */
  open: [string, PricedUsage, string, boolean][]
}

export interface SummaryCheckpoint {
  offset: number
  size: number
  mtimeMs: number
  state: SummaryState
}

export interface FileSummary {
  sessionId: string
  cwd?: string
  firstPrompt: string
  start?: string
  end?: string
  durationMs: number
  /** the numbers of src/shared/numbers.ts: turns of the main conversation; tool calls, errors, usage
   * and cost with old-format inline sub-agents included (sub-agent files are summarized on their own) */
  turns: number
  prompts: number
  toolCalls: number
  toolErrors: number
  models: string[]
  usage: Usage
  costUsd: number
  costSource: CostSource
  bytes: number
  lines: number
  subagents: number
  gitBranch?: string
  version?: string
  warnings: number
  checkpoint: SummaryCheckpoint
}

const emptyCounts = (): Counts => ({ toolCalls: 0, toolErrors: 0, usage: emptyUsage(), costUsd: 0 })
const freshState = (): SummaryState => ({
  turns: 0,
  prompts: 0,
  models: [],
  main: emptyCounts(),
  side: emptyCounts(),
  sidechainRoots: 0,
  sidechainUuids: [],
  warnings: 0,
  lines: 0,
  open: []
})

function addUsage(c: Counts, u: PricedUsage, model: string): void {
  c.usage.input += u.input
  c.usage.output += u.output
  c.usage.cacheRead += u.cacheRead
  c.usage.cacheCreation += u.cacheCreation
  c.costUsd += costUsd(model, u)
}

/** Count occurrences of an ASCII pattern in a buffer slice. */
function count(line: Buffer, pattern: string): number {
  let n = 0
  let at = line.indexOf(pattern)
  while (at !== -1) {
    n++
    at = line.indexOf(pattern, at + pattern.length)
  }
  return n
}

/** The string value after a structural `"key":"` (first or last occurrence), unescaped enough for ids and dates. */
function stringAfter(line: Buffer, key: string, last = false): string | undefined {
  const pattern = `"${key}":"`
  const at = last ? line.lastIndexOf(pattern) : line.indexOf(pattern)
  if (at === -1) return undefined
  const from = at + pattern.length
  const end = line.indexOf('"', from)
  if (end === -1 || end - from > 4096) return undefined
  return line.toString('utf8', from, end)
}

/** The balanced JSON object after a structural `"key":{` (strings inside respected). */
function objectAfter(line: Buffer, key: string): unknown {
  const pattern = `"${key}":{`
  const at = line.lastIndexOf(pattern)
  if (at === -1) return undefined
  const from = at + pattern.length - 1
  let depth = 0
  let inString = false
  for (let i = from; i < line.length && i - from < 65536; i++) {
    const c = line[i]
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped char
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123) depth++
    else if (c === 125 && --depth === 0) {
      try {
        return JSON.parse(line.toString('utf8', from, i + 1))
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

class Summarizer {
  private readonly open: Map<string, { usage: PricedUsage; model: string; side: boolean }>
  private readonly models: Set<string>
  private readonly sideUuids: Set<string>
  private anon = 0

  constructor(
    readonly s: SummaryState,
    private readonly allMain: boolean
  ) {
    this.open = new Map(s.open.map(([id, usage, model, side]) => [id, { usage, model, side }]))
    this.models = new Set(s.models)
    this.sideUuids = new Set(s.sidechainUuids)
  }

  private stamp(value: unknown): void {
    const ts = validTimestamp(value)
    if (!ts) return
    if (!this.s.start) this.s.start = ts
    this.s.end = ts
  }

  /** A line of an assistant message: its message is one turn (main conversation), its usage counted once. */
  private message(id: string | undefined, model: string | undefined, read: ReturnType<typeof usageOf>, side: boolean): void {
    // Implausible counts are warnings of the file's own conversation (the full parser files an old
    // inline sub-agent's under that sub-agent).
    if (read?.bad.length && !side) this.s.warnings++
    if (model === SYNTHETIC_MODEL) return
    const key = id ?? `#anon-${this.anon++}-${this.s.lines}`
    const prev = this.open.get(key)
    if (!side) {
      if (!prev) this.s.turns++
      // the conversation went on after Claude Code wrote its cost: that figure is not the whole
      this.s.reported = undefined
    }
    const u = read?.usage
    if (prev && (!u || prev.usage.output > u.output)) return
    if (prev) this.open.delete(key) // re-insert: most recent last
    this.open.set(key, { usage: u ?? emptyUsage(), model: model ?? prev?.model ?? '', side })
    while (this.open.size > OPEN_IDS) {
      const [oldest, v] = this.open.entries().next().value as [string, { usage: PricedUsage; model: string; side: boolean }]
      this.open.delete(oldest)
      addUsage(v.side ? this.s.side : this.s.main, v.usage, v.model)
    }
  }

  private sidechain(rec: { parentUuid?: unknown; uuid?: unknown }): void {
    if (typeof rec.parentUuid !== 'string' || !this.sideUuids.has(rec.parentUuid)) this.s.sidechainRoots++
    if (typeof rec.uuid === 'string') this.sideUuids.add(rec.uuid)
  }

  /** A parsed record. */
  record(rec: Rec): void {
    this.stamp(rec.timestamp)
    if (!this.s.cwd) this.s.cwd = shortString(rec.cwd)
    if (!this.s.sessionId) this.s.sessionId = shortString(rec.sessionId)
    if (!this.s.version) this.s.version = shortString(rec.version)
    if (!this.s.gitBranch) this.s.gitBranch = shortString(rec.gitBranch) || undefined
    const reported = reportedCostOf(rec)
    if (reported !== undefined) this.s.reported = reported
    const side = !this.allMain && rec.isSidechain === true
    if (side) this.sidechain(rec)
    const c = side ? this.s.side : this.s.main
    if (rec.type === 'assistant') {
      const msg = isObj(rec.message) ? rec.message : {}
      const model = shortString(msg.model, MAX_MODEL)
      if (!side && model && model !== SYNTHETIC_MODEL) addModel(this.models, model)
      this.message(typeof msg.id === 'string' ? msg.id : undefined, model, usageOf(msg.usage), side)
      for (const b of contentBlocks(msg)) if (b.type === 'tool_use' || b.type === 'server_tool_use') c.toolCalls++
    } else if (rec.type === 'user') {
      for (const b of contentBlocks(rec.message)) if (b.type === 'tool_result' && b.is_error === true) c.toolErrors++
      if (!side && isRealPrompt(rec)) {
        this.s.prompts++
        if (this.s.firstPrompt === undefined) this.s.firstPrompt = promptText(rec).slice(0, FIRST_PROMPT_MAX)
      }
    }
  }

  /** A big line, read by byte patterns; falls back to parsing where patterns cannot decide. */
  big(line: Buffer): boolean {
    // A cut or garbled line is left to JSON.parse, which reports it.
    if (line[0] !== 123 || line[line.length - 1] !== 125) return false
    const isUser = line.indexOf('"type":"user"') !== -1
    const isAssistant = !isUser && line.indexOf('"type":"assistant"') !== -1
    if (!isUser && !isAssistant) {
      // Bookkeeping (attachments, request logs...): only its time and context fields count.
      if (line.indexOf('"isSidechain":true') !== -1 && !this.allMain) return false
      if (line.indexOf('"type":"cost-state"') !== -1) return false // Claude Code's cost: parse it
      this.stamp(stringAfter(line, 'timestamp', true))
      if (!this.s.cwd) this.s.cwd = stringAfter(line, 'cwd')
      if (!this.s.version) this.s.version = stringAfter(line, 'version')
      if (!this.s.gitBranch) this.s.gitBranch = stringAfter(line, 'gitBranch') || undefined
      return true
    }
    if (isUser && line.indexOf('"type":"tool_result"') === -1) return false // a (big) prompt: parse it
    if (line.indexOf('"isCompactSummary":true') !== -1) return false
    const side = !this.allMain && line.indexOf('"isSidechain":true') !== -1
    if (side) this.sidechain({ parentUuid: stringAfter(line, 'parentUuid'), uuid: stringAfter(line, 'uuid', true) })
    this.stamp(stringAfter(line, 'timestamp', true))
    if (!this.s.cwd) this.s.cwd = stringAfter(line, 'cwd')
    if (!this.s.sessionId) this.s.sessionId = stringAfter(line, 'sessionId')
    if (!this.s.version) this.s.version = stringAfter(line, 'version')
    if (!this.s.gitBranch) this.s.gitBranch = stringAfter(line, 'gitBranch') || undefined
    const c = side ? this.s.side : this.s.main
    if (isUser) {
      c.toolErrors += count(line, '"is_error":true')
    } else {
      const msgAt = line.indexOf('"message":{')
      const msg = msgAt === -1 ? line : line.subarray(msgAt)
      const model = shortString(stringAfter(msg, 'model'), MAX_MODEL)
      if (!side && model && model !== SYNTHETIC_MODEL) addModel(this.models, model)
      this.message(stringAfter(msg, 'id'), model, usageOf(objectAfter(line, 'usage')), side)
      c.toolCalls += count(line, '"type":"tool_use"') + count(line, '"type":"server_tool_use"')
    }
    return true
  }

  finish(): SummaryState {
    this.s.models = [...this.models]
    this.s.sidechainUuids = [...this.sideUuids]
    this.s.open = [...this.open].map(([id, v]) => [id, v.usage, v.model, v.side])
    return this.s
  }
}

/** Totals with the still-open message ids folded in. */
function totals(state: SummaryState): { main: Counts; side: Counts } {
  const main = structuredClone(state.main)
  const side = structuredClone(state.side)
  for (const [, usage, model, isSide] of state.open) addUsage(isSide ? side : main, usage, model)
  return { main, side }
}

const isSubagentFile = (file: string) => basename(dirname(file)) === 'subagents' && basename(file).startsWith('agent-')

export async function summarizeFile(file: string, prev?: SummaryCheckpoint, opts: { sync?: boolean } = {}): Promise<FileSummary> {
  const sync = !!opts.sync
  let st: { size: number; mtimeMs: number } | null = null
  try {
    st = sync ? statSync(file) : await stat(file)
  } catch {
    /* reported as a warning below */
  }
  const size = st?.size ?? 0
  const resume = prev && st && size >= prev.size && prev.offset <= prev.size ? prev : undefined
  const state: SummaryState = resume ? structuredClone(resume.state) : freshState()
  const sm = new Summarizer(state, isSubagentFile(file))

  // Warnings as the full parser gives them: one per line that is not JSON or not an object, one per
  // JSON line nested too deep (the parser prunes it), one per line with implausible token counts.
  const onLine = (buf: Buffer, offset: number, length: number) => {
    state.lines++
    if (length > BIG_LINE && sm.big(buf.subarray(offset, offset + length))) {
      if (isDeeperThan(buf, offset, length)) state.warnings++
      return
    }
    let rec: unknown
    try {
      rec = JSON.parse(buf.toString('utf8', offset, offset + length))
    } catch {
      state.warnings++
      return
    }
    if (isDeeperThan(buf, offset, length)) state.warnings++
    if (isObj(rec)) sm.record(rec)
    else state.warnings++
  }
  // a line too long to read: one warning, as the parser gives (an unterminated one is counted below)
  const onLongLine = (_lineNo: number, _offset: number, _length: number, complete: boolean) => {
    if (!complete) return
    state.lines++
    state.warnings++
  }
  const r = await readJsonlLines(file, { start: resume?.offset ?? 0, onLine, onLongLine, sync })
  if (r.error) state.warnings++

  // An unterminated last line: count it now (it may be complete JSON), but resume before it next time.
  const saved = structuredClone(sm.finish())
  let tailWarning = 0
  let tailLine = 0
  if (r.longTail) {
    tailLine = 1
    tailWarning = 1
  } else if (r.partialTail) {
    tailLine = 1
    await readJsonlLines(file, {
      start: r.partialTail.offset,
      includePartialTail: true,
      sync,
      onLine(buf, o, l) {
        try {
          const rec = JSON.parse(buf.toString('utf8', o, o + l))
          if (isDeeperThan(buf, o, l)) tailWarning++
          if (isObj(rec)) sm.record(rec)
          else tailWarning++
        } catch {
          tailWarning++
        }
      }
    })
  }
  const view = sm.finish()
  const t = totals(view)
  const start = view.start
  const end = view.end
  // start and end are valid dates (stamp() takes nothing else); a clock that went back is 0, not negative.
  const durationMs = start && end ? Math.max(0, Date.parse(end) - Date.parse(start)) || 0 : 0
  const all = t.main
  for (const k of ['input', 'output', 'cacheRead', 'cacheCreation'] as const) all.usage[k] += t.side.usage[k]
  return {
    sessionId: basename(file, '.jsonl'),
    cwd: view.cwd,
    firstPrompt: view.firstPrompt ?? '',
    start,
    end,
    durationMs,
    turns: view.turns,
    prompts: view.prompts,
    toolCalls: t.main.toolCalls + t.side.toolCalls,
    toolErrors: t.main.toolErrors + t.side.toolErrors,
    models: view.models,
    usage: all.usage,
    ...sessionCost(view.reported, t.main.costUsd + t.side.costUsd),
    bytes: size,
    lines: view.lines + tailLine,
    subagents: view.sidechainRoots,
    gitBranch: view.gitBranch,
    version: view.version,
    warnings: view.warnings + tailWarning,
    checkpoint: { offset: r.endOffset, size, mtimeMs: st?.mtimeMs ?? 0, state: saved }
  }
}

/**
 * A session's numbers (src/shared/numbers.ts) from its file's summary and its sub-agent files'
 * totals: what the session browser, `sessions --json` and `index` show, equal to the full parse's
 * `Trace.totals`. Claude Code's own cost already covers the sub-agents.
 */
export function sessionNumbers(main: FileSummary, sub: { usage: Usage; costUsd: number; toolCalls: number; toolErrors: number }) {
  const usage: Usage = {
    input: main.usage.input + sub.usage.input,
    output: main.usage.output + sub.usage.output,
    cacheRead: main.usage.cacheRead + sub.usage.cacheRead,
    cacheCreation: main.usage.cacheCreation + sub.usage.cacheCreation
  }
  return {
    turns: main.turns,
    prompts: main.prompts,
    toolCalls: main.toolCalls + sub.toolCalls,
    toolErrors: main.toolErrors + sub.toolErrors,
    usage,
    ...sessionCost(main.costSource === 'claude-code' ? main.costUsd : undefined, main.costUsd + sub.costUsd)
  }
}
