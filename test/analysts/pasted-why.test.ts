/**
 * A pasted SKILL.md deepened through the service (the real SDK against the scripted API): its rules
 * written "Rule. Why. (runs ...)" come back as rules with their why apart, in the skill it starts from
 * and in the next version, with their citations; a new finding that restates one goes into it.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { analystScript } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const PASTED = [
  '---',
  'name: landing-page',
  'description: Builds landing pages. Use when asked for one.',
  '---',
  '# Landing page',
  '',
  '## Core rules',
  '',
  '1. One hero section, one CTA. Pages with two CTAs above the fold had lower click-through. (runs 2, 7, 9, 14, 18)',
  '2. Run the build before finishing (runs 1, 2, 3, 4, 5, 6, 7, 8)',
  ''
].join('\n')

describe('a pasted SKILL.md deepened', () => {
  let server: ModelServer
  let service: Service
  let batchId = ''

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        success: { rules: [{ rule: 'One hero section, one CTA', evidence: [1, 2], priority: 'high', reason: 'runs 1, 2' }] }
      })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-pasted-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-pasted-data-'))
    const ids = await fixtureSessions(configDir, 3)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    batchId = batch.id
    for (const r of (await service.handlers.getBatch({ batchId })).runs)
      await service.handlers.saveFeedback({ runId: r.id, label: 'good', text: `run ${r.number}` })
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('keeps each rule and its why apart, with its citations', async () => {
    const a = await service.handlers.startAnalysis({ batchId, existingSkillMd: PASTED })
    await service.analysisIdle(a.id)
    const done = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(done.state).toBe('done')
    const view = await service.handlers.getSkill({ skillId: done.skillId! })
    // the version it started from: the pasted file's rules, each with its why apart
    const base = await service.handlers.getSkillVersion({ versionId: view.versions[0].id })
    expect(base.skillMd).toContain(
      'One hero section, one CTA. Pages with two CTAs above the fold had lower click-through. (runs 2, 7, 9, 14, 18)'
    )
    const hero = view.skill.rules.filter((r) => r.text.startsWith('One hero section'))
    expect(hero).toHaveLength(1)
    expect(hero[0]).toMatchObject({
      text: 'One hero section, one CTA',
      why: 'Pages with two CTAs above the fold had lower click-through.',
      // the new finding's runs, and the pasted file's own as earlier citations
      evidence: [1, 2],
      earlier: [{ runs: [2, 7, 9, 14, 18] }]
    })
    expect(view.skill.rules.find((r) => r.text === 'Run the build before finishing')).toMatchObject({
      earlier: [{ runs: [1, 2, 3, 4, 5, 6, 7, 8] }]
    })
    expect(view.skill.rules.find((r) => r.text === 'Run the build before finishing')!.why).toBeUndefined()
  })
})
