/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * Issue 22's "Done when", in-process through the app service, with the real `claude` and a scripted
 * model: from 20 graded runs (planted in the store) of a task with a rubric, `makeCandidates` builds
 * three candidates (three seeded analyses, their analysts scripted per candidate: one of them draws
 * from the bad runs the rule the scripted agent passes with), verifies them and no skill in one blind
 * batch graded 'assist': the grader grades what it is sure of, the person only the few it is unsure of,
 * and the table suggests the good candidate. Promoted, that version's confirmation ('assist' again)
 * confirms its rule; the person graded exactly the runs the grader was unsure of, nothing else.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { seededInt } from '../../src/main/verify/plan'
import { emptyProgress, type Batch, type Run } from '../../src/shared/runs'
import { analystScript } from '../support/analyst-script'
import { BEST_RULE, candidatesScript, candidateVariations } from '../support/candidates'
import { claudeEnv, SCRIPTED_RUN_SETTINGS as SETTINGS } from '../support/claude-harness'
import { startModelServer, type ModelServer, type Script } from '../support/model-server'
import { gradeOfPage, skilledPrompt } from '../support/verify-script'
import { plantTaskWithRubric } from '../support/verify-grader'

/** The learned batch: runs 1-12 bad, 13-20 good; the grader is unsure of a page for a night club. */
const LEARNED = Array.from({ length: 20 }, (_, i) => ({
  prompt: skilledPrompt('fixed', `learned page ${i + 1}${i === 0 ? ': a night club' : ''}`),
  label: i < 12 ? ('bad' as const) : ('good' as const)
}))
/** Each candidate's one rule, drawn from bad runs 1-8 (core at 20 runs): only the second makes the agent pass. */
const RULES = ['Indent the markup two spaces and close every tag', BEST_RULE, 'Put the opening hours in the footer of the page']
/** The held-out variations: six, the last one a night club (its four runs, one per arm, the grader is unsure of). */
const HELD_OUT = candidateVariations(6).map((v, i) => (i === 5 ? { ...v, prompt: `${v.prompt}: a night club` } : v))

const toolNames = (body: any): string[] => (body?.tools ?? []).map((t: any) => t?.name)

/** The analysts and the merge scripted per candidate: built one after another, each one's analysts come before its merge. */
function perCandidate(): Script {
  const scripts = RULES.map((rule) =>
    analystScript({ error: { rules: [{ rule, evidence: [1, 2, 3, 4, 5, 6, 7, 8], priority: 'high', reason: 'the bad runs' }] } })
  )
  let merged = 0
  return (req) => {
    const tools = toolNames(req.body)
    const script = scripts[Math.min(merged, scripts.length - 1)]
    if (tools.includes('merge_rules')) merged++
    return script(req)
  }
}

describe('from 20 graded runs to a confirmed, verified best-of-N skill, grading only what the grader is unsure of', () => {
  let server: ModelServer
  let service: Service
  let dir = ''
  let batchId = ''
  const candidates = perCandidate()
  const runsAndGrader = candidatesScript({ unsureOf: (text) => text.includes('night club') })
  const script: Script = (req) =>
    toolNames(req.body).some((t) => t === 'propose_rules' || t === 'merge_rules' || t === 'check_support')
      ? candidates(req)
      : runsAndGrader(req)
  /** every grade the person gave (a run id each) */
  const graded: string[] = []
  /** every run the grader left to the person */
  const unsure: string[] = []

  /** The runs a verification's grader left to the person (its deck numbers), graded as the person would: the first accepted, the rest by the page. */
  async function gradeWhatIsLeft(verificationId: string): Promise<Run[]> {
    const view = await service.handlers.getVerification({ verificationId })
    const vBatch = (await service.store.verifications.get(verificationId))!.batchId!
    const runs = service.store.batches.runsOf((await service.store.batches.get(vBatch))!)
    const left = runs.filter((r) => view.leftForYou!.includes(r.number))
    unsure.push(...left.map((r) => r.id))
    for (const [i, r] of left.entries()) {
      const label = gradeOfPage(await readFile(join(r.workspace!, 'index.html'), 'utf8'))
      if (i === 0) await service.handlers.confirmPregrade({ runId: r.id })
      else await service.handlers.saveFeedback({ runId: r.id, label, text: label === 'good' ? 'clean' : 'cluttered' })
      graded.push(r.id)
    }
    return service.store.batches.runsOf((await service.store.batches.get(vBatch))!)
  }

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-best-of-n-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(join(dir, 'claude'), server.url),
      random: seededInt(5)
    })
    const { taskId } = await plantTaskWithRubric(service)
    // the 20 graded runs, as the runner and the person left them
    batchId = randomUUID()
    const runs: Run[] = LEARNED.map((x, i) => ({
      id: randomUUID(),
      batchId,
      number: i + 1,
      difficulty: 'normal',
      prompt: x.prompt,
      repeat: 1,
      state: 'done',
      sessionId: randomUUID(),
      progress: { ...emptyProgress(), turns: 3, costUsd: 0.05 },
      files: [],
      screenshots: [],
      imported: false,
      feedback: {
        label: x.label,
        text: x.label === 'good' ? 'three calm cards' : 'a grid of loud deal cards',
        updatedAt: new Date().toISOString()
      }
    }))
    const batch: Batch = {
      id: batchId,
      taskId,
      name: 'Landing pages',
      createdAt: new Date().toISOString(),
      settings: { concurrency: 1, maxTurns: 5, permission: 'accept-edits' } as Batch['settings'],
      runIds: runs.map((r) => r.id)
    }
    await service.store.batches.add(batch, runs)
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  let skillId = ''
  let best = { id: '', number: 0 }
  it('makes three candidates from the batch, the grader grading what it is sure of; the person grades the rest, and the good one is suggested', async () => {
    const made = await service.handlers.makeCandidates({
      batchId,
      n: 3,
      repeats: 1,
      variations: { source: 'pasted', items: HELD_OUT },
      settings: SETTINGS,
      grade: 'assist'
    })
    const id = made.verification.id
    expect(made.verification).toMatchObject({ kind: 'candidates', grade: 'assist', phase: 'building' })
    await service.verify.idle(id)
    const v = (await service.store.verifications.get(id))!
    expect(v.build).toMatchObject({ state: 'done', done: 3 })
    skillId = v.skillId
    // three versions of one skill, each from its own seeded analysis, each with its own rule
    expect(v.candidates!.map((c) => c.number)).toEqual([1, 2, 3])
    expect(new Set(v.build!.analysisIds).size).toBe(3)
    expect((await service.handlers.getSkill({ skillId })).versions.map((x) => x.label)).toEqual(
      [1, 2, 3].map((i) => expect.stringMatching(new RegExp(`^candidate ${i} of 3 \\(seed ${i}, `)))
    )
    for (const [i, c] of v.candidates!.entries()) {
      const { skillMd } = await service.handlers.getSkillVersion({ versionId: c.id })
      expect(skillMd).toContain(RULES[i])
      for (const other of RULES.filter((_, j) => j !== i)) expect(skillMd).not.toContain(other)
    }
    expect(v.autoGrade).toMatchObject({ state: 'done', done: 24, total: 24, failed: [] })

    // the person is left exactly the night club's four runs (one per arm), blind
    const blind = await service.handlers.getVerification({ verificationId: id })
    expect(blind.candidates).toBeUndefined()
    expect(blind.verification.arms).toEqual({})
    const vRuns = service.store.batches.runsOf((await service.store.batches.get(v.batchId!))!)
    const nightClub = vRuns.filter((r) => r.prompt.includes('night club'))
    expect(nightClub).toHaveLength(4)
    expect([...blind.leftForYou!].sort((a, b) => a - b)).toEqual(nightClub.map((r) => r.number).sort((a, b) => a - b))
    expect(blind.blind).toMatchObject({ graded: 20, runs: 24 })

    const runs = await gradeWhatIsLeft(id)
    // every grade is the page's: the grader's where it was sure, the person's where it was not
    for (const r of runs) {
      const page = gradeOfPage(await readFile(join(r.workspace!, 'index.html'), 'utf8'))
      expect(r.feedback?.label, `Run ${r.number}`).toBe(page)
      expect(r.feedback?.by, `Run ${r.number}`).toBe(r.prompt.includes('night club') ? undefined : 'grader')
      // the page was good only with the second candidate installed
      const s = v.arms[r.id]
      expect(page, `Run ${r.number}`).toBe(s.arm === 'with' && s.candidate === 1 ? 'good' : 'bad')
    }

    const view = await service.handlers.getVerification({ verificationId: id })
    expect(view.leftForYou).toEqual([])
    const t = view.candidates!
    expect(t.complete).toBe(true)
    expect(t.pairs).toBe(6)
    expect(t.rows.map((r) => [r.label, r.passRate.passed, r.passRate.n])).toEqual([
      ['no skill', 0, 6],
      ['version 1', 0, 6],
      ['version 2', 6, 6],
      ['version 3', 0, 6]
    ])
    // version 2 against no skill: 6 fixed, none broken, p = 2 x 0.5^6 = 0.03125; the others tie every pair
    expect(t.rows[2].vsNone).toMatchObject({ pairs: 6, difference: 1, fixed: 6, broken: 0, ties: 0 })
    expect(t.rows[2].vsNone!.p).toBeCloseTo(0.03125, 10)
    expect(t.rows[1].vsNone).toMatchObject({ difference: 0, fixed: 0, broken: 0, ties: 6, p: 1 })
    expect(t.rows[3].vsNone).toMatchObject({ difference: 0, fixed: 0, broken: 0, ties: 6, p: 1 })
    // every candidate says landing page: each was loaded in every one of its runs
    expect(t.rows.map((r) => r.trigger && [r.trigger.invoked, r.trigger.runs])).toEqual([null, [6, 6], [6, 6], [6, 6]])
    expect(t.suggested).toBe(1)
    expect(t.why).toMatch(/^version 2 beats no skill \(\+100 points: fixed 6, broke 0, p = 0\.031\)/)
    best = { id: v.candidates![1].id, number: v.candidates![1].number }
  }, 600_000)

  it("promoted, the suggested one's confirmation confirms its rule drawn from bad runs; the person graded only what the grader was unsure of", async () => {
    expect(best.id).toBeTruthy()
    const promoted = await service.handlers.promoteSkillVersion({ versionId: best.id })
    const newest = promoted.versions[promoted.versions.length - 1]
    expect(newest).toMatchObject({ number: 4, label: `promoted version ${best.number}` })
    expect(promoted.skill.rules.filter((r) => r.tier !== 'discarded').map((r) => r.text)).toEqual([BEST_RULE])
    const [from, to] = await Promise.all([best.id, newest.id].map((versionId) => service.handlers.getSkillVersion({ versionId })))
    expect(to.skillMd).toBe(from.skillMd)

    const est = await service.handlers.estimateConfirmation({ skillId, versionId: newest.id, grade: 'assist' })
    expect(est.rules).toEqual([expect.objectContaining({ text: BEST_RULE, fix: 2, keep: 1 })])
    expect(est).toMatchObject({ runs: 3, batchId })
    const started = await service.handlers.startConfirmation({ skillId, versionId: newest.id, grade: 'assist', settings: SETTINGS })
    const id = started.verification.id
    expect(started.verification).toMatchObject({ kind: 'confirm', grade: 'assist', version: { number: 4 } })
    await service.verify.idle(id)

    // re-run: bad runs 1 and 2 (run 1 a night club, which the grader is unsure of) and the first good one, 13
    const blind = await service.handlers.getVerification({ verificationId: id })
    expect(blind.confirm).toBeUndefined()
    expect(blind.leftForYou).toHaveLength(1)
    const runs = await gradeWhatIsLeft(id)
    expect(runs.map((r) => /learned page (\d+)/.exec(r.prompt)![1]).sort()).toEqual(['1', '13', '2'])
    for (const r of runs) {
      expect(r.feedback?.label, `Run ${r.number}`).toBe('good')
      expect(r.feedback?.by, `Run ${r.number}`).toBe(r.prompt.includes('night club') ? undefined : 'grader')
    }
    const view = await service.handlers.getVerification({ verificationId: id })
    expect(view.leftForYou).toEqual([])
    const c = view.confirm!
    expect(c.version.number).toBe(4)
    expect(c.rules.map((r) => [r.text, r.status, r.fix, r.keep])).toEqual([
      [BEST_RULE, 'confirmed', { passed: 2, graded: 2, n: 2 }, { passed: 1, graded: 1, n: 1 }]
    ])
    expect(c.counts).toEqual({ confirmed: 1, unconfirmed: 0, harmful: 0, pending: 0 })

    // the person graded 5 runs (4 + 1), exactly those the grader was unsure of; the grader all 24 + 3 others
    expect(graded).toHaveLength(5)
    expect(graded).toEqual(unsure)
    const verifications = await service.handlers.listVerifications({ skillId })
    const all: Run[] = []
    for (const x of verifications) {
      const b = (await service.store.verifications.get(x.verification.id))!.batchId!
      all.push(...service.store.batches.runsOf((await service.store.batches.get(b))!))
    }
    expect(all).toHaveLength(27)
    expect(
      all
        .filter((r) => r.feedback?.by !== 'grader')
        .map((r) => r.id)
        .sort()
    ).toEqual([...graded].sort())
  }, 300_000)
})
