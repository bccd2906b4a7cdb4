/**
 * Candidates from one graded batch: N analyses, one after another, each with its seed and model, saved
 * as N labelled versions of one skill under one name (each learned from scratch, not deepening the one
 * before); progress as each is built; a cancel mid-build stops the analysis in flight and keeps those
 * built; a failing candidate is named and the ones before it stay. The estimate is N analysis
 * estimates. The models are a scripted port that records what each analysis read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Service } from '../../src/main/app/service'
import { CandidatesError, type CandidatesProgress } from '../../src/main/analysts/service'
import type { Skill } from '../../src/shared/skills'
import { gradedBatch, recordingPort } from '../support/recording-analysts'

const MODELS = ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-5-5']

describe('candidates: several versions of one skill from the same runs', () => {
  let service: Service
  let setUp: Awaited<ReturnType<typeof gradedBatch>>

  beforeAll(async () => {
    setUp = await gradedBatch(6, 'candidates')
    service = setUp.service
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
  })

  it('three candidates: three labelled versions of one skill, each its own seeded analysis, with progress', async () => {
    const { port, seen } = recordingPort()
    const app = setUp.handlers(port)
    const progress: CandidatesProgress[] = []
    const built = await app.analyses.buildCandidates(
      { batchId: setUp.batchId, n: 3, models: MODELS },
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p) }
    )
    const view = await app.handlers.getSkill({ skillId: built.skillId })
    expect(view.versions.map((v) => [v.number, v.label])).toEqual([
      [1, 'candidate 1 of 3 (seed 1, claude-sonnet-5-5)'],
      [2, 'candidate 2 of 3 (seed 2, claude-opus-5-5)'],
      [3, 'candidate 3 of 3 (seed 3, claude-haiku-5-5)']
    ])
    expect(built.versions.map((v) => ({ id: v.id, number: v.number, seed: v.seed, model: v.model }))).toEqual(
      view.versions.map((v, i) => ({ id: v.id, number: v.number, seed: i + 1, model: MODELS[i] }))
    )
    // each a real analysis of the batch, with its seed and model (the merge too), on its own page
    for (const [i, v] of built.versions.entries()) {
      const a = await app.analyses.analysisOf(v.analysisId)
      expect(a).toMatchObject({ state: 'done', seed: i + 1, model: MODELS[i], mergeModel: MODELS[i], skillId: built.skillId })
      expect(v.costUsd).toBeGreaterThan(0)
    }
    expect(new Set(built.versions.map((v) => v.analysisId)).size).toBe(3)
    // one name for all (the first candidate's): every candidate installs as the same skill
    for (const v of view.versions) {
      const state = (await app.handlers.getSkillVersion({ versionId: v.id })).state as Skill
      expect(state.frontMatter.name).toBe('from-claude-sonnet-5-5')
      // learned from scratch: no rule carried over from the candidate before
      expect(state.rules.some((r) => r.existing)).toBe(false)
    }
    // the later candidates' analysts read no SKILL.md to improve (create mode, not deepen)
    const analysts = seen.filter((s) => s.tool === 'propose_rules')
    expect(analysts).toHaveLength(12)
    expect(analysts.map((s) => s.model)).toEqual(MODELS.flatMap((m) => [m, m, m, m]))
    // each candidate read the runs in its own order
    const orders = MODELS.map((m) => analysts.find((s) => s.model === m)!.runs.join(','))
    expect(new Set(orders).size).toBe(3)
    // progress: as each started and as each was built, the cost adding up
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [0, 3],
      [1, 3],
      [1, 3],
      [2, 3],
      [2, 3],
      [3, 3]
    ])
    expect(progress[5].costUsd).toBeCloseTo(
      built.versions.reduce((n, v) => n + v.costUsd, 0),
      10
    )
    expect(progress[3].costUsd).toBeLessThan(progress[5].costUsd)
    expect(progress.map((p) => p.analysisId)).toEqual(built.versions.flatMap((v) => [v.analysisId, v.analysisId]))
  })

  it('added to an existing skill of the batch: new versions under its name', async () => {
    const first = setUp.handlers(recordingPort().port)
    const a = await first.analyses.start({ batchId: setUp.batchId, model: 'claude-opus-5' })
    await first.analyses.idle(a.id)
    const skillId = (await first.analyses.analysisOf(a.id)).skillId!
    const built = await first.analyses.buildCandidates(
      { batchId: setUp.batchId, n: 2, models: ['claude-sonnet-5-5'], skillId },
      { signal: new AbortController().signal }
    )
    expect(built.skillId).toBe(skillId)
    const view = await first.handlers.getSkill({ skillId })
    expect(view.versions.map((v) => v.label)).toEqual([
      'from the analysts',
      'candidate 1 of 2 (seed 1, claude-sonnet-5-5)',
      'candidate 2 of 2 (seed 2, claude-sonnet-5-5)'
    ])
    expect(view.skill.frontMatter.name).toBe('from-claude-opus-5')
  })

  it("a retry of a candidate's analysis merges into the same skill, labelled as that candidate", async () => {
    const { port } = recordingPort({
      failWhen: (req) => req.model === 'claude-opus-5-5' && /You are the success analyst/.test(req.instructions)
    })
    const app = setUp.handlers(port)
    const built = await app.analyses.buildCandidates(
      { batchId: setUp.batchId, n: 2, models: MODELS.slice(0, 2) },
      { signal: new AbortController().signal }
    )
    const second = built.versions[1].analysisId
    await app.analyses.retryAnalyst(second, 'success')
    await app.analyses.idle(second)
    const view = await app.handlers.getSkill({ skillId: built.skillId })
    expect(view.versions.map((v) => v.label)).toEqual([
      'candidate 1 of 2 (seed 1, claude-sonnet-5-5)',
      'candidate 2 of 2 (seed 2, claude-opus-5-5)',
      'candidate 2 of 2 (seed 2, claude-opus-5-5), merged again after a retry'
    ])
    expect(view.skill.frontMatter.name).toBe('from-claude-sonnet-5-5')
  })

  it("the app's candidates read the notes of their batch, as its analyses do", async () => {
    const { port, seen } = recordingPort()
    const app = setUp.handlers(port, async (id) => `NOTE: how batch ${id} was made.`)
    const built = await app.buildCandidates({ batchId: setUp.batchId, n: 2 }, { signal: new AbortController().signal })
    expect(built.versions.map((v) => v.model)).toEqual(['claude-sonnet-5-5', 'claude-sonnet-5-5'])
    const analysts = seen.filter((s) => s.tool === 'propose_rules')
    expect(analysts).toHaveLength(8)
    for (const s of analysts) expect(s.text).toContain(`# How these runs were made\nNOTE: how batch ${setUp.batchId} was made.`)
    const est = await app.estimateCandidates({ batchId: setUp.batchId, n: 2 })
    const without = await setUp.handlers(port).estimateCandidates({ batchId: setUp.batchId, n: 2 })
    expect(est.candidates[0].contextTokens).toBeGreaterThan(without.candidates[0].contextTokens)
  })

  it('a cancel mid-build cancels the analysis in flight and stops; the candidates built stay', async () => {
    const stop = new AbortController()
    const { port, seen } = recordingPort({
      // the second candidate's analysts: the build is cancelled while they answer
      hold: async (req, signal) => {
        if (req.model !== 'claude-opus-5-5') return
        stop.abort()
        await new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve())))
      }
    })
    const app = setUp.handlers(port)
    const progress: CandidatesProgress[] = []
    const err = await app.analyses
      .buildCandidates({ batchId: setUp.batchId, n: 3, models: MODELS }, { signal: stop.signal, onProgress: (p) => progress.push(p) })
      .catch((e) => e)
    expect(err).toBeInstanceOf(CandidatesError)
    expect(err.code).toBe('cancelled')
    expect(err.message).toMatch(/cancelled during candidate 2 of 3: the candidate built before stays \(version 1\)/)
    const skillId = err.built.skillId
    expect(err.built.versions.map((v: { number: number }) => v.number)).toEqual([1])
    const view = await app.handlers.getSkill({ skillId })
    expect(view.versions.map((v) => v.label)).toEqual(['candidate 1 of 3 (seed 1, claude-sonnet-5-5)'])
    // the second candidate's analysis was cancelled; no third was started
    // (as it started: 1 of 3 built, the second in flight)
    expect(progress.map((p) => p.done)).toEqual([0, 1, 1])
    const second = progress[2].analysisId!
    expect(second).not.toBe(progress[1].analysisId)
    expect((await app.analyses.analysisOf(second)).state).toBe('cancelled')
    expect(seen.some((s) => s.model === 'claude-haiku-5-5' && s.tool === 'propose_rules')).toBe(false)
  })

  it('a candidate that fails stops the build, named; the ones before it stay', async () => {
    const { port } = recordingPort({ failWhen: (req) => req.tool.name === 'propose_rules' && req.model === 'claude-opus-5-5' })
    const app = setUp.handlers(port)
    const err = await app.analyses
      .buildCandidates({ batchId: setUp.batchId, n: 3, models: MODELS }, { signal: new AbortController().signal })
      .catch((e) => e)
    expect(err).toBeInstanceOf(CandidatesError)
    expect(err.message).toBe(
      'Candidate 2 of 3 (seed 2, claude-opus-5-5) failed: No analyst finished: retry one, or check the model access.; the candidate built before stays (version 1).'
    )
    const view = await app.handlers.getSkill({ skillId: err.built.skillId })
    expect(view.versions.map((v) => v.label)).toEqual(['candidate 1 of 3 (seed 1, claude-sonnet-5-5)'])
  })

  it('refuses a bad number of candidates or models before any model is called; the estimate is N analyses', async () => {
    const { port, seen } = recordingPort()
    const app = setUp.handlers(port)
    const signal = new AbortController().signal
    const refused = async (input: Parameters<typeof app.analyses.buildCandidates>[0]) =>
      (await app.analyses.buildCandidates(input, { signal }).catch((e) => e)).message
    expect(await refused({ batchId: setUp.batchId, n: 1 })).toBe('Make 2 to 5 candidates, not 1.')
    expect(await refused({ batchId: setUp.batchId, n: 6 })).toBe('Make 2 to 5 candidates, not 6.')
    expect(await refused({ batchId: setUp.batchId, n: 3, models: MODELS.slice(0, 2) })).toBe(
      'Give one model for every candidate, or one for all: 2 models for 3 candidates.'
    )
    expect(await refused({ batchId: setUp.batchId, n: 2, skillId: 'no-such-skill' })).toMatch(/no such skill: no-such-skill/)
    expect(seen).toHaveLength(0)

    const one = await app.analyses.estimate({ batchId: setUp.batchId, model: 'claude-sonnet-5-5' })
    const est = await app.analyses.estimateCandidates({ batchId: setUp.batchId, n: 3, models: ['claude-sonnet-5-5'] })
    expect(est.n).toBe(3)
    expect(est.candidates.map((c) => c.seed)).toEqual([1, 2, 3])
    expect(est.usd).toBeCloseTo(3 * one.usd!, 10)
    const mixed = await app.analyses.estimateCandidates({ batchId: setUp.batchId, n: 3, models: MODELS })
    expect(mixed.candidates.map((c) => c.model)).toEqual(MODELS)
    expect(mixed.usd).toBeCloseTo(
      mixed.candidates.reduce((n, c) => n + c.usd!, 0),
      10
    )
  })
})
