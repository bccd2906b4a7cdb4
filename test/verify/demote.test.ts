/**
 * Deepen from a verification edits the skill: through the service (the real SDK against the scripted
 * API), a verification whose explained pairs show one rule followed where the skill broke the run and
 * not where it fixed one gives a next version with that rule demoted one tier, its note saying why with
 * the pairs; a rule followed in a fixed and a broken pair keeps its tier; a pinned rule stays; every
 * rule keeps its citations; a retry of the analysis merges again with the same outcomes.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Skill, SkillRule } from '../../src/shared/skills'
import type { Explanation } from '../../src/shared/verify'
import { analystScript } from '../support/analyst-script'
import { testRule, testVerification } from '../support/builders'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const HURT = 'Put the pricing table above the fold'
const EVEN = 'Keep the hero to one call to action'
const PINNED = 'Inline every stylesheet into the page'
const NEW = 'Open the page in a browser before finishing'

const followed = (...texts: string[]): Explanation => ({
  state: 'done',
  costUsd: 0,
  setAside: [],
  rules: texts.map((text, i) => ({ ruleId: `R${i + 1}`, text, verdict: 'followed' as const, why: 'it did', pointers: [] }))
})

describe('deepen from a verification whose pairs show a rule that hurt', () => {
  let server: ModelServer
  let service: Service
  let skillId = ''
  let verificationId = ''
  let before: Skill

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({ success: { rules: [{ rule: NEW, evidence: [2, 3], priority: 'high', reason: 'runs 2, 3' }] } })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-demote-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-demote-data-'))
    const ids = await fixtureSessions(configDir, 4)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    // the verification's runs: pair v1 is runs 1 (with the skill, bad) and 2 (without, good): broken;
    // pair v2 is runs 3 (with, good) and 4 (without, bad): fixed
    const batch = await service.handlers.importSessions({ name: 'Verify landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    const good = new Set([2, 3])
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: good.has(r.number) ? 'good' : 'bad', text: `run ${r.number}` })
    const run = (n: number) => runs.find((r) => r.number === n)!.id

    // the skill verified, learned from an earlier batch: three core rules, one of them pinned by the person
    const cites = [1, 2, 3, 4, 5, 6, 7, 8]
    const at = new Date().toISOString()
    const planted: Skill = {
      id: randomUUID(),
      batchIds: ['learned-batch'],
      frontMatter: { name: 'landing-page', description: 'Builds landing pages. Use when asked for a landing page.' },
      title: 'Landing page',
      whenToUse: 'When asked for a landing page.',
      rules: [
        // core as given in the SKILL.md it was learned from, on one run of its own: no runs lift it back
        testRule({
          id: 'h',
          text: HURT,
          evidence: [1],
          earlier: [{ batchId: 'first-batch', runs: [9] }],
          existing: true,
          reasons: ['in the existing SKILL.md as a core rule']
        }),
        testRule({ id: 'e', text: EVEN, evidence: cites }),
        testRule({ id: 'p', text: PINNED, evidence: cites, pinnedTier: true, note: 'moved by you' })
      ],
      conflicts: [],
      setAside: [],
      createdAt: at,
      updatedAt: at
    }
    await service.store.skills.put(planted)
    const saved = await service.handlers.saveSkill({ skillId: planted.id, patch: { title: 'Landing pages' } })
    skillId = planted.id
    before = saved.skill
    const version = (await service.store.skills.versions(skillId)).at(-1)!
    const v = testVerification({
      skillId,
      versionId: version.id,
      version: { id: version.id, number: version.number },
      skillName: 'landing-page',
      batchId: batch.id,
      variations: [
        { difficulty: 'normal', prompt: 'a bakery' },
        { difficulty: 'normal', prompt: 'a gym' }
      ],
      arms: {
        [run(1)]: { arm: 'with', variation: 0, repeat: 1 },
        [run(2)]: { arm: 'without', variation: 0, repeat: 1 },
        [run(3)]: { arm: 'with', variation: 1, repeat: 1 },
        [run(4)]: { arm: 'without', variation: 1, repeat: 1 }
      },
      // the broken pair's with-skill run followed all three; the fixed pair's only EVEN
      explanations: { v1: followed(HURT, EVEN, PINNED), v2: followed(EVEN) }
    })
    await service.store.verifications.put(v)
    verificationId = v.id
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('demotes the rule that hurt, says why with the pairs, and leaves the others and every citation', async () => {
    const view = await service.handlers.getVerification({ verificationId })
    expect(view.report?.comparison).toMatchObject({ fixed: ['v2'], broken: ['v1'] })
    const analysis = await service.handlers.deepenFromVerification({ verificationId })
    await service.analysisIdle(analysis.id)
    const done = await service.handlers.getAnalysis({ analysisId: analysis.id })
    expect(done.state).toBe('done')
    expect(done.skillId).toBe(skillId)
    const { skill } = await service.handlers.getSkill({ skillId })
    const of = (t: string): SkillRule => skill.rules.find((r) => r.text === t)!
    const version = (await service.store.skills.versions(skillId)).length - 1
    expect(of(HURT)).toMatchObject({
      tier: 'guidance',
      note: `demoted from core: followed in 1 pair the skill broke (v1) in the verification of version ${version}, helped in none`
    })
    expect(of(EVEN)).toMatchObject({ tier: 'core', note: 'kept from the existing SKILL.md' })
    expect(of(PINNED)).toMatchObject({ tier: 'core', pinnedTier: true, note: 'moved by you' })
    // said on the analysis too
    expect(done.warnings.join('\n')).toContain(`Rule "${HURT}": demoted from core`)
    // no citation lost: the runs of the batch they were learned from, and those before
    for (const old of before.rules) {
      const r = of(old.text)
      expect(r.earlier).toEqual([...(old.earlier ?? []), { batchId: 'learned-batch', runs: old.evidence }])
    }
    // the new finding is there, with its runs
    expect(of(NEW).evidence).toEqual([2, 3])

    // a retry merges again with what the deepen was started with: the rule is demoted once, not twice
    await service.handlers.retryAnalyst({ analysisId: analysis.id, kind: 'error' })
    await service.analysisIdle(analysis.id)
    const again = (await service.handlers.getSkill({ skillId })).skill.rules.find((r) => r.text === HURT)!
    expect((await service.store.skills.versions(skillId)).length).toBe(version + 2)
    expect(again).toMatchObject({ tier: 'guidance', note: expect.stringMatching(/^demoted from core/) })
  }, 60_000)
})
