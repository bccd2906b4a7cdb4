/**
 * The definitions of src/shared/numbers.ts and the model table of src/shared/models.ts, piece by
 * piece: prices that reproduce Claude Code's own figure, Claude Code's figure preferred only while it
 * is the whole story, live progress by the same definitions, and current models only.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StreamTracker } from '../../src/main/agents/claude-code/monitor'
import { parseSessionFile } from '../../src/main/traces/parse'
import { summarizeFile } from '../../src/main/traces/summary'
import {
  ALL_MODELS,
  canonicalModel,
  DEFAULT_ANALYST_MODEL,
  DEFAULT_MERGE_MODEL,
  DEFAULT_VARIATION_MODEL,
  MODELS,
  messageCostUsd,
  modelInfo,
  priceOf
} from '../../src/shared/models'
import { roundUsd, sessionCost } from '../../src/shared/numbers'
import { REPO } from '../support/claude-harness'

const FIXTURE = join(REPO, 'test', 'fixtures', 'cli-2.1.330')
const SESSION = '4eb0f224-a19d-446d-aeaa-fa64d85123bd'
const SDK = join(REPO, 'node_modules', '@anthropic-ai', 'sdk', 'resources', 'messages')

const line = (o: unknown) => `${JSON.stringify(o)}\n`
const user = (text: string) => line({ type: 'user', message: { role: 'user', content: text }, timestamp: '2026-01-01T00:00:00Z' })
const assistant = (id: string, model: string, blocks: unknown[], usage: Record<string, unknown>) =>
  line({ type: 'assistant', message: { id, model, role: 'assistant', content: blocks, usage }, timestamp: '2026-01-01T00:00:01Z' })
const costState = (usd: number) => line({ type: 'cost-state', sessionId: 's', totalCostUSD: usd })

describe('the price table', () => {
  it("reproduces Claude Code's own figure from the tokens of a real session (sub-agent included)", async () => {
    // The real session without its cost-state record: the cost is estimated from its tokens
    const dir = await mkdtemp(join(tmpdir(), 't2s-numbers-'))
    await cp(FIXTURE, dir, { recursive: true })
    const file = join(dir, `${SESSION}.jsonl`)
    const text = await readFile(file, 'utf8')
    const reported = JSON.parse(text.split('\n').find((l) => l.includes('"cost-state"'))!).totalCostUSD
    await writeFile(
      file,
      text
        .split('\n')
        .filter((l) => !l.includes('"cost-state"'))
        .join('\n')
    )
    const t = await parseSessionFile(file)
    expect(t.totals.costSource).toBe('estimated')
    expect(t.totals.costUsd).toBe(reported)
    // with it, Claude Code's figure
    const original = await parseSessionFile(join(FIXTURE, `${SESSION}.jsonl`))
    expect(original.totals).toMatchObject({ costUsd: reported, costSource: 'claude-code', turns: 3, toolCalls: 2 })
  })

  it('prices cache writes (5 minutes, 1 hour) and reads at their own rates, and long prompts at the dearer rate', () => {
    const u = { input: 1000, output: 100, cacheRead: 10_000, cacheCreation: 2000 }
    // Sonnet 5.5: $2 in, $10 out, $2.50 cache write, $0.10 cache read per million
    expect(messageCostUsd('claude-sonnet-5-5', u)).toBeCloseTo((1000 * 2 + 100 * 10 + 10_000 * 0.1 + 2000 * 2.5) / 1e6, 12)
    expect(messageCostUsd('claude-sonnet-5-5', { ...u, cacheCreation1h: 2000 })).toBeCloseTo(
      (1000 * 2 + 100 * 10 + 10_000 * 0.1 + 2000 * 4) / 1e6,
      12
    )
    // Haiku 5.5 above 100k prompt tokens
    const big = { input: 150_000, output: 1000, cacheRead: 0, cacheCreation: 0 }
    expect(messageCostUsd('claude-haiku-5-5', big)).toBeCloseTo((150_000 * 0.5 + 1000 * 2.5) / 1e6, 12)
  })

  it('knows a model under its dated, provider and 1M names; a newer id by its family; nothing else', () => {
    expect(canonicalModel('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5')
    expect(canonicalModel('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('claude-haiku-4-5')
    expect(canonicalModel('claude-3-5-haiku@20241022')).toBe('claude-3-5-haiku')
    expect(canonicalModel('claude-opus-4-6[1m]')).toBe('claude-opus-4-6')
    expect(modelInfo('claude-sonnet-4-20250514')?.id).toBe('claude-sonnet-4-0')
    expect(priceOf('claude-3-opus-20240229')?.input).toBe(15)
    expect(priceOf('claude-sonnet-9')).toEqual(modelInfo('claude-sonnet-5-5')!.price)
    expect(priceOf('gpt-4')).toBeNull()
    expect(priceOf('<synthetic>')).toBeNull()
  })

  it('offers current models only: in the SDK, not deprecated; the defaults are among them', async () => {
    const types = await readFile(join(SDK, 'messages.d.ts'), 'utf8')
    const sdkModels = new Set([...types.match(/export type Model = ([^;]*);/)![1].matchAll(/'([^']+)'/g)].map((m) => m[1]))
    const js = await readFile(join(SDK, 'messages.js'), 'utf8')
    const deprecated = new Set([...js.match(/const DEPRECATED_MODELS = \{([^}]*)\}/)![1].matchAll(/'([^']+)':/g)].map((m) => m[1]))
    expect(deprecated.size).toBeGreaterThan(0)
    for (const m of MODELS) {
      expect(sdkModels.has(m.id), m.id).toBe(true)
      expect(deprecated.has(m.id), m.id).toBe(false)
    }
    for (const d of [DEFAULT_ANALYST_MODEL, DEFAULT_MERGE_MODEL, DEFAULT_VARIATION_MODEL]) expect(MODELS.map((m) => m.id)).toContain(d)
    // every model the SDK lists (but its unpriced preview) has a price
    for (const id of sdkModels) if (id !== 'claude-mythos-preview') expect(priceOf(id), id).not.toBeNull()
    expect(new Set(ALL_MODELS.map((m) => m.id)).size).toBe(ALL_MODELS.length)
  })

  it('costs are rounded to a billionth, so the order they are added in does not matter', () => {
    const parts = [0.1, 0.2, 0.3, 0.000001234]
    expect(roundUsd(parts.reduce((a, b) => a + b))).toBe(roundUsd([...parts].reverse().reduce((a, b) => a + b)))
    expect(sessionCost(undefined, 0.1 + 0.2)).toEqual({ costUsd: 0.3, costSource: 'estimated' })
    expect(sessionCost(0.5, 9)).toEqual({ costUsd: 0.5, costSource: 'claude-code' })
    expect(sessionCost(Number.NaN, 0.25)).toEqual({ costUsd: 0.25, costSource: 'estimated' })
  })
})

describe("Claude Code's figure, only while it is the whole story", () => {
  const usage = { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }
  const model = 'claude-sonnet-5-5'
  const one = (1000 * 2 + 100 * 10) / 1e6

  it('a cost-state written last is the cost; parser and summary agree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-numbers-'))
    const f = join(dir, 'a.jsonl')
    await writeFile(f, user('go') + assistant('m1', model, [{ type: 'text', text: 'hi' }], usage) + costState(0.5))
    const t = await parseSessionFile(f)
    const s = await summarizeFile(f)
    expect(t.totals).toMatchObject({ turns: 1, costUsd: 0.5, costSource: 'claude-code' })
    expect([s.turns, s.costUsd, s.costSource]).toEqual([1, 0.5, 'claude-code'])
  })

  it('a conversation that went on after its cost-state is estimated from its tokens; parser and summary agree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-numbers-'))
    const f = join(dir, 'b.jsonl')
    await writeFile(
      f,
      user('go') +
        assistant('m1', model, [{ type: 'text', text: 'hi' }], usage) +
        costState(0.5) +
        user('more') +
        assistant('m2', model, [{ type: 'text', text: 'again' }], usage)
    )
    const t = await parseSessionFile(f)
    const s = await summarizeFile(f)
    expect(t.totals).toMatchObject({ turns: 2, costUsd: roundUsd(2 * one), costSource: 'estimated', tokens: 2200 })
    expect([s.turns, s.prompts, s.costUsd, s.costSource]).toEqual([2, 2, roundUsd(2 * one), 'estimated'])
  })

  it('turns: one per message id however many lines, synthetic messages and sub-agents left out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-numbers-'))
    const f = join(dir, 'c.jsonl')
    await writeFile(
      f,
      user('go') +
        assistant('m1', model, [{ type: 'thinking', thinking: 'hmm' }], usage) +
        assistant('m1', model, [{ type: 'text', text: 'a' }], usage) +
        assistant('m1', model, [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }], usage) +
        line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] } }) +
        assistant('m2', '<synthetic>', [{ type: 'text', text: 'API Error' }], { input_tokens: 0, output_tokens: 0 }) +
        line({
          type: 'assistant',
          isSidechain: true,
          uuid: 'x',
          parentUuid: null,
          message: { id: 'side1', model, content: [{ type: 'tool_use', id: 't2', name: 'Read', input: {} }], usage }
        })
    )
    const t = await parseSessionFile(f)
    const s = await summarizeFile(f)
    expect(t.totals).toMatchObject({ turns: 1, toolCalls: 2, tokens: 2200 })
    expect([s.turns, s.toolCalls, s.usage.input + s.usage.output]).toEqual([1, 2, 2200])
    expect(s.costUsd).toBe(t.totals.costUsd)
  })
})

describe('live progress from the stream', () => {
  const msg = (id: string, blocks: unknown[], parent: string | null = null, output = 1) =>
    JSON.stringify({
      type: 'assistant',
      parent_tool_use_id: parent,
      message: {
        id,
        model: 'claude-opus-5-5',
        content: blocks,
        usage: { input_tokens: 10_000, output_tokens: output, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }
      }
    })

  it('has a cost beside its tokens while running, counts sub-agents in tools and tokens but not turns, then takes Claude Code’s figure', () => {
    const t = new StreamTracker()
    t.line(msg('m1', [{ type: 'text', text: 'hi' }]))
    t.line(msg('m1', [{ type: 'tool_use', id: 'a', name: 'Agent', input: {} }]))
    expect(t.progress).toMatchObject({ turns: 1, toolCalls: 1, tokens: 10_001, costSource: 'estimated' })
    expect(t.progress.costUsd).toBeCloseTo((10_000 * 4 + 20) / 1e6, 12)
    t.line(msg('s1', [{ type: 'tool_use', id: 'b', name: 'Bash', input: {} }], 'a'))
    expect(t.progress).toMatchObject({ turns: 1, toolCalls: 2, tokens: 20_002 })
    t.line(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, num_turns: 1, total_cost_usd: 0.0812 }))
    expect(t.progress).toMatchObject({ costUsd: 0.0812, costSource: 'claude-code' })
    // an async sub-agent's notification starts another turn: back to the estimate until the next result
    t.line(msg('m2', [{ type: 'text', text: 'done' }]))
    expect(t.progress).toMatchObject({ turns: 2, costSource: 'estimated' })
    t.line(
      JSON.stringify({
        type: 'assistant',
        message: { id: 'x', model: '<synthetic>', content: [{ type: 'text', text: 'No response requested.' }] }
      })
    )
    expect(t.progress.turns).toBe(2)
  })
})
