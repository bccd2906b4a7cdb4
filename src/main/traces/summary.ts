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
import { sessionCost, type CostSource } from '../../shared/numbers'
import type { Usage } from '../../shared/trace'
import { readJsonlLines } from './jsonl'
import { isObj } from './records'
import { isDeeperThan } from './untrusted'
import { freshState, Summarizer, totals, type SummaryState } from './summarizer'

/** Bump when the summary's meaning changes: cached summaries of another version are recomputed. */
export const SUMMARY_VERSION = 6

/** Lines longer than this are read by byte patterns instead of JSON.parse. */
export const BIG_LINE = 2 * 1024

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
