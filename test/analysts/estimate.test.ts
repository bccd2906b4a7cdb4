/** The estimate before Analyse: the arithmetic, by hand. */
import { describe, expect, it } from 'vitest'
import { estimateAnalysisCost, MERGE_PROMPT_OVERHEAD, OUTPUT_ALLOWANCE } from '../../src/main/analysts/estimate'
import { batchEstimate, median } from '../../src/shared/estimate'

describe('estimateAnalysisCost', () => {
  it('API: the first analyst writes the cache (1.25x for Sonnet 4.5), three read it (0.1x), plus outputs and the merge', () => {
    expect(OUTPUT_ALLOWANCE).toBe(3000)
    expect(MERGE_PROMPT_OVERHEAD).toBe(1000)
    const e = estimateAnalysisCost({
      model: 'claude-sonnet-4-5',
      mergeModel: 'claude-sonnet-4-5',
      via: 'api',
      groups: [{ promptTokens: 100_000 }],
      instructionTokens: 500
    })
    expect(e.analysts).toMatchObject({ cacheCreation: 100_000, cacheRead: 300_000, input: 2000, output: 12_000 })
    // sonnet: $3 in, $15 out per million
    // 100k x 1.25 x 3 + 300k x 0.1 x 3 + 2k x 3 + 12k x 15 = 375,000 + 90,000 + 6,000 + 180,000
    expect(e.analysts.usd).toBeCloseTo(0.651, 10)
    // merge: the four answers (4 x 3k) + 1k in, 3k out: 13k x 3 + 3k x 15 = 39,000 + 45,000
    expect(e.merge).toMatchObject({ input: 13_000, output: 3000 })
    expect(e.merge.usd).toBeCloseTo(0.084, 10)
    expect(e.usd).toBeCloseTo(0.735, 10)
    expect(e.basis).toBe(
      "the first analyst writes the context to the prompt cache, the other three read it from there (at claude-sonnet-4-5's cache prices), about 3,000 tokens out each, plus the merge"
    )
  })

  it("uses each model's own cache prices and prices each request on its own", () => {
    // Sonnet 5.5: $2 in, $10 out, $2.50 cache write, $0.10 cache read (0.05x)
    const e = estimateAnalysisCost({
      model: 'claude-sonnet-5-5',
      mergeModel: 'claude-sonnet-5-5',
      via: 'api',
      groups: [{ promptTokens: 100_000 }],
      instructionTokens: 500
    })
    expect(e.analysts.usd).toBeCloseTo((100_000 * 2.5 + 300_000 * 0.1 + 2000 * 2 + 12_000 * 10) / 1e6, 10)
    // Haiku 5.5 charges more for a request whose prompt is over 100k tokens: four requests of 60k each are not one of 240k
    const h = estimateAnalysisCost({
      model: 'claude-haiku-5-5',
      mergeModel: 'claude-haiku-5-5',
      via: 'api',
      groups: [{ promptTokens: 60_000 }],
      instructionTokens: 0
    })
    expect(h.analysts.usd).toBeCloseTo((60_000 * 0.125 + 180_000 * 0.01 + 12_000 * 0.5) / 1e6, 10)
  })

  it('claude -p: no shared cache, each analyst writes its own', () => {
    const e = estimateAnalysisCost({
      model: 'claude-sonnet-4-5',
      mergeModel: 'claude-sonnet-4-5',
      via: 'claude-cli',
      groups: [{ promptTokens: 100_000 }],
      instructionTokens: 500
    })
    expect(e.analysts).toMatchObject({ cacheCreation: 402_000, cacheRead: 0, input: 0, output: 12_000 })
    expect(e.analysts.usd).toBeCloseTo((402_000 * 3 * 1.25 + 12_000 * 15) / 1e6, 10)
  })

  it('groups: each group has its own cache and its own first merge, then one final merge', () => {
    const e = estimateAnalysisCost({
      model: 'claude-haiku-4-5',
      mergeModel: 'claude-sonnet-4-5',
      via: 'api',
      groups: [{ promptTokens: 50_000 }, { promptTokens: 40_000 }],
      instructionTokens: 500
    })
    expect(e.analysts).toMatchObject({ cacheCreation: 90_000, cacheRead: 270_000, input: 4000, output: 24_000 })
    // haiku 4.5: $1 in, $5 out
    expect(e.analysts.usd).toBeCloseTo((90_000 * 1.25 + 270_000 * 0.1 + 4000 + 24_000 * 5) / 1e6, 10)
    // two group merges (13k in, 3k out each) and the final one (2 x 3k + 1k in, 3k out)
    expect(e.merge).toMatchObject({ input: 13_000 * 2 + 7000, output: 9000 })
    expect(e.merge.usd).toBeCloseTo((33_000 * 3 + 9000 * 15) / 1e6, 10)
  })

  it('says so instead of inventing a price for an unknown model', () => {
    const e = estimateAnalysisCost({
      model: 'mystery-1',
      mergeModel: 'claude-sonnet-4-5',
      via: 'api',
      groups: [{ promptTokens: 1000 }],
      instructionTokens: 10
    })
    expect(e.usd).toBeNull()
    expect(e.analysts.usd).toBeNull()
    expect(e.merge.usd).not.toBeNull()
    expect(e.basis).toMatch(/no price known for mystery-1/)
  })
})

describe('batchEstimate', () => {
  it('uses the median cost per run of finished runs of the task, preferring the same model', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    const runs = [
      { costUsd: 0.1, model: 'claude-sonnet-4-5' },
      { costUsd: 0.3, model: 'claude-sonnet-4-5' },
      { costUsd: 0.2, model: 'claude-sonnet-4-5' },
      { costUsd: 5, model: 'claude-opus-4-5' }
    ]
    const same = batchEstimate({ finished: runs, model: 'claude-sonnet-4-5', runs: 10, capPerRun: null })
    expect(same).toMatchObject({ basis: 'history', usd: 2, sample: 3 })
    expect(same.text).toBe(
      'About $2.00 for 10 runs: the median finished run of this task with claude-sonnet-4-5 cost $0.20 (3 runs). No spending cap.'
    )
    // another model: the median over all, and it says the model differs
    const other = batchEstimate({ finished: runs, model: 'claude-haiku-4-5', runs: 4, capPerRun: 1 })
    expect(other).toMatchObject({ basis: 'other-models', usd: 1, sample: 4 })
    expect(other.text).toMatch(
      /^About \$1.00 for 4 runs: the median finished run of this task cost \$0.25 \(4 runs, with other models than claude-haiku-4-5\)\. Cap: \$4.00 in all\.$/
    )
    // Claude Code's default model ('' or undefined) matches runs made with the default
    expect(batchEstimate({ finished: [{ costUsd: 0.5 }], model: undefined, runs: 2, capPerRun: null })).toMatchObject({
      basis: 'history',
      usd: 1
    })
  })

  it('is honest when nothing has run yet', () => {
    expect(batchEstimate({ finished: [], model: 'claude-sonnet-4-5', runs: 5, capPerRun: 2 })).toEqual({
      basis: 'none',
      usd: null,
      sample: 0,
      text: 'No estimate yet: the first runs will tell. Cap: $10.00 in all.'
    })
    expect(batchEstimate({ finished: [], model: undefined, runs: 5, capPerRun: null }).text).toBe(
      'No estimate yet: the first runs will tell. No spending cap.'
    )
  })
})
