import { describe, expect, it } from 'vitest'
import { condenseRuns, estimateTokens, headTail, keyArgs, sharedContext, type RunForAnalysis } from '../../src/main/analysts/condense'
import { contextBudget } from '../../src/main/analysts/service'
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

describe('condensed traces', () => {
  it('keeps everything when it fits', () => {
    const c = condenseRuns([run(1, trace(4, 100, [3]))], 100_000)
    expect(c.report).toEqual({ level: 0, charsCut: 0, stepsOmitted: 0, runsWithOmissions: [] })
    const text = c.blocks[0].text
    expect(text).toContain('=== Run 1: graded good - "sentence 1"')
    for (let i = 0; i < 4; i++) expect(text).toContain(`[L${3 + i * 2}] ${i % 2 ? 'Bash' : 'Read'}(`)
    expect(text).toContain('npm run step-1')
    expect(text).toContain('ERROR-3')
    expect(c.tokens).toBe(estimateTokens(text))
  })

  it('cuts long results to head and tail, harder as the budget shrinks, and says what it cut', () => {
    const runs = [run(1, trace(10, 5000, [4])), run(2, trace(10, 5000))]
    const roomy = condenseRuns(runs, 1_000_000)
    const tight = condenseRuns(runs, Math.floor(roomy.tokens / 2))
    expect(roomy.report.level).toBe(0)
    expect(tight.report.level).toBeGreaterThan(0)
    expect(tight.overBudget).toBe(false)
    expect(tight.tokens).toBeLessThanOrEqual(Math.floor(roomy.tokens / 2))
    expect(tight.report.charsCut).toBeGreaterThan(roomy.report.charsCut)
    // every call and both ends of every result are still there
    for (let i = 0; i < 10; i++) {
      expect(tight.blocks[1].text).toContain(`RESULT-${i}`)
      expect(tight.blocks[1].text).toContain(`END-${i}`)
    }
    expect(tight.blocks[0].text).toContain('ERROR-4')
    const ctx = sharedContext({ name: 'T', text: 'task' }, runs, tight)
    expect(ctx).toMatch(/The traces were shortened to fit: \d+ characters/)
    expect(ctx).toContain('Run 1: good - sentence 1\nRun 2: bad - sentence 2')
  })

  it('leaves out middle steps only as a last resort, and never the errors', () => {
    const c = condenseRuns([run(1, trace(300, 200, [150]))], 3000)
    expect(c.report.stepsOmitted).toBeGreaterThan(0)
    expect(c.report.runsWithOmissions).toEqual([1])
    expect(c.blocks[0].text).toContain('ERROR-150')
    expect(c.blocks[0].text).toMatch(/\[… \d+ steps without errors left out …\]/)
  })

  it('says when a run has no trace', () => {
    const c = condenseRuns([{ ...run(3, trace(1, 1)), trace: null }], 1000)
    expect(c.blocks[0].text).toContain('(no trace: the run left no readable session)')
  })

  it('helpers: head and tail, key arguments, the budget per model', () => {
    expect(headTail('abcdefghij', 20)).toEqual({ text: 'abcdefghij', cut: 0 })
    expect(headTail('a'.repeat(100), 10)).toEqual({ text: `${'a'.repeat(6)} […90 chars…] ${'a'.repeat(4)}`, cut: 90 })
    expect(keyArgs({ file_path: '/a.ts', content: 'x'.repeat(500) }, 100)).toMatch(/^file_path="\/a\.ts", content=".*" \(500 chars\)$/)
    expect(contextBudget('claude-sonnet-5-5')).toBe(Math.floor(174_000 * 0.85))
    expect(contextBudget('claude-sonnet-4-5[1m]')).toBeGreaterThan(contextBudget('claude-sonnet-4-5'))
  })
})
