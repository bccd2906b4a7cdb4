/**
 * The drill-down tools on their own: what the model names is looked up, never used as a path (a run's
 * folder with a link out of it gives nothing away), a search is plain text (a hostile pattern cannot
 * stall the app), sub-agents are read by their id, and screenshots are planned as they are made.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Jimp } from 'jimp'
import { describe, expect, it } from 'vitest'
import { planImage } from '../../src/main/analysts/condense'
import { createDrillDown } from '../../src/main/analysts/drill'
import type { RunEvidence } from '../../src/main/analysts/evidence'
import { prepareScreenshot } from '../../src/main/analysts/images'
import type { Trace } from '../../src/shared/trace'

const usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
const trace = (): Trace => ({
  sessionId: 's',
  file: '/s.jsonl',
  fromArchive: false,
  events: [
    { kind: 'user', line: 1, turn: 1, text: 'Build it', images: [], isMeta: false },
    { kind: 'tool_call', line: 2, turn: 1, id: 't1', name: 'Task', input: { description: 'look' }, subagentId: 'ab1' },
    { kind: 'assistant', line: 3, turn: 1, text: `${'a'.repeat(5000)}b` }
  ],
  subagents: [
    {
      agentId: 'ab1',
      file: '/ab1.jsonl',
      parentToolUseId: 't1',
      events: [{ kind: 'assistant', line: 7, turn: 1, text: 'only the sub-agent knows this' }],
      usage,
      models: [],
      warnings: []
    }
  ],
  usage,
  models: [],
  costUsd: 0,
  totals: { turns: 1, toolCalls: 1, toolErrors: 0, tokens: 0, costUsd: 0, costSource: 'estimated' },
  lines: 3,
  bytes: 0,
  warnings: []
})

const run = (over: Partial<RunEvidence>): RunEvidence => ({
  number: 1,
  prompt: 'p',
  label: 'bad',
  feedback: 'f',
  state: 'done',
  trace: trace(),
  metrics: null,
  outputs: [],
  shots: [],
  ...over
})
const signal = new AbortController().signal
const text = (o: { content: { type: string; text?: string }[] }) => o.content.map((c) => c.text ?? '').join('\n')

describe('drill-down tools', () => {
  it('never reads through a link out of the run folder, even for a file the run listed', async () => {
    const outside = await mkdtemp(join(tmpdir(), 't2s-drill-outside-'))
    await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET')
    const ws = await mkdtemp(join(tmpdir(), 't2s-drill-ws-'))
    await symlink(outside, join(ws, 'a'))
    await mkdir(join(ws, 'b'))
    await writeFile(join(ws, 'b', 'page.html'), '<h1>mine</h1>')
    const drill = createDrillDown([
      run({
        workspace: ws,
        outputs: [
          { path: 'a/secret.txt', status: 'added', bytes: 10, binary: false },
          { path: 'b/page.html', status: 'added', bytes: 13, binary: false }
        ]
      })
    ])
    const bad = await drill.run('read_output', { run: 1, path: 'a/secret.txt' }, signal)
    expect(bad.isError).toBe(true)
    expect(text(bad)).not.toContain('TOP-SECRET')
    const good = await drill.run('read_output', { run: 1, path: 'b/page.html' }, signal)
    expect(good.isError).toBeUndefined()
    expect(text(good)).toContain('<h1>mine</h1>')
  })

  it('searches plain text: a pattern that would stall a regular expression is just text', async () => {
    const drill = createDrillDown([run({})])
    const hostile = await drill.run('search_traces', { pattern: '(a+)+$' }, signal)
    expect(text(hostile)).toContain('No match for "(a+)+$"')
    const found = await drill.run('search_traces', { pattern: 'ONLY THE SUB-AGENT' }, signal)
    expect(text(found)).toContain('Run 1 [ab1 L7] assistant: only the sub-agent knows this')
  })

  it("reads a sub-agent's transcript by its id, inline with its parent call, and names the ids it has", async () => {
    const drill = createDrillDown([run({})])
    const inline = await drill.run('read_trace', { run: 1, from_line: 2, to_line: 2 }, signal)
    expect(text(inline)).toContain('[ab1 L7] assistant: only the sub-agent knows this')
    const byId = await drill.run('read_trace', { run: 1, agent: 'ab1' }, signal)
    expect(text(byId)).toContain("Run 1's sub-agent ab1, lines 7-7")
    const unknown = await drill.run('read_trace', { run: 1, agent: '../../x' }, signal)
    expect(unknown.isError).toBe(true)
    expect(text(unknown)).toContain('its sub-agents are ab1')
    expect(drill.describe('read_trace', { run: 1, from_line: 2, to_line: 9 })).toBe("Run 1's trace, lines 2-9")
  })

  it('reads a range of a very long trace, and says where to read on', async () => {
    const t = trace()
    t.events = Array.from({ length: 200_000 }, (_, i) => ({
      kind: 'assistant' as const,
      line: i + 1,
      turn: 1,
      text: `step ${i + 1} ${'x'.repeat(40)}`
    }))
    const drill = createDrillDown([run({ trace: t })])
    const out = await drill.run('read_trace', { run: 1 }, signal)
    expect(out.isError).toBeUndefined()
    expect(text(out)).toMatch(/^Run 1's session, lines 1-200000\n\[L1\] assistant: step 1 /)
    const next = Number(/read on with from_line=(\d+)/.exec(text(out))![1])
    expect(next).toBeGreaterThan(100)
    expect(text(out)).not.toContain(`[L${next}] assistant`)
    const more = await drill.run('read_trace', { run: 1, from_line: next }, signal)
    expect(text(more)).toContain(`[L${next}] assistant: step ${next} `)
  })

  it('plans a screenshot at the size it is made', async () => {
    for (const [w, h] of [
      [1280, 16384],
      [1280, 900],
      [390, 2400]
    ]) {
      const png = await new Jimp({ width: w, height: h, color: 0xffffffff }).getBuffer('image/png')
      const made = await prepareScreenshot(png, { maxTokens: 1600 })
      const planned = planImage(w, h, 1600)
      expect({ width: made.width, height: made.height, parts: made.parts }).toEqual({
        width: planned.width,
        height: planned.height,
        parts: planned.parts
      })
    }
  }, 60_000)
})
