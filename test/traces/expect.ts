/**
 * Independent expectations for the parser tests: computed here with plain JSON.parse per line, not
 * with the parser's own helpers, so a parser bug cannot hide in both.
 */
import { readFileSync } from 'node:fs'
import { parseSessionFile } from '../../src/main/traces/parse'
import type { Trace, TraceEvent } from '../../src/shared/trace'

export interface Expected {
  lines: number[]
  parsed: Map<number, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  toolUses: { id: string; line: number; sidechain: boolean }[]
  toolResults: { id: string; line: number; isError: boolean; sidechain: boolean }[]
  usage: { input: number; output: number; cacheRead: number; cacheCreation: number }
  /** the model's responses in the main conversation: distinct message ids, `<synthetic>` ones left out */
  turns: number
}

export function expectedOf(file: string, opts: { allMain?: boolean } = {}): Expected {
  const text = readFileSync(file, 'utf8')
  const rows = text.split('\n')
  if (rows[rows.length - 1] === '') rows.pop()
  const lines: number[] = []
  const parsed = new Map<number, any>() // eslint-disable-line @typescript-eslint/no-explicit-any
  const toolUses: Expected['toolUses'] = []
  const toolResults: Expected['toolResults'] = []
  const byId = new Map<string, any>() // eslint-disable-line @typescript-eslint/no-explicit-any
  const messages = new Set<string>()
  rows.forEach((row, i) => {
    const n = i + 1
    if (row.replace(/\r$/, '') === '') return
    lines.push(n)
    let rec
    try {
      rec = JSON.parse(row)
    } catch {
      return
    }
    parsed.set(n, rec)
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return
    const side = !opts.allMain && rec.isSidechain === true
    const content = rec.message?.content
    if (rec.type === 'assistant' && !side && rec.message?.model !== '<synthetic>')
      messages.add(typeof rec.message?.id === 'string' ? rec.message.id : `line ${n}`)
    if (rec.type === 'assistant' && Array.isArray(content)) {
      for (const b of content)
        if (b?.type === 'tool_use' || b?.type === 'server_tool_use') toolUses.push({ id: b.id, line: n, sidechain: side })
      const u = rec.message.usage
      if (u && !side && rec.message.model !== '<synthetic>') {
        const key = rec.message.id ?? `anon${n}`
        const prev = byId.get(key)
        if (!prev || (u.output_tokens ?? 0) >= (prev.output_tokens ?? 0)) byId.set(key, u)
      }
    }
    if (rec.type === 'user' && Array.isArray(content)) {
      for (const b of content)
        if (b?.type === 'tool_result') toolResults.push({ id: b.tool_use_id, line: n, isError: b.is_error === true, sidechain: side })
    }
  })
  const usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
  for (const u of byId.values()) {
    usage.input += u.input_tokens ?? 0
    usage.output += u.output_tokens ?? 0
    usage.cacheRead += u.cache_read_input_tokens ?? 0
    usage.cacheCreation += u.cache_creation_input_tokens ?? 0
  }
  return { lines, parsed, toolUses, toolResults, usage, turns: messages.size }
}

/** Every line number an event (or a merged part of one) accounts for. */
export function accountedLines(events: TraceEvent[], out = new Set<number>()): Set<number> {
  for (const e of events) {
    out.add(e.line)
    if (e.kind === 'tool_call' && e.result) out.add(e.result.line)
    if (e.kind === 'tool_result') out.add(e.result.line)
    if (e.kind === 'compaction' && e.summaryLine) out.add(e.summaryLine)
  }
  return out
}

export function allAccounted(trace: Trace): Set<number> {
  const set = accountedLines(trace.events)
  for (const s of trace.subagents) if (s.file === trace.file) accountedLines(s.events, set)
  return set
}

export const parse = parseSessionFile
