/**
 * Drill-down: the tools an API analyst may call to look closer before it answers, over the evidence
 * of the runs it reads: a range of a run's trace (normalized events, untruncated, sub-agents
 * included), a run's output file, a search over every run's trace and files, and a run's screenshot.
 * A call naming a run, line, file or screenshot that does not exist gets a clear error the model
 * reads, never a crash. Ids from the model are looked up, never used as paths. Electron-free.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { redactText, type RedactOptions } from '../../shared/redact'
import { toolInputSchema } from '../../shared/tool-schema'
import type { SubagentTrace, TraceEvent } from '../../shared/trace'
import { renderEvents } from './condense'
import { FULL, type Limits } from './cuts'
import { isBinary, readInsideFile } from '../base/workspace'
import { OUTPUT_READ_LIMIT, type RunEvidence } from './evidence'
import { prepareScreenshot } from './images'
import type { PrepareImage } from './image-pool'
import type { DrillDown, ToolDef, ToolOutcome } from './model'
import { fenced } from './pipeline'

/** Characters one drill-down result may return (about 8k tokens); longer ones say how to read on. */
export const DRILL_RESULT_CHARS = 32_000
/** Rounds an analyst may look closer before it must answer. */
export const DEFAULT_MAX_ROUNDS = 6
/** Search matches returned at most. */
const MAX_MATCHES = 60
/** The API takes requests up to 32 MB; the images a conversation gathers stay under this. */
const MAX_REQUEST_BYTES = 30 * 1024 * 1024
/** The API takes at most 100 images in one request; the shared context may hold some already. */
const MAX_IMAGES = 100

const UNTRUNCATED: Limits = {
  ...FULL,
  assistant: DRILL_RESULT_CHARS,
  thinking: DRILL_RESULT_CHARS,
  input: DRILL_RESULT_CHARS,
  result: DRILL_RESULT_CHARS,
  error: DRILL_RESULT_CHARS
}

// What each tool takes, as the model is told it (the calls themselves are read leniently, below, with a clear error for a bad one).
const run = z.number().int().describe('The run number ("Run 3" is 3).')
const ReadTraceInput = z.object({
  run,
  from_line: z.number().int().optional().describe('First line (default: the start).'),
  to_line: z.number().int().optional().describe('Last line (default: the end).'),
  agent: z.string().optional().describe("A sub-agent's id, as shown in [<agent> L<n>].")
})
const ReadOutputInput = z.object({
  run,
  path: z.string().describe("The file's path in the run's folder, as listed under the run."),
  offset: z.number().int().optional().describe('Character to start from (default 0).')
})
const SearchTracesInput = z.object({
  pattern: z.string().describe('The text to find.'),
  runs: z.array(z.number().int()).optional().describe('Only these runs (default: all).')
})
const ViewScreenshotInput = z.object({
  run,
  label: z.enum(['desktop', 'mobile']).optional(),
  page: z.string().optional().describe('The HTML file, when the run has screenshots of several pages.'),
  part: z.number().int().optional().describe('Which part of a tall page, from 1 (default 1).')
})

export const DRILL_TOOLS: ToolDef[] = [
  {
    name: 'read_trace',
    description:
      "Read a range of a run's trace in full (nothing cut): every event between two lines of its session file, sub-agent transcripts included. Give `agent` to read a sub-agent's own file instead.",
    input_schema: toolInputSchema(ReadTraceInput)
  },
  {
    name: 'read_output',
    description: 'Read a file the run left in its folder (its final content), whole or from a character offset.',
    input_schema: toolInputSchema(ReadOutputInput)
  },
  {
    name: 'search_traces',
    description:
      "Search every run's trace (main and sub-agents) and output files for a text (plain text, case-insensitive). Returns matching lines with run and line numbers.",
    input_schema: toolInputSchema(SearchTracesInput)
  },
  {
    name: 'view_screenshot',
    description:
      "See a run's screenshot as the person saw it. Tall pages come in parts (part 1 is the top). label: desktop (default) or mobile.",
    input_schema: toolInputSchema(ViewScreenshotInput)
  }
]

/** The lines of the prompt that tell the analyst how to look closer. */
export function drillGuide(maxRounds: number): string {
  return [
    `You can look closer before answering, in up to ${maxRounds} rounds (several calls in one round are fine): read_trace (a range of a run's trace, nothing cut),`,
    "read_output (a file a run left), search_traces (a text or pattern across every run), view_screenshot (a run's screenshot, part by part).",
    'Confirm a diagnosis in the trace before you propose a rule on it; then answer by calling propose_rules.'
  ].join(' ')
}

const text = (t: string): ToolOutcome => ({ content: [{ type: 'text', text: t }] })
const error = (t: string): ToolOutcome => ({ content: [{ type: 'text', text: t }], isError: true })

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined)

/** Run numbers as a short list: "1-4, 7, 9-11". */
function ranges(ns: number[]): string {
  const out: string[] = []
  for (let i = 0; i < ns.length; i++) {
    let j = i
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++
    out.push(j > i ? `${ns[i]}-${ns[j]}` : `${ns[i]}`)
    i = j
  }
  return out.join(', ')
}

/** Lines of all the events of a run's main file and sub-agent files, for line ranges. */
function lineSpan(events: TraceEvent[]): [number, number] {
  // a loop, not Math.min(...lines): a trace can have more lines than a call takes arguments
  let first = Infinity
  let last = 0
  for (const e of events)
    if (e.line > 0) {
      first = Math.min(first, e.line)
      last = Math.max(last, e.line)
    }
  return last ? [first, last] : [0, 0]
}

export function createDrillDown(
  runs: RunEvidence[],
  opts: {
    maxRounds?: number
    imagesInPrefix?: number
    prefixBytes?: number
    shotTokens?: number
    /** where view_screenshot prepares a screenshot (default: on the calling thread) */
    prepareImage?: PrepareImage
    /** a run's file read from its folder is redacted as its evidence was (the app's secret values) */
    redact?: RedactOptions
    /** the tag of the fences around run content (pipeline.ts): what a look returns is fenced the same way */
    fence?: string
  } = {}
): DrillDown {
  const byNumber = new Map(runs.map((r) => [r.number, r]))
  const numbers = runs.map((r) => r.number).sort((a, b) => a - b)
  let images = opts.imagesInPrefix ?? 0
  // the request grows with every image a round returns: it stays under the API's 32 MB
  let bytes = opts.prefixBytes ?? 0

  const runOf = (v: unknown): RunEvidence | ToolOutcome => {
    const n = int(v)
    const r = n === undefined ? undefined : byNumber.get(n)
    return r ?? error(`There is no Run ${String(v)} in this analysis: the runs are ${ranges(numbers)}.`)
  }
  const isOutcome = (x: unknown): x is ToolOutcome => !!x && typeof x === 'object' && 'content' in x

  const readTrace = (o: Record<string, unknown>): ToolOutcome => {
    const r = runOf(o.run)
    if (isOutcome(r)) return r
    if (!r.trace) return error(`Run ${r.number} left no readable session: there is no trace to read.`)
    let events: TraceEvent[] = r.trace.events
    let subs: SubagentTrace[] = r.trace.subagents
    let prefix = 'L'
    let where = `Run ${r.number}'s session`
    if (o.agent !== undefined) {
      const sub = r.trace.subagents.find((s) => s.agentId === o.agent)
      if (!sub)
        return error(
          `Run ${r.number} has no sub-agent ${JSON.stringify(o.agent)}${r.trace.subagents.length ? `: its sub-agents are ${r.trace.subagents.map((s) => s.agentId).join(', ')}` : ': it started none'}.`
        )
      events = sub.events
      subs = []
      prefix = `${sub.agentId} L`
      where = `Run ${r.number}'s sub-agent ${sub.agentId}`
    }
    const [first, last] = lineSpan(events)
    const from = int(o.from_line) ?? first
    const to = int(o.to_line) ?? last
    if (o.from_line !== undefined && int(o.from_line) === undefined) return error('from_line must be a whole number.')
    if (o.to_line !== undefined && int(o.to_line) === undefined) return error('to_line must be a whole number.')
    if (from > to) return error(`from_line (${from}) is after to_line (${to}).`)
    if (to < first || from > last) return error(`${where} has lines ${first}-${last}; ${from}-${to} is outside them.`)
    const inRange = events.filter((e) => e.line >= from && e.line <= to)
    const steps = renderEvents(inRange, subs, UNTRUNCATED, prefix)
    const out: string[] = []
    let size = 0
    let stoppedAt: number | null = null
    for (const s of steps) {
      if (size + s.text.length > DRILL_RESULT_CHARS && out.length) {
        stoppedAt = Number(/\[[^\]]*?L(\d+)\]/.exec(s.text)?.[1] ?? NaN) || null
        break
      }
      out.push(
        s.text.length > DRILL_RESULT_CHARS ? `${s.text.slice(0, DRILL_RESULT_CHARS)} […cut at ${DRILL_RESULT_CHARS} characters…]` : s.text
      )
      size += s.text.length
    }
    const head = `${where}, lines ${Math.max(from, first)}-${Math.min(to, last)}${inRange.length ? '' : ': no steps there (bookkeeping lines only)'}`
    const more = stoppedAt ? `\n[… more: read on with from_line=${stoppedAt}]` : ''
    return text(`${head}\n${out.join('\n')}${more}`)
  }

  const readOutput = async (o: Record<string, unknown>): Promise<ToolOutcome> => {
    const r = runOf(o.run)
    if (isOutcome(r)) return r
    const path = typeof o.path === 'string' ? o.path.replace(/^\.\//, '') : ''
    const f = r.outputs.find((x) => x.path === path)
    const list = r.outputs.map((x) => x.path).join(', ') || 'none'
    if (!f) return error(`Run ${r.number} left no file named ${JSON.stringify(o.path)}; its files: ${list}.`)
    if (f.status === 'deleted') return error(`Run ${r.number} deleted ${f.path}: there is no final content.`)
    // gone, or refused (a link, outside the run's folder): the text read with the evidence, else the analyst is told it can no longer be read
    const read = await readInsideFile(r.workspace, f.path, OUTPUT_READ_LIMIT * 8).catch(() => null)
    let content: string | undefined
    if (read) {
      if (isBinary(read.buf)) return text(`${f.path} is binary (${read.size.toLocaleString('en-US')} bytes): it cannot be shown as text.`)
      // read again from the run's folder: credentials taken out as from the rest of its evidence
      content = redactText(read.buf.toString('utf8'), opts.redact).text
    } else content = f.text
    if (content === undefined) return error(`Run ${r.number}'s ${f.path} can no longer be read (its folder is gone).`)
    const offset = int(o.offset) ?? 0
    if (offset < 0 || offset > content.length) return error(`offset must be between 0 and ${content.length}.`)
    const part = content.slice(offset, offset + DRILL_RESULT_CHARS)
    const end = offset + part.length
    return text(
      `Run ${r.number}'s ${f.path} (${f.status}), characters ${offset}-${end} of ${content.length}:\n${part}${end < content.length ? `\n[… more: read on with offset=${end}]` : ''}`
    )
  }

  const search = (o: Record<string, unknown>): ToolOutcome => {
    const pattern = typeof o.pattern === 'string' ? o.pattern : ''
    if (!pattern.trim()) return error('Give a pattern to search for.')
    if (pattern.length > 200) return error('The pattern is too long (200 characters at most).')
    // a plain text, never a regular expression: a pattern from the model cannot stall the app
    const needle = pattern.toLowerCase()
    const wanted = Array.isArray(o.runs) ? o.runs.map(int).filter((x): x is number => x !== undefined) : numbers
    const unknown = wanted.filter((x) => !byNumber.has(x))
    if (unknown.length) return error(`There is no Run ${unknown.join(', ')} in this analysis: the runs are ${ranges(numbers)}.`)
    const matches: string[] = []
    let total = 0
    const test = (line: string) => {
      const s = line.length > 20_000 ? line.slice(0, 20_000) : line
      const at = s.toLowerCase().indexOf(needle)
      if (at < 0) return null
      const end = at + needle.length + 100
      return `${at > 60 ? '…' : ''}${s.slice(Math.max(0, at - 60), end).replace(/\s+/g, ' ')}${end < s.length ? '…' : ''}`
    }
    for (const n of wanted) {
      const r = byNumber.get(n)!
      const sources: { where: string; lines: string[] }[] = []
      if (r.trace) {
        const events = (list: TraceEvent[], subs: SubagentTrace[], prefix: string) =>
          renderEvents(list, subs, UNTRUNCATED, prefix).map((s) => s.text)
        sources.push({ where: '', lines: events(r.trace.events, [], 'L') })
        for (const s of r.trace.subagents) sources.push({ where: '', lines: events(s.events, [], `${s.agentId} L`) })
      }
      for (const f of r.outputs) if (f.text) sources.push({ where: f.path, lines: f.text.split('\n') })
      for (const src of sources) {
        let current = ''
        src.lines.forEach((block, i) => {
          for (const line of src.where ? [block] : block.split('\n')) {
            current = /^\s*\[([^\]]*L\d+)\]/.exec(line)?.[1] ?? current
            const hit = test(line)
            if (!hit) continue
            total++
            if (matches.length < MAX_MATCHES)
              matches.push(
                src.where
                  ? `Run ${n} ${src.where}:${i + 1}: ${hit}`
                  : hit.trimStart().startsWith(`[${current}]`)
                    ? `Run ${n} ${hit.trimStart()}`
                    : `Run ${n} [${current || '?'}] ${hit.trimStart()}`
              )
          }
        })
      }
    }
    if (!total) return text(`No match for ${JSON.stringify(pattern)} in run${wanted.length === 1 ? '' : 's'} ${ranges(wanted)}.`)
    return text(
      `${total} match${total === 1 ? '' : 'es'} for ${JSON.stringify(pattern)}${total > matches.length ? ` (the first ${matches.length} shown)` : ''}:\n${matches.join('\n')}`
    )
  }

  const viewShot = async (o: Record<string, unknown>): Promise<ToolOutcome> => {
    const r = runOf(o.run)
    if (isOutcome(r)) return r
    const label = o.label === 'mobile' ? 'mobile' : o.label === undefined || o.label === 'desktop' ? 'desktop' : null
    if (!label) return error('label is desktop or mobile.')
    if (!r.shots.length) return error(`Run ${r.number} has no screenshots.`)
    const shots = r.shots.filter((s) => s.label === label && (o.page === undefined || s.html === o.page))
    if (!shots.length)
      return error(
        `Run ${r.number} has no ${label} screenshot${o.page !== undefined ? ` of ${JSON.stringify(o.page)}` : ''}; it has: ${r.shots.map((s) => `${s.label} of ${s.html}`).join(', ')}.`
      )
    if (images >= MAX_IMAGES - 1) return error('No more screenshots can be shown in this conversation (the API takes 100 images at most).')
    if (bytes > MAX_REQUEST_BYTES - 5 * 1024 * 1024)
      return error('No more screenshots can be shown in this conversation (the request would be too large).')
    const shot = shots[0]
    const part = int(o.part) ?? 1
    let png: Buffer
    try {
      png = await readFile(shot.file)
    } catch {
      return error(`Run ${r.number}'s ${label} screenshot can no longer be read.`)
    }
    try {
      const img = await (opts.prepareImage ?? prepareScreenshot)(png, { maxTokens: opts.shotTokens ?? 1600, part: part - 1 })
      images++
      bytes += img.data.length
      return {
        content: [
          {
            type: 'image',
            mediaType: 'image/png',
            data: img.data,
            label: `Run ${r.number}, ${label} screenshot of ${shot.html}: ${img.note}`
          }
        ]
      }
    } catch (err) {
      return error(`Run ${r.number}'s ${label} screenshot: ${(err as Error).message}`)
    }
  }

  return {
    tools: DRILL_TOOLS,
    maxRounds: opts.maxRounds ?? DEFAULT_MAX_ROUNDS,
    async run(name, input, signal) {
      if (signal.aborted) return error('cancelled')
      const o = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {}
      // what a look returns is run content: fenced like the shared context's runs
      const fence = (out: ToolOutcome): ToolOutcome =>
        opts.fence && !out.isError
          ? {
              content: out.content.map((b) =>
                b.type === 'text' ? { ...b, text: fenced(typeof o.run === 'number' ? o.run : 'content', opts.fence!, b.text) } : b
              )
            }
          : out
      try {
        if (name === 'read_trace') return fence(readTrace(o))
        if (name === 'read_output') return fence(await readOutput(o))
        if (name === 'search_traces') return fence(search(o))
        if (name === 'view_screenshot') return await viewShot(o)
        return error(
          `There is no tool named ${JSON.stringify(name)}: use read_trace, read_output, search_traces, view_screenshot or propose_rules.`
        )
      } catch (err) {
        return error(`The tool failed: ${(err as Error).message}`)
      }
    },
    describe(name, input) {
      const o = input && typeof input === 'object' ? (input as Record<string, unknown>) : {}
      const run = `Run ${String(o.run ?? '?')}`
      if (name === 'read_trace')
        return `${run}'s ${o.agent ? `sub-agent ${String(o.agent).slice(0, 40)}` : 'trace'}${o.from_line !== undefined || o.to_line !== undefined ? `, lines ${String(o.from_line ?? 'start')}-${String(o.to_line ?? 'end')}` : ''}`
      if (name === 'read_output') return `${run}'s file ${String(o.path ?? '?').slice(0, 120)}`
      if (name === 'search_traces')
        return `searching ${Array.isArray(o.runs) ? `runs ${o.runs.join(', ')}` : 'all runs'} for ${JSON.stringify(String(o.pattern ?? '').slice(0, 60))}`
      if (name === 'view_screenshot')
        return `${run}'s ${o.label === 'mobile' ? 'mobile' : 'desktop'} screenshot${o.part ? `, part ${String(o.part)}` : ''}`
      return `${name}`
    }
  }
}
