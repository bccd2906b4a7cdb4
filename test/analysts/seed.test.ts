/**
 * An analysis's seed: the analysts read the runs, and the merge the analysts' rules, in the seed's
 * order, the same for the same seed and another for another seed; without a seed, everything is in
 * run order as before. A retry after a restart reads the runs in the same seed's order. Asserted on
 * the requests the scripted model received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../../src/main/app/service'
import { ANALYSTS } from '../../src/shared/skills'
import { gradedBatch, recordingPort, type Seen } from '../support/recording-analysts'

const RUNS = [1, 2, 3, 4, 5, 6, 7, 8]

describe('a seed orders the evidence of an analysis', () => {
  let service: Service
  let setUp: Awaited<ReturnType<typeof gradedBatch>>

  beforeAll(async () => {
    setUp = await gradedBatch(8, 'seed')
    service = setUp.service
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
  })

  /** One analysis with this seed: what its analysts and its merge read. */
  async function analyse(seed?: number) {
    const { port, seen } = recordingPort()
    const app = setUp.handlers(port)
    const a = await app.analyses.start({ batchId: setUp.batchId, ...(seed !== undefined ? { seed } : {}) })
    await app.analyses.idle(a.id)
    const done = await app.analyses.analysisOf(a.id)
    expect(done.state).toBe('done')
    const analysts = seen.filter((s) => s.tool === 'propose_rules')
    expect(analysts.map((s) => s.kind).sort()).toEqual([...ANALYSTS].sort())
    // the four analysts share one prefix: the same order for each
    for (const s of analysts) expect(s.runs).toEqual(analysts[0].runs)
    const merge = seen.filter((s: Seen) => s.tool === 'merge_rules')
    expect(merge).toHaveLength(1)
    return { analysis: done, runs: analysts[0].runs, rules: merge[0].rules }
  }

  it('without a seed, the runs and the rules come in order, as before', async () => {
    const { analysis, runs, rules } = await analyse()
    expect(analysis.seed).toBeUndefined()
    expect(runs).toEqual(RUNS)
    // the rules as the analysts proposed them, analyst by analyst
    expect(rules).toEqual(ANALYSTS.flatMap((k) => [1, 2, 3].map((i) => `a1-${k}-${i}`)))
    expect(analysis.runNumbers).toEqual(RUNS)
  })

  it('the same seed gives the same order; another seed another order; every run and rule read once', async () => {
    const one = await analyse(1)
    const again = await analyse(1)
    const two = await analyse(2)
    expect(one.analysis.seed).toBe(1)
    expect(again.runs).toEqual(one.runs)
    expect(again.rules).toEqual(one.rules)
    expect(two.runs).not.toEqual(one.runs)
    expect(two.rules).not.toEqual(one.rules)
    for (const x of [one, two]) {
      expect([...x.runs].sort((a, b) => a - b)).toEqual(RUNS)
      expect(x.runs).not.toEqual(RUNS)
      expect(x.rules).toHaveLength(12)
      expect(new Set(x.rules).size).toBe(12)
      // the analysis still lists its runs in run order
      expect(x.analysis.runNumbers).toEqual(RUNS)
    }
  })

  it('a retry after a restart reads the runs in the same seed order', async () => {
    const failing = recordingPort({ failWhen: (req) => /You are the success analyst/.test(req.instructions) })
    const app = setUp.handlers(failing.port)
    const a = await app.analyses.start({ batchId: setUp.batchId, seed: 3 })
    await app.analyses.idle(a.id)
    const first = failing.seen.find((s) => s.tool === 'propose_rules')!.runs
    expect(first).not.toEqual(RUNS)
    // a restart: nothing of the analysis in memory; the retry rebuilds the context
    const second = recordingPort()
    const restarted = setUp.handlers(second.port)
    await restarted.analyses.retryAnalyst(a.id, 'success')
    await restarted.analyses.idle(a.id)
    const retried = second.seen.filter((s) => s.tool === 'propose_rules')
    expect(retried.map((s) => s.kind)).toEqual(['success'])
    expect(retried[0].runs).toEqual(first)
    expect((await restarted.analyses.analysisOf(a.id)).state).toBe('done')
  })
})
