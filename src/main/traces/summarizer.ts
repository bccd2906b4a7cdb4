/**
 * The running state of a session summary, and the Summarizer that folds records (parsed, or big lines
 * read by byte patterns) into it. The state is plain data: a checkpoint carries it, so a file that grew
 * is read on from where it was left.
 */
import type { PricedUsage } from '../../shared/models'
import { reportedCostOf } from '../../shared/numbers'
import { emptyUsage, type Usage } from '../../shared/trace'
import { costUsd } from './pricing'
import { contentBlocks, isObj, isRealPrompt, promptText, SYNTHETIC_MODEL, usageOf, type Rec } from './records'
import { addModel, MAX_MODEL, shortString, validTimestamp } from './untrusted'
import { count, objectAfter, stringAfter } from './byte-patterns'

/** Message ids kept open for de-duplication across appends (Claude Code writes a message's lines together). */
const OPEN_IDS = 64
const FIRST_PROMPT_MAX = 500

export interface Counts {
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

const emptyCounts = (): Counts => ({ toolCalls: 0, toolErrors: 0, usage: emptyUsage(), costUsd: 0 })
export const freshState = (): SummaryState => ({
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

export class Summarizer {
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
export function totals(state: SummaryState): { main: Counts; side: Counts } {
  const main = structuredClone(state.main)
  const side = structuredClone(state.side)
  for (const [, usage, model, isSide] of state.open) addUsage(isSide ? side : main, usage, model)
  return { main, side }
}
