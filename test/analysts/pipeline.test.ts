import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnalystFleet, checkRules, PROPOSE_TOOL, SYSTEM } from '../../src/main/analysts/pipeline'
import { apiModel } from '../../src/main/analysts/model'
import { analystScript, kindOf } from '../support/analyst-script'
import { startModelServer, type ModelServer } from '../support/model-server'

const rule = (text: string, evidence: number[], priority: 'high' | 'medium' | 'low' = 'high') => ({
  rule: text,
  evidence,
  priority,
  reason: `seen in runs ${evidence.join(', ')}`
})

describe('four analysts through the real SDK against a scripted API', () => {
  let server: ModelServer
  const shared = 'SHARED CONTEXT '.repeat(2000)
  const statuses: string[] = []
  let fleet: AnalystFleet

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        // the first analyst is overloaded once, then answers slowly (so "begun" and "ended" are apart)
        error: {
          overloadFirst: true,
          chunkDelayMs: 40,
          rules: [rule('Run the build before saying it is done', [2, 4]), rule('Check the config exists', [2])]
        },
        success: { rules: [rule('Write index.html at the workspace root', [1, 3]), rule('Cite a ghost', [99])] },
        structure: { malformed: true, rules: [] },
        edge: { rules: [rule('Before writing, verify the folder exists', [4]), rule('Use blue', [4])] }
      })
    )
    fleet = new AnalystFleet({
      port: apiModel({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2 }),
      model: 'claude-sonnet-5-5',
      shared: [{ type: 'text', text: shared }],
      runNumbers: new Set([1, 2, 3, 4]),
      onStatus: (s) => statuses.push(`${s.kind}:${s.state}`)
    })
    await fleet.run()
  }, 60_000)
  afterAll(() => server?.close())

  it('shares one byte-identical, cache-marked prefix across the four', () => {
    const answered = server.requests.filter((r) => r.status === 200)
    expect(answered.map((r) => kindOf(r.body)).sort()).toEqual(['edge', 'error', 'structure', 'success'])
    const prefix = (r: (typeof answered)[number]) =>
      JSON.stringify({ tools: r.body.tools, tool_choice: r.body.tool_choice, system: r.body.system, first: r.body.messages[0].content[0] })
    const prefixes = new Set(answered.map(prefix))
    expect(prefixes.size).toBe(1)
    const first = answered[0].body.messages[0].content[0]
    expect(first).toEqual({ type: 'text', text: shared, cache_control: { type: 'ephemeral' } })
    expect(answered[0].body.system).toEqual([{ type: 'text', text: SYSTEM }])
    expect(answered[0].body.tool_choice).toEqual({ type: 'tool', name: PROPOSE_TOOL.name })
    // the analyst's own instructions come after the marker, and differ
    expect(new Set(answered.map((r) => r.body.messages[0].content[1].text)).size).toBe(4)
  })

  it('starts the other three only after the first has begun answering', () => {
    const lead = server.requests.filter((r) => kindOf(r.body) === 'error')
    expect(lead.map((r) => r.status)).toEqual([529, 200])
    const begun = lead[1].firstByteAt!
    const others = server.requests.filter((r) => kindOf(r.body) !== 'error')
    expect(others).toHaveLength(3)
    for (const r of others) expect(r.receivedAt).toBeGreaterThanOrEqual(begun)
    // and before the first had finished: they run in parallel with it
    expect(Math.min(...others.map((r) => r.receivedAt))).toBeLessThan(lead[1].endedAt!)
  })

  it("keeps every analyst's work when one fails, and says why", () => {
    const s = (k: 'error' | 'success' | 'structure' | 'edge') => fleet.status.get(k)!
    expect(s('error').state).toBe('done')
    expect(s('error').attempt).toBe(1)
    // the 1-run rule is below the error analyst's minimum of 2: set aside, with the reason
    expect(s('error').rules.map((r) => r.rule)).toEqual(['Run the build before saying it is done'])
    expect(s('error').setAside).toEqual([expect.objectContaining({ why: '1 run of evidence; the error analyst needs at least 2' })])
    expect(s('success').rules.map((r) => r.rule)).toEqual(['Write index.html at the workspace root'])
    expect(s('success').setAside[0].why).toBe('cites a run not in this analysis: 99')
    expect(s('structure').state).toBe('failed')
    expect(s('structure').error).toMatch(/^bad answer: it does not fit the schema/)
    expect(s('edge').rules.map((r) => r.rule)).toEqual(['Before writing, verify the folder exists'])
    expect(s('edge').setAside[0].why).toMatch(/not a guard/)
    expect(s('error').usage.input).toBeGreaterThan(0)
    expect(s('error').costUsd).toBeGreaterThan(0)
    expect(statuses).toContain('success:waiting')
  })

  it('retries one analyst alone', async () => {
    const before = fleet.status.get('success')!.rules
    const again = await fleet.retry('structure')
    expect(again.state).toBe('failed')
    expect(again.attempt).toBe(2)
    expect(fleet.status.get('success')!.rules).toBe(before)
  })
})

describe('cancel', () => {
  it('cancels one analyst while the others finish', async () => {
    const server = await startModelServer(
      analystScript({
        error: { rules: [rule('Do A first', [1, 2])], chunkDelayMs: 5 },
        success: { rules: [rule('Do B always', [1])], delayMs: 5000 },
        structure: { rules: [rule('Do C then', [1, 2])] },
        edge: { rules: [rule('Before D, check E', [1])] }
      })
    )
    try {
      const fleet = new AnalystFleet({
        port: apiModel({ apiKey: 'k', baseURL: server.url, maxRetries: 0 }),
        model: 'm',
        shared: [{ type: 'text', text: 'x' }],
        runNumbers: new Set([1, 2]),
        onStatus: () => {}
      })
      const running = fleet.run()
      await new Promise((r) => setTimeout(r, 500))
      fleet.cancel('success')
      await running
      expect([...fleet.status.values()].map((s) => `${s.kind}:${s.state}`)).toEqual([
        'error:done',
        'success:cancelled',
        'structure:done',
        'edge:done'
      ])
    } finally {
      await server.close()
    }
  }, 30_000)
})

describe('checking an answer', () => {
  it('rejects a malformed answer as a whole, with the place that is wrong', () => {
    expect(() => checkRules('error', { rules: [{ rule: 'x y z', evidence: [1] }] }, new Set([1]), '')).toThrow(
      /bad answer: .*rules\.0\.priority/
    )
    expect(() => checkRules('error', 'not json', new Set([1]), '')).toThrow(/bad answer/)
  })
  it('dedupes and sorts evidence', () => {
    const { rules } = checkRules('structure', { rules: [rule('Do X', [3, 1, 3])] }, new Set([1, 3]), 'p-')
    expect(rules[0]).toMatchObject({ id: 'p-structure-1', evidence: [1, 3], analyst: 'structure' })
  })
})
