/** An analyst's rules show up while its answer still streams (drafts), through the real SDK. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnalystFleet, type AnalystStatus } from '../../src/main/analysts/pipeline'
import { apiModel } from '../../src/main/analysts/model'
import { analystScript } from '../support/analyst-script'
import { startModelServer, type ModelServer } from '../support/model-server'

const long = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `${'what the trace shows, at length. '.repeat(12)}runs ${evidence.join(', ')}`
})

describe('draft rules while an analyst streams', () => {
  let server: ModelServer
  const seen: AnalystStatus[] = []

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        error: {
          chunkDelayMs: 20,
          rules: [long('Run the build before finishing', [1, 2]), long('Read back every file', [2, 3]), long('Check the config', [3, 4])]
        }
      })
    )
    const fleet = new AnalystFleet({
      port: apiModel({ apiKey: 'k', baseURL: server.url, maxRetries: 0 }),
      model: 'claude-sonnet-5-5',
      shared: [{ type: 'text', text: 'ctx' }],
      runNumbers: new Set([1, 2, 3, 4]),
      kinds: ['error'],
      onStatus: (s) => seen.push(structuredClone(s))
    })
    await fleet.run()
  }, 30_000)
  afterAll(() => server?.close())

  it('publishes each rule as soon as it is written, then the checked rules replace the drafts', () => {
    const streaming = seen.filter((s) => s.state === 'streaming').map((s) => s.drafts?.length ?? 0)
    expect(streaming).toContain(1)
    expect(streaming).toContain(2)
    expect(seen.find((s) => s.state === 'streaming' && s.drafts?.length === 1)!.drafts).toEqual([
      { rule: 'Run the build before finishing', evidence: [1, 2] }
    ])
    const done = seen[seen.length - 1]
    expect(done.state).toBe('done')
    expect(done.rules).toHaveLength(3)
    expect(done.drafts ?? []).toEqual([])
  })
})
