import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSessionFile } from '../../src/main/traces/parse'
import { sessionNumbers, summarizeFile } from '../../src/main/traces/summary'
import { totalTokens } from '../../src/shared/numbers'
import type { TraceEvent } from '../../src/shared/trace'
import { allAccounted, expectedOf } from './expect'

const CORPUS = join(__dirname, '..', 'fixtures', 'corpus', 'claude-code-sessions')
// real sessions written by the CLI (the corpus above is listed once, on its own)
const FIXTURES = join(__dirname, '..', 'fixtures', 'cli-2.1.330')

export function sessionFiles(): string[] {
  const out = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(CORPUS, f))
  try {
    for (const d of readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })) {
      if (d.endsWith('.jsonl') && !d.includes('subagents')) out.push(join(FIXTURES, d))
    }
  } catch {
    /* no fixtures */
  }
  return out
}

const files = sessionFiles()

describe('parser over every corpus file', () => {
  it('finds the corpus', () => {
    expect(files.filter((f) => f.startsWith(CORPUS)).length).toBeGreaterThanOrEqual(4)
  })

  for (const file of files) {
    describe(file.split('/').slice(-2).join('/'), () => {
      it('accounts for every line (nothing lost)', async () => {
        const exp = expectedOf(file)
        const trace = await parseSessionFile(file)
        const seen = allAccounted(trace)
        expect([...exp.lines].filter((n) => !seen.has(n))).toEqual([])
        expect(trace.lines).toBe(exp.lines.length + (exp.lines.length ? exp.lines[exp.lines.length - 1] - exp.lines.length : 0))
      })

      it('pairs every tool call with its result, and keeps orphans', async () => {
        const exp = expectedOf(file)
        const trace = await parseSessionFile(file)
        const calls = trace.events.filter((e): e is Extract<TraceEvent, { kind: 'tool_call' }> => e.kind === 'tool_call')
        const mainUses = exp.toolUses.filter((u) => !u.sidechain)
        expect(calls.map((c) => c.id).sort()).toEqual(mainUses.map((u) => u.id).sort())
        for (const r of exp.toolResults.filter((x) => !x.sidechain)) {
          const call = calls.find((c) => c.id === r.id && c.result?.line === r.line)
          const orphan = trace.events.find((e) => e.kind === 'tool_result' && e.toolUseId === r.id && e.result.line === r.line)
          expect(call ?? orphan, `result of ${r.id} on line ${r.line}`).toBeDefined()
          expect((call?.result ?? (orphan as { result: { isError: boolean } }).result).isError).toBe(r.isError)
        }
      })

      it('counts usage once per API message', async () => {
        const exp = expectedOf(file)
        const trace = await parseSessionFile(file)
        expect(trace.usage).toEqual(exp.usage)
      })

      it('nests sidechain (sub-agent) lines out of the main timeline', async () => {
        const exp = expectedOf(file)
        const trace = await parseSessionFile(file)
        const sideLines = [...exp.parsed].filter(([, r]) => r?.isSidechain === true).map(([n]) => n)
        const mainLines = new Set(trace.events.map((e) => e.line))
        expect(sideLines.filter((n) => mainLines.has(n))).toEqual([])
        const subLines = new Set(trace.subagents.filter((s) => s.file === file).flatMap((s) => s.events.map((e) => e.line)))
        expect(sideLines.filter((n) => !subLines.has(n) && ![...allAccounted(trace)].includes(n))).toEqual([])
      })

      it('counts turns as the model responses of the main conversation', async () => {
        const exp = expectedOf(file)
        const trace = await parseSessionFile(file)
        expect(trace.totals.turns).toBe(exp.turns)
      })

      it('summary agrees with the full parse', async () => {
        const trace = await parseSessionFile(file)
        const sum = await summarizeFile(file)
        // the session as the browser lists it: the file, plus its sub-agent files
        const subDir = join(file.slice(0, -'.jsonl'.length), 'subagents')
        const sub = { usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0, toolCalls: 0, toolErrors: 0 }
        let subFiles: string[] = []
        try {
          subFiles = readdirSync(subDir).filter((f) => f.endsWith('.jsonl'))
        } catch {
          /* none */
        }
        for (const f of subFiles) {
          const s = await summarizeFile(join(subDir, f))
          for (const k of ['input', 'output', 'cacheRead', 'cacheCreation'] as const) sub.usage[k] += s.usage[k]
          sub.costUsd += s.costUsd
          sub.toolCalls += s.toolCalls
          sub.toolErrors += s.toolErrors
        }
        const n = sessionNumbers(sum, sub)
        const all = [trace.events, ...trace.subagents.map((s) => s.events)].flat()
        const calls = all.filter((e) => e.kind === 'tool_call') as Extract<TraceEvent, { kind: 'tool_call' }>[]
        const errors =
          calls.filter((c) => c.result?.isError).length + all.filter((e) => e.kind === 'tool_result' && e.result.isError).length
        expect(n.toolCalls).toBe(calls.length)
        expect(n.toolErrors).toBe(errors)
        expect({
          turns: n.turns,
          toolCalls: n.toolCalls,
          toolErrors: n.toolErrors,
          tokens: totalTokens(n.usage),
          costUsd: n.costUsd,
          costSource: n.costSource
        }).toEqual(trace.totals)
        expect(trace.costUsd).toBe(trace.totals.costUsd)
        if (!subFiles.length && !trace.subagents.length) expect(sum.usage).toEqual(trace.usage)
        expect(sum.models.sort()).toEqual([...trace.models].sort())
        const prompts = Math.max(0, ...trace.events.map((e) => e.turn))
        expect(sum.prompts).toBe(prompts)
        const firstPrompt = trace.events.find((e) => e.kind === 'user' && !e.isMeta)
        expect(sum.firstPrompt).toBe(firstPrompt && firstPrompt.kind === 'user' ? firstPrompt.text.slice(0, 500) : '')
        expect(sum.warnings).toBe(trace.warnings.length)
        expect(sum.lines).toBe(trace.lines)
      })
    })
  }
})
