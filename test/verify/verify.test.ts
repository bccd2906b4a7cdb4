/**
 * Step 5 through the service, with the real `claude` CLI and a scripted model that behaves better when
 * the skill is loaded (test/support/verify-script.ts): a skill learned from a graded batch is verified
 * on fresh variations (none of the learned prompts), both arms in one interleaved queue with the skill
 * installed as a real project skill in the with-skill runs only; Claude Code invokes it (a Skill tool
 * call, from the run's own folder); the person grades blind from the pages alone; the report equals
 * values computed by hand; the fixed and broken pairs are explained; deepening from the verification
 * gives the next version, whose rules cite verification runs. A version whose description never
 * triggers shows a 0% trigger rate and the warning; a same-name skill in the user's own folder does
 * not stand in for the one under test (runs load the app's settings only).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Run } from '../../src/shared/runs'
import type { VerificationView } from '../../src/shared/verify'
import { seededInt } from '../../src/main/verify/plan'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { gradeOfPage, SKILL_NAME, skilledPrompt, verifyScript } from '../support/verify-script'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

/** The runs a verification's batch holds, as the store has them (blind or not: the test looks behind the screens). */
const runsOf = async (service: Service, v: VerificationView) => {
  const batchId = v.verification.batchId ?? (await service.store.verifications.get(v.verification.id))!.batchId!
  return service.store.batches.runsOf((await service.store.batches.get(batchId))!)
}
/** The verification as the store has it (its arms, even while it is blind). */
const stored = async (service: Service, v: VerificationView) => (await service.store.verifications.get(v.verification.id))!

/** Grade every run from its page alone, as the person would: the blind deck's numbers, nothing else. */
async function gradeBlind(service: Service, batchId: string) {
  // the pages where the runs left them (the answer, blind, gives no folder: the store knows it)
  const runs = service.store.batches.runsOf((await service.store.batches.get(batchId))!)
  const lines: string[] = []
  for (const r of runs.sort((a, b) => a.number - b.number)) {
    const html = await readFile(join(r.workspace!, 'index.html'), 'utf8').catch(() => '')
    lines.push(`Run ${r.number}: ${gradeOfPage(html)} - ${html.includes('Deal 1') ? 'cluttered, loud cards' : 'clean, three cards'}`)
  }
  const res = await service.handlers.importFeedback({ batchId, text: lines.join('\n') })
  expect(res.errors).toEqual([])
}

// the learning batch: five variations (3 normal, 1 easy, 1 adversarial), no skill
const LEARNED = [
  { difficulty: 'normal' as const, prompt: skilledPrompt('fixed', 'learned one: a rocket company') },
  { difficulty: 'normal' as const, prompt: skilledPrompt('fixed', 'learned two: a bakery') },
  { difficulty: 'normal' as const, prompt: skilledPrompt('fixed', 'learned three: a bike shop') },
  { difficulty: 'easy' as const, prompt: skilledPrompt('good', 'learned four: a library') },
  { difficulty: 'adversarial' as const, prompt: skilledPrompt('trap', 'learned five: a casino') }
]
// fresh ones in the same mix: three fixed by the skill, one good either way, one the skill breaks
const FRESH = [
  { difficulty: 'easy', prompt: skilledPrompt('good', 'fresh: a tea room') },
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'fresh: a dentist') },
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'fresh: a florist') },
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'fresh: a gym') },
  { difficulty: 'adversarial', prompt: skilledPrompt('trap', 'fresh: a night club') }
]

describe('verify a skill with the real claude', () => {
  let server: ModelServer
  let service: Service
  let configDir: string
  let dataDir: string
  let skillId = ''
  let view: VerificationView
  const script = verifyScript({
    // the first answer repeats a learned prompt: refused, and asked again
    variations: (n) => (n === 1 ? [{ ...FRESH[0] }, { difficulty: 'normal', prompt: LEARNED[0].prompt }, ...FRESH.slice(2)] : FRESH),
    analysts: {
      error: { rules: [rule('Keep the page to three cards', [1, 2])] },
      success: { rules: [rule('Read the brief before writing the page', [1, 3])] }
    },
    explain: (body) => {
      const text = JSON.stringify(body.messages)
      // a real line of the trace (the Write call's), a line that is not there, and a rule that is not there
      const line = Number(/\[L(\d+)\] Write/.exec(text)?.[1] ?? 0)
      return [
        { rule_id: 'R1', verdict: 'followed', why: 'wrote three cards', lines: [line, 99999] },
        { rule_id: 'R9', verdict: 'ignored', why: 'no such rule', lines: [] }
      ]
    }
  })

  beforeAll(async () => {
    server = await startModelServer(script)
    const dir = await mkdtemp(join(tmpdir(), 't2s-verify-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await mkdir(configDir, { recursive: true })
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: claudeEnv(configDir, server.url),
      random: seededInt(7)
    })
    // learn a skill: a batch of five runs without one, graded, analysed
    const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
    await service.handlers.saveVariations({ taskId: task.id, variations: LEARNED })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: { claudePath: CLAUDE_BIN, concurrency: 3, maxTurns: 10, permission: 'accept-edits' } as never
    })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    await gradeBlind(service, batch.id)
    const analysis = await service.handlers.startAnalysis({ batchId: batch.id })
    await service.analysisIdle(analysis.id)
    skillId = (await service.handlers.getAnalysis({ analysisId: analysis.id })).skillId!
    expect(skillId).toBeTruthy()
  }, 240_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('estimates the runs and their cost from the runs it was learned from, before anything runs', async () => {
    const est = await service.handlers.estimateVerification({ skillId, repeats: 1, settings: { maxBudgetUsd: 0.5 } })
    const learned = (await service.handlers.listBatches({})).flatMap((b) => (b.batch.name.startsWith('Verify') ? [] : [b]))[0]
    const { runs } = await service.handlers.getBatch({ batchId: learned.batch.id })
    const mean = runs.reduce((n, r) => n + r.progress.costUsd, 0) / runs.length
    expect(est).toMatchObject({ variations: 5, runs: 10, repeats: 1, source: 'fresh', heldOut: true, against: null })
    expect(est.costPerRunUsd).toBeCloseTo(mean, 10)
    expect(est.usd).toBeCloseTo(mean * 10, 10)
    expect(est.capUsd).toBeCloseTo(5, 10)
    expect(est.warnings).toEqual([])
    // the analysed batch's own variations: said not to be held out
    const same = await service.handlers.estimateVerification({ skillId, variations: { source: 'batch' } })
    expect(same).toMatchObject({ variations: 5, runs: 20, heldOut: false })
    expect(same.warnings.map((w) => w.text).join(' ')).toMatch(/Not held out/)
  })

  it('runs fresh variations in both arms, interleaved, the skill installed and invoked in the with-skill runs only', async () => {
    view = await service.handlers.startVerification({
      skillId,
      repeats: 1,
      settings: { claudePath: CLAUDE_BIN, concurrency: 3, maxTurns: 10, permission: 'accept-edits' }
    })
    expect(view.status.stage).toBe('generating')
    await service.verify.idle(view.verification.id)
    view = await service.handlers.getVerification({ verificationId: view.verification.id })
    // blind until every run is graded: no arm of any run, no report
    expect(view.verification.arms).toEqual({})
    expect(view.report).toBeNull()
    expect(view.blind).toEqual({ graded: 0, runs: 10, warnings: [] })
    const v = await stored(service, view)
    // fresh: the variations written for it, not the learned ones (the first answer repeated one and was refused)
    expect(v.variations.map((x) => x.prompt)).toEqual(FRESH.map((x) => x.prompt))
    const asks = script.requests.filter((r) => r.kind === 'variations')
    expect(asks).toHaveLength(2)
    expect(JSON.stringify(asks[0].body.messages)).toContain('learned one: a rocket company')
    expect(JSON.stringify(asks[1].body.messages)).toMatch(/used already/)
    expect(view.status).toMatchObject({ stage: 'grading', runs: 10, finished: 10, graded: 0 })

    const runs = await runsOf(service, view)
    // one queue, pair by pair: each consecutive two runs are one variation, one in each arm
    const doc = await service.store.batches.get(v.batchId!)
    const order = doc!.batch.runIds
    for (let i = 0; i < order.length; i += 2) {
      const [a, b] = [v.arms[order[i]], v.arms[order[i + 1]]]
      expect(a.variation).toBe(b.variation)
      expect(new Set([a.arm, b.arm])).toEqual(new Set(['with', 'without']))
    }
    // numbered 1..10 in a random order
    expect(runs.map((r) => r.number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const version = await service.handlers.getSkillVersion({ versionId: v.version.id })
    expect(v.installed).toEqual([
      {
        arm: 'with',
        versionId: version.id,
        name: SKILL_NAME,
        files: expect.arrayContaining([expect.objectContaining({ path: `.claude/skills/${SKILL_NAME}/SKILL.md` })])
      }
    ])
    for (const r of runs) {
      expect(r.state, r.reason).toBe('done')
      // the skill was installed for the run and taken out when it ended: the folders look alike in both arms
      expect(existsSync(join(r.workspace!, '.claude')), `run ${r.number}`).toBe(false)
      // the installed skill is not the run's output: the file lists look alike in both arms
      expect(r.files.map((f) => f.path)).toEqual(['index.html'])
    }
  }, 240_000)

  it('grades blind, and the report equals the values computed by hand', async () => {
    await gradeBlind(service, view.verification.batchId!)
    view = await service.handlers.getVerification({ verificationId: view.verification.id })
    const r = view.report!
    expect(view.status.stage).toBe('complete')
    expect(view.blind).toBeUndefined()
    expect(r.complete).toBe(true)
    // Claude Code invoked it in every with-skill run, from the run's own folder (while it was installed there)
    expect(r.arms.with.trigger).toEqual({ invoked: 5, runs: 5, rate: 1, elsewhere: 0 })
    expect(r.arms.without.trigger).toBeNull()
    for (const p of r.pairs) {
      expect(p.with!.use).toMatchObject({ invoked: true, how: 'skill-tool', from: 'project' })
      expect(p.without!.use).toMatchObject({ invoked: false })
    }
    expect(r.warnings.map((w) => w.text).join(' ')).not.toMatch(/loaded/)
    // by hand: with the skill 4 of 5 good (tea room, dentist, florist, gym; the night club broken);
    // without 2 of 5 (tea room, night club). Fixed: dentist, florist, gym (v2, v3, v4); broken: v5.
    expect(r.comparison.pairs).toBe(5)
    expect(r.comparison.with).toMatchObject({ passed: 4, n: 5, rate: 0.8 })
    expect(r.comparison.without).toMatchObject({ passed: 2, n: 5, rate: 0.4 })
    expect(r.comparison.difference).toBeCloseTo(0.4, 12)
    expect(r.comparison.fixed).toEqual(['v2', 'v3', 'v4'])
    expect(r.comparison.broken).toEqual(['v5'])
    expect(r.comparison.ties).toBe(1)
    // the exact sign test on 3 fixed and 1 broken: 2 x (1 + 4) / 16
    expect(r.comparison.p).toBeCloseTo(0.625, 12)
    // Wilson 4 of 5: centre (0.8 + 0.3841) / 1.7683, half 1.96/1.7683 * sqrt(0.032 + 0.0384)
    expect(r.comparison.with.ci!.low).toBeCloseTo(0.3755, 3)
    expect(r.comparison.with.ci!.high).toBeCloseTo(0.9638, 3)
    // Wilson 2 of 5
    expect(r.comparison.without.ci!.low).toBeCloseTo(0.1176, 3)
    expect(r.comparison.without.ci!.high).toBeCloseTo(0.7693, 3)
    // by difficulty: normal 3 fixed (p = 0.25), easy a tie, adversarial broken
    const by = Object.fromEntries(r.byDifficulty.map((d) => [d.difficulty, d]))
    expect(by.normal).toMatchObject({ pairs: 3, fixed: ['v2', 'v3', 'v4'], broken: [] })
    expect(by.normal.p).toBeCloseTo(0.25, 12)
    expect(by.easy).toMatchObject({ pairs: 1, fixed: [], broken: [], ties: 1 })
    expect(by.adversarial).toMatchObject({ pairs: 1, fixed: [], broken: ['v5'] })
    // cost, turns and tool errors per arm: the with-skill runs took one more turn (the Skill call)
    expect(r.arms.with.meanTurns).toBe(r.arms.without.meanTurns! + 1)
    expect(r.arms.with.meanToolErrors).toBe(0)
    expect(r.arms.with.costUsd).toBeGreaterThan(0)
    expect(r.warnings.map((w) => w.text).join(' ')).toMatch(/Only 5 pairs/)
  })

  it('explains the fixed and broken pairs: rules followed, with evidence; bad verdicts set aside', async () => {
    view = await service.handlers.explainVerification({ verificationId: view.verification.id })
    await service.verify.idle(view.verification.id)
    view = await service.handlers.getVerification({ verificationId: view.verification.id })
    const ex = view.verification.explanations
    expect(Object.keys(ex).sort()).toEqual(['v2', 'v3', 'v4', 'v5'])
    const withNumber = (key: string) => view.report!.pairs.find((p) => p.key === key)!.with!.number
    for (const key of ['v2', 'v5']) {
      const e = ex[key]
      expect(e.state).toBe('done')
      expect(e.rules).toHaveLength(1)
      expect(e.rules[0]).toMatchObject({ verdict: 'followed', why: 'wrote three cards' })
      expect(e.rules[0].pointers).toEqual([{ run: withNumber(key), line: expect.any(Number) }])
      expect(e.setAside.join(' ')).toMatch(/99999 not in the trace/)
      expect(e.setAside.join(' ')).toMatch(/R9: the skill has no such rule/)
    }
    // each asked once, with the with-skill trace and both grades
    const asks = script.requests.filter((x) => x.kind === 'explain')
    expect(asks).toHaveLength(4)
    expect(JSON.stringify(asks[0].body)).toMatch(/Base directory for this skill|Skill/)
  })

  it('deepens from the verification: the next version, whose rules cite verification runs', async () => {
    const before = (await service.handlers.getSkill({ skillId })).versions.length
    const analysis = await service.handlers.deepenFromVerification({ verificationId: view.verification.id })
    await service.analysisIdle(analysis.id)
    const done = await service.handlers.getAnalysis({ analysisId: analysis.id })
    expect(done.state).toBe('done')
    expect(done.batchId).toBe(view.verification.batchId)
    expect(done.skillId).toBe(skillId)
    const skill = await service.handlers.getSkill({ skillId })
    expect(skill.versions.length).toBe(before + 1)
    expect(skill.skill.batchIds[skill.skill.batchIds.length - 1]).toBe(view.verification.batchId)
    // what the analysts found again (the same two rules) goes into the existing rules, once each: they now
    // cite runs of the verification's batch, and the runs they were learned from as earlier citations
    const kept = skill.skill.rules.filter((r) => r.tier !== 'discarded')
    expect(new Set(kept.map((r) => r.text)).size).toBe(kept.length)
    const cited = kept.filter((r) => r.evidence.length > 0)
    expect(cited.length).toBeGreaterThan(0)
    const numbers = new Set((await runsOf(service, view)).map((r) => r.number))
    for (const r of cited) for (const n of r.evidence) expect(numbers.has(n)).toBe(true)
    expect(cited.some((r) => r.earlier?.length)).toBe(true)
    // the analysts were told which arm each run was in, and which pairs were fixed and broken
    const asked = script.requests.filter((x) => x.kind === 'analyst').slice(-4)
    const text = JSON.stringify(asked[0].body.messages)
    expect(text).toContain('How these runs were made')
    expect(text).toMatch(/BROKEN by the skill/)
    expect(text).toMatch(/FIXED by the skill/)
    expect((await service.handlers.getVerification({ verificationId: view.verification.id })).verification.deepenAnalysisId).toBe(
      analysis.id
    )
  }, 120_000)

  it('a version whose description never triggers: 0% trigger rate and the warning', async () => {
    const s = await service.handlers.getSkill({ skillId })
    const saved = await service.handlers.saveSkill({
      skillId,
      patch: { frontMatter: { name: SKILL_NAME, description: 'Formats spreadsheet formulas. Use for Excel work.' } }
    })
    const version = saved.versions[saved.versions.length - 1]
    expect(version.number).toBe(s.versions.length + 1)
    let v = await service.handlers.startVerification({
      skillId,
      versionId: version.id,
      repeats: 1,
      variations: { source: 'pasted', items: [{ difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: a zoo') }] },
      settings: { claudePath: CLAUDE_BIN, maxTurns: 10, permission: 'accept-edits' }
    })
    await service.verify.idle(v.verification.id)
    v = await service.handlers.getVerification({ verificationId: v.verification.id })
    expect(v.verification.heldOut).toBe(true)
    // every run finished: the trigger rate is said already, while the grading is still blind
    expect(v.report).toBeNull()
    expect(
      v.blind!.warnings.map((w) => w.kind),
      JSON.stringify(v)
    ).toEqual(['low-trigger'])
    await gradeBlind(service, v.verification.batchId!)
    v = await service.handlers.getVerification({ verificationId: v.verification.id })
    expect(v.report!.arms.with.trigger).toEqual({ invoked: 0, runs: 1, rate: 0, elsewhere: 0 })
    expect(v.report!.warnings.map((w) => w.text).join(' ')).toMatch(
      new RegExp(`loaded version ${version.number} in only 0 of 1 run that had it \\(0%\\)`)
    )
    expect(v.report!.warnings.map((w) => w.text).join(' ')).toMatch(/description decides when Claude Code loads a skill/)
  }, 120_000)

  it('against a version of another name: each arm\u2019s own skill is installed and looked for under its name', async () => {
    const saved = await service.handlers.saveSkill({
      skillId,
      patch: { frontMatter: { name: 'landing-pages', description: 'Builds landing pages. Use when asked for a landing page.' } }
    })
    const renamed = saved.versions[saved.versions.length - 1]
    const first = saved.versions[0]
    let v = await service.handlers.startVerification({
      skillId,
      versionId: renamed.id,
      against: first.id,
      repeats: 1,
      variations: { source: 'pasted', items: [{ difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: a museum') }] },
      settings: { claudePath: CLAUDE_BIN, maxTurns: 10, permission: 'accept-edits' }
    })
    await service.verify.idle(v.verification.id)
    v = await service.handlers.getVerification({ verificationId: v.verification.id })
    expect(v.verification).toMatchObject({ skillName: 'landing-pages', againstName: SKILL_NAME })
    // each arm had its own skill, under its own name (and took it out when the run ended)
    expect((await stored(service, v)).installed!.map((i) => [i.arm, i.versionId, i.name])).toEqual([
      ['with', renamed.id, 'landing-pages'],
      ['without', first.id, SKILL_NAME]
    ])
    const runs = await runsOf(service, v)
    for (const r of runs) {
      expect(existsSync(join(r.workspace!, '.claude'))).toBe(false)
      expect(r.files.map((f) => f.path)).toEqual(['index.html'])
    }
    await gradeBlind(service, v.verification.batchId!)
    v = await service.handlers.getVerification({ verificationId: v.verification.id })
    expect(v.report!.arms.with.trigger).toEqual({ invoked: 1, runs: 1, rate: 1, elsewhere: 0 })
    expect(v.report!.arms.without.trigger).toEqual({ invoked: 1, runs: 1, rate: 1, elsewhere: 0 })
    expect(v.report!.warnings.map((w) => w.kind)).not.toContain('low-trigger')
  }, 120_000)

  it('a same-name skill in the user\u2019s own skills folder does not stand in for the one under test', async () => {
    const own = join(configDir, 'skills', SKILL_NAME)
    await mkdir(own, { recursive: true })
    await writeFile(join(own, 'SKILL.md'), `---\nname: ${SKILL_NAME}\ndescription: My own landing page notes.\n---\n# Mine\n`)
    const first = (await service.handlers.getSkill({ skillId })).versions[0]
    const est = await service.handlers.estimateVerification({ skillId, versionId: first.id, variations: { source: 'batch' } })
    expect(est.warnings.map((w) => w.kind)).not.toContain('shadow')
    let v = await service.handlers.startVerification({
      skillId,
      versionId: first.id,
      repeats: 1,
      variations: { source: 'pasted', items: [{ difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: an aquarium') }] },
      settings: { claudePath: CLAUDE_BIN, maxTurns: 10, permission: 'accept-edits' }
    })
    await service.verify.idle(v.verification.id)
    await gradeBlind(service, (await stored(service, v)).batchId!)
    v = await service.handlers.getVerification({ verificationId: v.verification.id })
    // runs load the app's settings only: the user's own skills are not loaded, the project skill under test is
    expect(v.report!.arms.with.trigger).toMatchObject({ invoked: 1, runs: 1 })
    expect(v.report!.arms.with.trigger?.elsewhere ?? 0).toBe(0)
    expect(v.report!.warnings.map((w) => w.text).join(' ')).not.toMatch(/loaded another skill named landing-page instead/)
  }, 120_000)

  it('lists the verifications of the skill, newest first, each with its version', async () => {
    const list = await service.handlers.listVerifications({ skillId })
    expect(list.length).toBe(4)
    expect(list.map((x) => x.verification.createdAt)).toEqual([...list.map((x) => x.verification.createdAt)].sort().reverse())
    expect(list[3].verification.id).toBe(view.verification.id)
    const runs: Run[] = await runsOf(service, view)
    expect(runs.length).toBe(10)
  })
})
