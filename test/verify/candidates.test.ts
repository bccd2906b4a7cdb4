/**
 * Issue 22, the best of several candidates, with the real `claude` and a scripted model whose agent
 * does better with one of three versions of a skill: all of them and no skill run on the same
 * variations in one blind batch, each run with its own candidate installed; graded as the person
 * would, the table's figures are the hand's and the suggested one is that candidate. With too few runs
 * to tell them apart, it says so instead of suggesting one. Built from a batch (a fake build of the
 * analysis service's signature): the verification is 'building' with progress, then runs; a cancel
 * reaches the build. Refused over the cap, and for the paths that make sense only for two arms.
 */
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { BuildCandidates } from '../../src/main/verify/service'
import { seededInt } from '../../src/main/verify/plan'
import { claudeEnv, SCRIPTED_RUN_SETTINGS as SETTINGS } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { candidatesScript, candidateVariations, gradeByPage, plantCandidates } from '../support/candidates'
import { plantTaskWithRubric } from '../support/verify-grader'

describe('the best of several candidates', () => {
  let server: ModelServer
  let service: Service
  let dir = ''
  let skillId = ''
  let taskId = ''
  let learnedBatch = ''
  let versions: { id: string; number: number }[] = []
  // the fake build: what it was asked, and what it does (set per test)
  const builds: Parameters<BuildCandidates>[0][] = []
  let build: BuildCandidates = async () => {
    throw new Error('no build in this test')
  }

  beforeAll(async () => {
    server = await startModelServer(candidatesScript())
    dir = await mkdtemp(join(tmpdir(), 't2s-candidates-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(join(dir, 'claude'), server.url),
      random: seededInt(11),
      buildCandidates: (input, o) => {
        builds.push(input)
        return build(input, o)
      },
      // building costs $0.40 an analysis
      estimateBuild: async (input) => ({ usd: 0.4 * input.n })
    })
    ;({ taskId, batchId: learnedBatch } = await plantTaskWithRubric(service))
    ;({ skillId, versions } = await plantCandidates(service, { taskId }))
    expect(versions.map((v) => v.number)).toEqual([1, 2, 3])
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('three candidates, one the agent does better with: the table is the hand-computed one and that one is suggested', async () => {
    const input = {
      skillId,
      versionIds: versions.map((v) => v.id),
      repeats: 1,
      variations: { source: 'pasted' as const, items: candidateVariations(6) },
      settings: SETTINGS
    }
    const est = await service.handlers.estimateCandidates(input)
    expect(est).toMatchObject({ candidates: 3, variations: 6, repeats: 1, runs: 24, source: 'pasted', heldOut: true, over: false })
    const started = await service.handlers.makeCandidates(input)
    const id = started.verification.id
    await service.verify.idle(id)
    const v = (await service.store.verifications.get(id))!
    expect(v).toMatchObject({ kind: 'candidates', phase: 'created' })
    expect(v.candidates!.map((c) => c.number)).toEqual([1, 2, 3])
    // one batch, every group side by side: 3 candidates and no skill per variation
    const slots = Object.values(v.arms)
    expect(slots).toHaveLength(24)
    expect(slots.filter((s) => s.arm === 'without')).toHaveLength(6)
    for (const c of [0, 1, 2]) expect(slots.filter((s) => s.arm === 'with' && s.candidate === c)).toHaveLength(6)
    expect(v.installed!.map((i) => [i.candidate, i.versionId])).toEqual(versions.map((x, i) => [i, x.id]))
    // blind until graded: no table, no arm of any run
    const blind = await service.handlers.getVerification({ verificationId: id })
    expect(blind.candidates).toBeUndefined()
    expect(blind.verification.arms).toEqual({})

    const runs = await gradeByPage(service, v.batchId!)
    expect(runs.every((r) => r.state === 'done')).toBe(true)
    // nothing installed is left in a run's folder
    for (const r of runs) expect(await readdir(r.workspace!)).not.toContain('.claude')
    // the page each run made: good only with version 2 installed
    for (const r of runs) {
      const s = v.arms[r.id]
      expect(r.feedback?.label, `Run ${r.number}`).toBe(s.arm === 'with' && s.candidate === 1 ? 'good' : 'bad')
    }

    const t = (await service.handlers.getVerification({ verificationId: id })).candidates!
    expect(t.pairs).toBe(6)
    expect(t.complete).toBe(true)
    expect(t.rows.map((r) => [r.label, r.passRate.passed, r.passRate.n])).toEqual([
      ['no skill', 0, 6],
      ['version 1', 0, 6],
      ['version 2', 6, 6],
      ['version 3', 0, 6]
    ])
    // 6 of 6: Wilson 95% [0.6097, 1]; 0 of 6: [0, 0.3903]
    expect(t.rows[2].passRate.ci!.low).toBeCloseTo(0.6097, 4)
    expect(t.rows[0].passRate.ci!.high).toBeCloseTo(0.3903, 4)
    // version 2 against no skill: 6 fixed, none broken, p = 2 x 0.5^6 = 0.03125; the others tie every pair
    expect(t.rows[2].vsNone).toMatchObject({ pairs: 6, difference: 1, fixed: 6, broken: 0, ties: 0 })
    expect(t.rows[2].vsNone!.p).toBeCloseTo(0.03125, 10)
    expect(t.rows[1].vsNone).toMatchObject({ difference: 0, fixed: 0, broken: 0, ties: 6, p: 1 })
    expect(t.matrix[1][0]).toMatchObject({ difference: 1, fixed: 6, broken: 0 })
    expect(t.matrix[0][2]).toMatchObject({ difference: 0, ties: 6, p: 1 })
    // versions 1 and 2 were loaded in every run; version 3 (a description that is not the task's) never
    expect(t.rows.map((r) => r.trigger && [r.trigger.invoked, r.trigger.runs])).toEqual([null, [6, 6], [6, 6], [0, 6]])
    // the cost is the runs' own, per arm
    for (const [i, row] of t.rows.entries()) {
      const arm = runs.filter((r) => (i === 0 ? v.arms[r.id].arm === 'without' : v.arms[r.id].candidate === i - 1))
      expect(row.costUsd).toBeCloseTo(
        arm.reduce((s, r) => s + r.progress.costUsd, 0),
        10
      )
    }
    expect(t.suggested).toBe(1)
    expect(t.why).toBe('version 2 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.')
    // two arms only: explaining pairs and deepening say why not
    await expect(service.handlers.explainVerification({ verificationId: id })).rejects.toThrow(/only from a verification of one version/)
  }, 300_000)

  it('too few runs to tell them apart: no suggestion, and the sentence says so', async () => {
    const view = await service.handlers.makeCandidates({
      skillId,
      versionIds: [versions[0].id, versions[1].id],
      repeats: 1,
      variations: { source: 'pasted', items: candidateVariations(4) },
      settings: SETTINGS
    })
    await service.verify.idle(view.verification.id)
    await gradeByPage(service, (await service.store.verifications.get(view.verification.id))!.batchId!)
    const t = (await service.handlers.getVerification({ verificationId: view.verification.id })).candidates!
    expect(t.rows.map((r) => r.passRate.passed)).toEqual([0, 0, 4])
    expect(t.suggested).toBeNull()
    expect(t.why).toBe(
      'Too few runs to tell them apart: with 4 pairs the exact test cannot reach p < 0.05; it needs at least 6 pairs where they disagree.'
    )
  }, 300_000)

  it('over the cap it is refused before anything is written (unless raised); fewer than two or repeated versions too', async () => {
    // the skill learned from a batch whose one finished run cost $2
    await service.store.batches.update(learnedBatch, (doc) => {
      for (const r of Object.values(doc.runs)) Object.assign(r, { state: 'done', progress: { ...r.progress, costUsd: 2 } })
    })
    const skill = (await service.store.skills.get(skillId))!
    await service.store.skills.put({ ...skill, batchIds: [learnedBatch] })
    const before = service.store.verifications.ids().length
    const input = {
      skillId,
      versionIds: versions.map((v) => v.id),
      repeats: 2,
      variations: { source: 'pasted' as const, items: candidateVariations(3) },
      settings: SETTINGS
    }
    // 3 variations x 2 repeats x 4 arms = 24 runs at $2: $48, over the default cap of $25
    const est = await service.handlers.estimateCandidates(input)
    expect(est).toMatchObject({ runs: 24, costPerRunUsd: 2, usd: 48, capUsd: 25, over: true })
    expect(est.basis).toContain('24 runs (3 variations x 2 x 4 arms: 3 candidates and no skill) at $2.000')
    await expect(service.handlers.makeCandidates(input)).rejects.toThrow(/over the cap of \$25.00: raise the cap/)
    expect((await service.handlers.estimateCandidates({ ...input, capUsd: 50 })).over).toBe(false)
    // built from the batch first: the 2 analyses' cost is in the estimate and counts toward the cap
    // (3 variations x 2 repeats x 3 arms = 18 runs at $2 = $36, and 2 x $0.40 for the build)
    const fromBatch = await service.handlers.estimateCandidates({
      batchId: learnedBatch,
      n: 2,
      repeats: 2,
      variations: { source: 'pasted', items: candidateVariations(3) },
      settings: SETTINGS,
      capUsd: 36.5
    })
    expect(fromBatch).toMatchObject({ runs: 18, build: { n: 2, usd: 0.8 }, over: true })
    expect(fromBatch.usd).toBeCloseTo(36.8, 9)
    expect(fromBatch.basis).toContain('building the 2 candidates first: 2 analyses of the batch, about $0.80')
    await expect(service.handlers.makeCandidates({ skillId, versionIds: [versions[0].id, versions[0].id] })).rejects.toThrow(
      /each version once/
    )
    await expect(service.handlers.makeCandidates({ skillId, versionIds: [versions[0].id] } as never)).rejects.toThrow()
    expect(service.store.verifications.ids().length).toBe(before)
    await service.store.skills.put({ ...skill, batchIds: [] })
  })

  it('built from a batch: building with progress, then its runs; a cancel reaches the build', async () => {
    const batch = { id: learnedBatch }
    // the build: progress per candidate, then two of the planted versions as the ones built
    let go: () => void = () => {}
    const gate = new Promise<void>((resolve) => (go = resolve))
    build = async (input, o) => {
      await gate
      o.onProgress?.({ done: 1, total: input.n, analysisId: 'a1', costUsd: 0.5 })
      o.onProgress?.({ done: 2, total: input.n, analysisId: 'a2', costUsd: 1 })
      return {
        skillId,
        versions: [versions[0], versions[1]].map((x, i) => ({ ...x, seed: i, model: 'm', analysisId: `a${i + 1}`, costUsd: 0.5 }))
      }
    }
    const seen: string[] = []
    const off = service.hub.subscribe((event, payload) => {
      const v = (payload as { verification?: { phase: string; build?: { done: number } } }).verification
      if (event === 'verificationProgress' && v) seen.push(`${v.phase}:${v.build?.done ?? ''}`)
    })
    const view = await service.handlers.makeCandidates({
      batchId: batch.id,
      n: 2,
      repeats: 1,
      variations: { source: 'pasted', items: candidateVariations(1) },
      settings: SETTINGS
    })
    expect(view.verification).toMatchObject({ kind: 'candidates', phase: 'building', build: { n: 2, state: 'running', done: 0 } })
    expect(view.status.stage).toBe('building')
    go()
    await service.verify.idle(view.verification.id)
    off()
    expect(builds.at(-1)).toMatchObject({ batchId: batch.id, n: 2 })
    expect(seen).toContain('building:2')
    const v = (await service.store.verifications.get(view.verification.id))!
    expect(v).toMatchObject({ phase: 'created', skillId, build: { state: 'done', done: 2, costUsd: 1, analysisIds: ['a1', 'a2'] } })
    expect(v.candidates!.map((c) => c.id)).toEqual([versions[0].id, versions[1].id])
    expect(v.build!.versionIds).toEqual([versions[0].id, versions[1].id])
    expect(Object.keys(v.arms)).toHaveLength(3)

    // a build that waits: cancelled, the signal reaches it
    let aborted = false
    build = (_input, o) =>
      new Promise((_, reject) =>
        o.signal.addEventListener('abort', () => {
          aborted = true
          reject(new Error('aborted'))
        })
      )
    const waiting = await service.handlers.makeCandidates({
      batchId: batch.id,
      n: 3,
      variations: { source: 'pasted', items: candidateVariations(1) },
      settings: SETTINGS
    })
    expect((await service.handlers.cancelVerification({ verificationId: waiting.verification.id })).cancelled).toBe(true)
    await service.verify.idle(waiting.verification.id)
    expect(aborted).toBe(true)
    const stopped = (await service.store.verifications.get(waiting.verification.id))!
    expect(stopped).toMatchObject({ phase: 'cancelled', build: { state: 'cancelled' } })
    // resumed, the build starts again, then its runs
    build = async () => ({
      skillId,
      versions: [versions[1], versions[2]].map((x, i) => ({ ...x, seed: i, model: 'm', analysisId: `b${i + 1}`, costUsd: 0.25 }))
    })
    expect((await service.handlers.resumeVerification({ verificationId: stopped.id })).verification.phase).toBe('building')
    await service.verify.idle(stopped.id)
    const resumed = (await service.store.verifications.get(stopped.id))!
    expect(resumed).toMatchObject({ phase: 'created', build: { state: 'done', analysisIds: ['b1', 'b2'] } })
    expect(resumed.candidates!.map((c) => c.number)).toEqual([2, 3])
  }, 300_000)

  it('built, but not verifiable: the versions are kept, and a resume verifies them without building again', async () => {
    build = async () => ({ skillId, versions: [{ ...versions[0], seed: 0, model: 'm', analysisId: 'c1', costUsd: 0.1 }] })
    const made = await service.handlers.makeCandidates({
      batchId: learnedBatch,
      n: 2,
      variations: { source: 'pasted', items: candidateVariations(1) },
      settings: SETTINGS
    })
    await service.verify.idle(made.verification.id)
    const failed = (await service.store.verifications.get(made.verification.id))!
    expect(failed.phase).toBe('failed')
    expect(failed.error).toBe(
      'the candidates were built (versions kept), but could not be verified: versionIds: from 2 to 5 candidates, not 1'
    )
    expect(failed.build).toMatchObject({ state: 'done', versionIds: [versions[0].id] })
    const asked = builds.length
    await expect(service.handlers.resumeVerification({ verificationId: failed.id })).rejects.toThrow(/from 2 to 5 candidates, not 1/)
    expect(builds.length).toBe(asked)
  })
})
