import { describe, expect, it } from 'vitest'
import { estimateTokens, headTail, keyArgs, planImage, type RunForAnalysis } from '../../src/main/analysts/condense'
import { CUT_STEPS } from '../../src/main/analysts/cuts'
import { contextHeader, fitRuns } from '../../src/main/analysts/fit'
import { contextBudget, contextWindow } from '../../src/main/analysts/budget'
import type { Trace, TraceEvent } from '../../src/shared/trace'

const usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
function trace(steps: number, resultChars: number, errorAt: number[] = []): Trace {
  const events: TraceEvent[] = [{ kind: 'user', line: 1, turn: 1, text: 'Build it', images: [], isMeta: false }]
  for (let i = 0; i < steps; i++) {
    const failed = errorAt.includes(i)
    events.push({ kind: 'assistant', line: 2 + i * 2, turn: 1, text: `Step ${i}: ${'thinking out loud '.repeat(20)}` })
    events.push({
      kind: 'tool_call',
      line: 3 + i * 2,
      turn: 1,
      id: `t${i}`,
      name: i % 2 ? 'Bash' : 'Read',
      input: i % 2 ? { command: `npm run step-${i}`, description: 'a step' } : { file_path: `/w/file-${i}.ts` },
      result: {
        line: 3 + i * 2,
        text: failed ? `ERROR-${i}: ${'x'.repeat(resultChars)}` : `RESULT-${i} ${'y'.repeat(resultChars)} END-${i}`,
        isError: failed,
        images: []
      }
    })
  }
  return {
    sessionId: 's',
    file: '/f.jsonl',
    fromArchive: false,
    events,
    subagents: [],
    usage,
    models: [],
    costUsd: 0,
    totals: { turns: 0, toolCalls: events.length, toolErrors: 0, tokens: 0, costUsd: 0, costSource: 'estimated' },
    lines: events.length,
    bytes: 0,
    warnings: []
  }
}
const run = (number: number, t: Trace): RunForAnalysis => ({
  number,
  prompt: `prompt ${number}`,
  label: number % 2 ? 'good' : 'bad',
  feedback: `sentence ${number}`,
  state: 'done',
  trace: t,
  metrics: null
})

const page = (cards: number) =>
  `<!doctype html><body>${Array.from({ length: cards }, (_, i) => `<div class="card">Card ${i + 1}: ${'lorem ipsum '.repeat(40)}</div>`).join('\n')}</body>`

const withFiles = (r: RunForAnalysis, html: string): RunForAnalysis => ({
  ...r,
  outputs: [
    { path: 'index.html', status: 'added', bytes: html.length, binary: false, text: html },
    { path: 'logo.png', status: 'added', bytes: 5000, binary: true }
  ],
  shots: [
    { label: 'desktop', file: '/d.png', width: 1280, height: 4000, html: 'index.html' },
    { label: 'mobile', file: '/m.png', width: 390, height: 2000, html: 'index.html' }
  ]
})

describe('the evidence, fitted to the window', () => {
  it('keeps everything at full fidelity when it fits: every step, whole results, the files whole, the desktop screenshot', () => {
    const html = page(9)
    const f = fitRuns([withFiles(run(1, trace(4, 3000, [3])), html)], 1_000_000)
    expect(f.cuts).toEqual([])
    expect(f.overBudget).toBe(false)
    const text = f.runs[0].text
    expect(text).toContain('=== Run 1: graded good - "sentence 1"')
    for (let i = 0; i < 4; i++) expect(text).toContain(`[L${3 + i * 2}] ${i % 2 ? 'Bash' : 'Read'} {`)
    // results whole: 3,000 characters each, head to tail
    expect(text).toContain(`RESULT-0 ${'y'.repeat(3000)} END-0`)
    expect(text).toContain('ERROR-3')
    // the final file, whole: the ninth card is there
    expect(text).toContain('Card 9: lorem')
    expect(text).toContain(html.trim())
    expect(text).toMatch(/--- logo\.png \(added, 5,000 bytes, binary: not shown\) ---/)
    expect(f.runs[0].shots.map((s) => s.label)).toEqual(['desktop'])
    expect(f.imageTokens).toBe(f.runs[0].shots[0].tokens)
    expect(f.tokens).toBe(estimateTokens(text) + f.imageTokens)
    expect(f.outputFiles).toBe(2)
  })

  it('shows sub-agent transcripts in full, with their own lines', () => {
    const t = trace(2, 10)
    const call = t.events.find((e) => e.kind === 'tool_call')!
    t.subagents = [
      {
        agentId: 'agent-a1',
        file: '/agent-a1.jsonl',
        description: 'check the page',
        parentToolUseId: (call as { id: string }).id,
        events: [
          { kind: 'assistant', line: 4, turn: 1, text: 'The hero image is 4 MB: SUBAGENT-ONLY-DETAIL' },
          {
            kind: 'tool_call',
            line: 5,
            turn: 1,
            id: 's1',
            name: 'Bash',
            input: { command: 'du -h hero.png' },
            result: { line: 6, text: '4.0M hero.png', isError: false, images: [] }
          }
        ],
        usage,
        models: [],
        warnings: []
      }
    ]
    const full = fitRuns([run(1, t)], 1_000_000)
    expect(full.runs[0].text).toContain('[agent-a1 L4] assistant: The hero image is 4 MB: SUBAGENT-ONLY-DETAIL')
    expect(full.runs[0].text).toContain('[agent-a1 L5] Bash {"command":"du -h hero.png"}')
  })

  it('cuts in the documented order, only as far as needed, and reports what, how much and where', () => {
    const runs = [withFiles(run(1, trace(40, 4000, [20])), page(60)), withFiles(run(2, trace(40, 4000)), page(3))]
    const full = fitRuns(runs, 10_000_000)
    expect(full.cuts).toEqual([])
    // a window a third of full fidelity: some cuts, not all
    const tight = fitRuns(runs, Math.floor(full.tokens / 3))
    expect(tight.overBudget).toBe(false)
    expect(tight.tokens).toBeLessThanOrEqual(Math.floor(full.tokens / 3))
    expect(tight.cuts.length).toBeGreaterThan(0)
    const order = CUT_STEPS.map((c) => c.id)
    const positions = tight.cuts.map((c) => order.indexOf(c.step))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    for (const c of tight.cuts) {
      expect(c.amount).toBeGreaterThan(0)
      expect(c.runs.length).toBeGreaterThan(0)
    }
    // these traces write no file contents: the first cut that changes anything is the tool results
    expect(tight.cuts[0].step).toBe('results')
    // tool results were cut before the output files, which the person graded
    const at = (id: string) => tight.cuts.findIndex((c) => c.step === id)
    if (at('outputs') >= 0) expect(at('results')).toBeLessThan(at('outputs'))
    // the output that was cut is the long one: run 1's 60 cards, not run 2's 3
    const outputs = tight.cuts.find((c) => c.step === 'outputs')
    if (outputs) expect(outputs.runs).toEqual([1])
    // every call is still there, and the error
    for (let i = 0; i < 40; i++) expect(tight.runs[1].text).toContain(`RESULT-${i}`)
    expect(tight.runs[0].text).toContain('ERROR-20')
    // the head says what was cut, in the same order
    const head = contextHeader({ name: 'T', text: 'task' }, runs, tight)
    expect(head).toContain("To fit the model's window, the evidence was cut, in this order:")
    expect(head.indexOf(tight.cuts[0].label)).toBeGreaterThan(0)
    expect(head).toContain('Run 1: good - sentence 1\nRun 2: bad - sentence 2')
    expect(contextHeader({ name: 'T', text: 'task' }, runs, full)).toContain('Nothing was cut')
  })

  it('leaves out middle steps only late, and never the errors; screenshots go before that', () => {
    const r = withFiles(run(1, trace(300, 200, [150])), page(2))
    const f = fitRuns([r], 6000)
    const ids = f.cuts.map((c) => c.step)
    expect(ids).toContain('steps')
    expect(ids.indexOf('images')).toBeLessThan(ids.indexOf('steps'))
    expect(f.runs[0].text).toContain('ERROR-150')
    expect(f.runs[0].text).toMatch(/\[… \d+ steps without errors left out: read them with read_trace …\]/)
    expect(f.cuts.find((c) => c.step === 'steps')!.runs).toEqual([1])
  })

  it('says when a run has no trace', () => {
    const f = fitRuns([{ ...run(3, trace(1, 1)), trace: null }], 1000)
    expect(f.runs[0].text).toContain('(no trace: the run left no readable session)')
  })

  it("plans screenshots within the API's edge and the token budget, tall pages in parts", () => {
    const tall = planImage(1280, 16384, 1600)
    expect(tall.parts).toBe(Math.ceil(16384 / 1600))
    expect(tall.tokens).toBeLessThanOrEqual(1600)
    expect(Math.max(tall.width, tall.height)).toBeLessThanOrEqual(1568)
    expect(tall.width / tall.height).toBeCloseTo(1280 / 1600, 1)
    const small = planImage(390, 300, 1600)
    expect(small).toMatchObject({ width: 390, height: 300, parts: 1 })
  })

  it('helpers: head and tail, key arguments, the budget per model window', () => {
    expect(headTail('abcdefghij', 20)).toEqual({ text: 'abcdefghij', cut: 0 })
    expect(headTail('a'.repeat(100), 10)).toEqual({ text: `${'a'.repeat(6)} […90 chars…] ${'a'.repeat(4)}`, cut: 90 })
    expect(keyArgs({ file_path: '/a.ts', content: 'x'.repeat(500) }, 100)).toMatch(/^file_path="\/a\.ts", content=".*" \(500 chars\)$/)
    expect(contextWindow('claude-sonnet-5-5')).toBe(1_000_000)
    expect(contextWindow('claude-sonnet-4-5')).toBe(200_000)
    expect(contextWindow('claude-sonnet-4-5[1m]')).toBe(200_000)
    expect(contextWindow('some-model[1m]')).toBe(1_000_000)
    expect(contextBudget('claude-sonnet-4-5')).toBe(Math.floor((200_000 - 16_000 - 6000 - 60_000) * 0.85))
    expect(contextBudget('claude-sonnet-5-5')).toBeGreaterThan(contextBudget('claude-sonnet-4-5'))
  })
})
