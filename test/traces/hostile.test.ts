/**
 * Hostile session files (issue 9): nesting deep enough to overflow recursive code, absurd token
 * counts, timestamps that are not dates, `__proto__` keys, enormous strings. The parser never throws,
 * the summary agrees with it, and every part downstream (JSON, structured clone, zod, search, images,
 * condensed traces, signals) still works.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { keyArgs } from '../../src/main/analysts/condense'
import { traceMetrics } from '../../src/main/analysts/signals'
import { readImage } from '../../src/main/traces/image'
import { parseSessionFile } from '../../src/main/traces/parse'
import { searchSessionFile } from '../../src/main/traces/search'
import { summarizeFile } from '../../src/main/traces/summary'
import { isDeeperThan } from '../../src/main/traces/untrusted'
import { TraceSchema, type Trace, type TraceEvent } from '../../src/shared/trace'

const dir = () => mkdtemp(join(tmpdir(), 't2s-hostile-'))
const line = (o: unknown) => JSON.stringify(o) + '\n'
const TS = '2026-01-01T00:00:00Z'
const user = (text: string, extra: object = {}) =>
  line({ type: 'user', message: { role: 'user', content: text }, timestamp: TS, uuid: `u-${text.length}`, ...extra })
const usage = (u: Record<string, unknown>) => ({
  input_tokens: 100,
  output_tokens: 10,
  cache_read_input_tokens: 5,
  cache_creation_input_tokens: 7,
  ...u
})
const assistantRaw = (id: string, blocks: string, u: string, ts = '2026-01-01T00:00:01Z') =>
  `{"type":"assistant","message":{"id":"${id}","model":"claude-sonnet-4-5","role":"assistant","content":${blocks},"usage":${u}},"timestamp":"${ts}"}\n`
const assistant = (id: string, blocks: unknown[], u: Record<string, unknown> = {}, ts?: string) =>
  assistantRaw(id, JSON.stringify(blocks), JSON.stringify(usage(u)), ts)

/** `{"a":{"a":...1...}}` n levels deep, as JSON text. */
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
/** `[[[...]]]` n levels deep, as JSON text. */
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n)
const PLACEHOLDER = '[nested deeper than 100 levels: omitted]'

/** The deepest container nesting of a value, measured without recursion. */
function depthOf(value: unknown): number {
  let max = 0
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length) {
    const [v, d] = stack.pop()!
    if (v && typeof v === 'object') {
      max = Math.max(max, d + 1)
      for (const c of Object.values(v)) stack.push([c, d + 1])
    }
  }
  return max
}

/** Everything the app does with a trace after parsing it must work. */
function usable(t: Trace) {
  expect(() => JSON.stringify(t)).not.toThrow()
  expect(() => structuredClone(t)).not.toThrow()
  expect(TraceSchema.safeParse(t).success).toBe(true)
  expect(depthOf(t)).toBeLessThan(120)
  for (const e of t.events) if (e.kind === 'tool_call') expect(() => keyArgs(e.input, 300)).not.toThrow()
  expect(() => traceMetrics(t)).not.toThrow()
}

const calls = (events: TraceEvent[]) => events.filter((e): e is Extract<TraceEvent, { kind: 'tool_call' }> => e.kind === 'tool_call')

describe('deep nesting: a warning and a placeholder, never a stack overflow', () => {
  it('a 10k-deep tool input, tool result, structured result and record; a 100k-deep sub-agent meta.json', async () => {
    const d = await dir()
    const f = join(d, '11111111-2222-4333-8444-555555555555.jsonl')
    const N = 10_000
    await writeFile(
      f,
      user('go deep') +
        assistantRaw(
          'm1',
          `[{"type":"tool_use","id":"t1","name":"Write","input":{"file_path":"deepword.txt","content":${deepObject(N)}}}]`,
          JSON.stringify(usage({}))
        ) +
        `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"ok"},{"type":"json","value":${deepArray(N)}}]}]},"toolUseResult":{"deep":${deepArray(N)}},"timestamp":"${TS}"}\n` +
        assistantRaw('m2', `[{"type":"tool_use","id":"t2","name":"Bash","input":${deepArray(N)}}]`, JSON.stringify(usage({}))) +
        `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":${deepArray(N)}}]},"timestamp":"${TS}"}\n` +
        `{"type":"hologram","payload":${deepObject(N)}}\n` +
        assistantRaw(
          'm3',
          `[{"type":"tool_use","id":"t3","name":"Agent","input":{"description":"sub","prompt":"do the sub thing"}}]`,
          JSON.stringify(usage({}))
        ) +
        user('thanks')
    )
    const sub = join(d, '11111111-2222-4333-8444-555555555555', 'subagents')
    await mkdir(sub, { recursive: true })
    await writeFile(
      join(sub, 'agent-a8c94204ceff97979.jsonl'),
      user('do the sub thing') + assistant('s1', [{ type: 'text', text: 'done' }])
    )
    await writeFile(join(sub, 'agent-a8c94204ceff97979.meta.json'), deepObject(100_000))

    const t = await parseSessionFile(f)
    usable(t)
    const deep = t.warnings.filter((w) => /nested deeper than 100 levels/.test(w.message))
    expect(deep.map((w) => w.line)).toEqual([2, 3, 4, 5, 6, 1])
    expect(deep[5].file).toMatch(/agent-a8c94204ceff97979\.meta\.json$/)
    const [c1, c2] = calls(t.events)
    expect(c1.input).toMatchObject({ file_path: 'deepword.txt' })
    expect(JSON.stringify(c1.input)).toContain(PLACEHOLDER)
    expect(c1.result?.text).toContain('ok')
    expect(c1.result?.text).toContain(PLACEHOLDER)
    expect(JSON.stringify(c1.result?.extra)).toContain(PLACEHOLDER)
    expect(JSON.stringify(c2.input)).toContain(PLACEHOLDER)
    expect(c2.result).toBeDefined()
    expect(t.subagents).toHaveLength(1)
    expect(JSON.stringify(t.subagents[0].meta)).toContain(PLACEHOLDER)
    expect(t.subagents[0].parentToolUseId).toBe('t3')
    // the rest of the session is intact
    expect(t.events.filter((e) => e.kind === 'user' && !e.isMeta).map((e) => e.kind === 'user' && e.text)).toEqual(['go deep', 'thanks'])
    expect(t.usage.input).toBe(300)

    const s = await summarizeFile(f)
    expect(s.warnings).toBe(t.warnings.filter((w) => w.file === f).length)
    expect([s.toolCalls, s.prompts, s.turns, s.lines]).toEqual([3, 2, t.totals.turns, 8])
    expect(s.usage).toEqual(t.usage)

    const found = await searchSessionFile(f, 'deepword')
    expect(found.matches).toBe(1)
  })

  it('shallow lines are left exactly as they are (100 levels is fine)', async () => {
    const d = await dir()
    const f = join(d, 'shallow.jsonl')
    // the record is level 1, message 2, content 3, block 4, input 5: 95 more levels make 100
    await writeFile(
      f,
      user('go') + assistantRaw('m1', `[{"type":"tool_use","id":"t1","name":"X","input":${deepArray(96)}}]`, JSON.stringify(usage({})))
    )
    const t = await parseSessionFile(f)
    expect(t.warnings).toEqual([])
    expect(JSON.stringify(calls(t.events)[0].input)).toBe(deepArray(96))
    const g = join(d, 'over.jsonl')
    await writeFile(
      g,
      user('go') + assistantRaw('m1', `[{"type":"tool_use","id":"t1","name":"X","input":${deepArray(97)}}]`, JSON.stringify(usage({})))
    )
    const over = await parseSessionFile(g)
    expect(over.warnings.map((w) => [w.line, w.message])).toEqual([[2, 'nested deeper than 100 levels: 1 value omitted']])
    expect(JSON.stringify(calls(over.events)[0].input)).toBe('['.repeat(96) + `"${PLACEHOLDER}"` + ']'.repeat(96))
    expect((await summarizeFile(g)).warnings).toBe(1)
  })

  it('brackets inside strings do not count as nesting', async () => {
    const d = await dir()
    const f = join(d, 'strings.jsonl')
    await writeFile(
      f,
      user('[[[[' + '{['.repeat(5000) + ' \\" \\\\"' + ']'.repeat(300)) + assistant('m1', [{ type: 'text', text: '{'.repeat(10_000) }])
    )
    const t = await parseSessionFile(f)
    expect(t.warnings).toEqual([])
    expect((await summarizeFile(f)).warnings).toBe(0)
  })

  it('the byte scan measures exactly what JSON.parse sees (random values, strings full of brackets, quotes and backslashes)', () => {
    let seed = 42
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const chars = ['{', '}', '[', ']', '"', '\\', 'a', ' ', ':', ',', '\n', 'é']
    const str = () => Array.from({ length: Math.floor(rand() * 12) }, () => chars[Math.floor(rand() * chars.length)]).join('')
    const value = (depth: number): unknown => {
      const r = rand()
      if (depth > 40 || r < 0.3) return r < 0.15 ? str() : Math.floor(r * 100)
      if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [str(), value(depth + 1)]))
    }
    for (let i = 0; i < 400; i++) {
      const v = value(0)
      const text = JSON.stringify(v, null, i % 3 === 0 ? 1 : undefined)
      const buf = Buffer.from(`xx${text}yy`)
      const depth = depthOf(JSON.parse(text))
      for (const limit of [0, 1, 2, 5, depth - 1, depth, depth + 1]) {
        if (limit < 0) continue
        // the cheap pre-checks (length, bracket count) are sized for the real limit: test the scan itself at small limits
        expect(isDeeperThan(buf, 2, buf.length - 4, limit), `${text} at ${limit}`).toBe(depth > limit)
      }
    }
  })

  it('an image in a deep line is still found and read', async () => {
    const d = await dir()
    const f = join(d, 'img.jsonl')
    const png = Buffer.alloc(4096, 3).toString('base64')
    const image = JSON.stringify({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } })
    await writeFile(
      f,
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }]) +
        `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[${image},{"type":"x","v":${deepArray(20_000)}}]}]},"timestamp":"${TS}"}\n`
    )
    const t = await parseSessionFile(f)
    const ref = calls(t.events)[0].result!.images[0]
    expect(ref).toMatchObject({ mediaType: 'image/png', index: 0 })
    expect((await readImage(ref)).data).toBe(png)
  })
})

describe('implausible token counts are ignored and reported', () => {
  const bad: [string, unknown][] = [
    ['input_tokens', 1e30],
    ['output_tokens', -5],
    ['cache_read_input_tokens', 'NaN'],
    ['cache_creation_input_tokens', 1.5],
    ['input_tokens', 2e9]
  ]
  for (const big of [false, true]) {
    it(`in small and ${big ? 'big (byte-pattern)' : 'parsed'} lines alike`, async () => {
      const d = await dir()
      const f = join(d, `tokens-${big}.jsonl`)
      const pad = big ? [{ type: 'text', text: 'x'.repeat(5000) }] : []
      let text = user('q')
      bad.forEach(([k, v], i) => (text += assistant(`m${i}`, [...pad, { type: 'text', text: 'a' }], { [k]: v })))
      text += assistantRaw('inf', '[{"type":"text","text":"b"}]', '{"input_tokens":1e400,"output_tokens":3}')
      text += assistant('ok', [...pad, { type: 'text', text: 'c' }])
      await writeFile(f, text)
      const t = await parseSessionFile(f)
      expect(t.warnings.map((w) => w.line)).toEqual([2, 3, 4, 5, 6, 7])
      expect(t.warnings[0].message).toBe('implausible token count ignored: usage.input_tokens = 1e+30')
      expect(t.warnings[2].message).toBe('implausible token count ignored: usage.cache_read_input_tokens = "NaN"')
      // every line's sane fields still count; the insane ones count 0
      expect(t.usage).toEqual({
        input: 100 * 7 - 300 + 0,
        output: 10 * 7 - 10 - 10 + 3,
        cacheRead: 5 * 7 - 5 - 5,
        cacheCreation: 7 * 7 - 7 - 7
      })
      expect(Number.isFinite(t.costUsd)).toBe(true)
      expect(t.costUsd).toBeLessThan(1)
      const s = await summarizeFile(f)
      expect(s.usage).toEqual(t.usage)
      expect(s.costUsd).toBeCloseTo(t.costUsd, 10)
      expect(s.warnings).toBe(t.warnings.length)
    })
  }

  it('a compaction with an absurd preTokens keeps no number', async () => {
    const d = await dir()
    const f = join(d, 'compact.jsonl')
    await writeFile(f, '{"type":"system","subtype":"compact_boundary","compactMetadata":{"trigger":"auto","preTokens":1e400}}\n')
    const t = await parseSessionFile(f)
    const c = t.events[0]
    expect(c.kind === 'compaction' && c.preTokens).toBeUndefined()
  })
})

describe('timestamps that are not dates', () => {
  it('never make the duration NaN or the start and end garbage', async () => {
    const d = await dir()
    const f = join(d, 'times.jsonl')
    await writeFile(
      f,
      user('a', { timestamp: 'yesterday-ish' }) +
        user('b', { timestamp: '2026-01-01T00:00:00Z' }) +
        user('c', { timestamp: 'x'.repeat(3000) }) +
        user('d', { timestamp: '2026-01-01T00:00:30Z' }) +
        user('e', { timestamp: 12345 }) +
        user('f', { timestamp: '2026-13-45T99:99:99Z' })
    )
    const s = await summarizeFile(f)
    expect([s.start, s.end, s.durationMs]).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z', 30_000])
    const t = await parseSessionFile(f)
    expect(t.events.map((e) => e.ts)).toEqual([undefined, '2026-01-01T00:00:00Z', undefined, '2026-01-01T00:00:30Z', undefined, undefined])
    const g = join(d, 'none.jsonl')
    await writeFile(g, user('a', { timestamp: 'soon' }) + user('b', { timestamp: 'later' }))
    const n = await summarizeFile(g)
    expect([n.start, n.end, n.durationMs]).toEqual([undefined, undefined, 0])
  })
})

describe('keys and strings from the file are data, never code paths', () => {
  it('__proto__ keys are kept as plain keys and pollute nothing', async () => {
    const d = await dir()
    const f = join(d, 'proto.jsonl')
    await writeFile(
      f,
      '{"type":"hologram","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}\n' +
        '{"type":"assistant","message":{"id":"m","model":"m","content":[{"type":"tool_use","id":"t","name":"X","input":{"__proto__":{"isAdmin":true}}}]},"toolUseResult":{"__proto__":{"x":1}}}\n' +
        '{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r"}]},"toolUseResult":{"__proto__":{"x":1},"data":"' +
        'A'.repeat(2000) +
        '"}}\n'
    )
    const t = await parseSessionFile(f)
    const raw = (t.events[0] as { raw: Record<string, unknown> }).raw
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype)
    expect(Object.keys(raw)).toEqual(['type', '__proto__', 'constructor'])
    expect(JSON.parse(JSON.stringify(raw))).toEqual(
      JSON.parse('{"type":"hologram","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')
    )
    expect((raw as { polluted?: unknown }).polluted).toBeUndefined()
    const extra = calls(t.events)[0].result!.extra as Record<string, unknown>
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype)
    expect(Object.keys(extra)).toEqual(['__proto__', 'data'])
    expect(({} as { polluted?: unknown; isAdmin?: unknown; x?: unknown }).polluted).toBeUndefined()
    expect(({} as { x?: unknown }).x).toBeUndefined()
  })

  it('an enormous cwd, version, branch or model name is not carried into the summary', async () => {
    const d = await dir()
    const f = join(d, 'huge-strings.jsonl')
    const huge = 'z'.repeat(200_000)
    await writeFile(
      f,
      user('q', { cwd: huge, version: huge, gitBranch: huge }) +
        user('r', { cwd: '/real/cwd', version: '2.1.0', gitBranch: 'main' }) +
        assistant('m1', [{ type: 'text', text: 'a' }]).replace('claude-sonnet-4-5', huge)
    )
    const s = await summarizeFile(f)
    expect([s.cwd, s.version, s.gitBranch]).toEqual(['/real/cwd', '2.1.0', 'main'])
    const t = await parseSessionFile(f)
    expect(t.cwd).toBe('/real/cwd')
    expect(s.models).toEqual(t.models)
    expect(JSON.stringify(s).length).toBeLessThan(10_000)
  })

  it('a file naming thousands of models keeps the first 32, in the summary and the parse alike', async () => {
    const d = await dir()
    const f = join(d, 'models.jsonl')
    let text = user('q')
    for (let i = 0; i < 5000; i++) text += assistant(`m${i}`, [{ type: 'text', text: 'a' }]).replace('claude-sonnet-4-5', `model-${i}`)
    await writeFile(f, text)
    const t = await parseSessionFile(f)
    const s = await summarizeFile(f)
    expect(t.models).toEqual(Array.from({ length: 32 }, (_, i) => `model-${i}`))
    expect(s.models).toEqual(t.models)
    expect(s.usage).toEqual(t.usage)
    expect(t.usage.input).toBe(500_000)
  })
})
