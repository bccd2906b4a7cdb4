/**
 * The composer's saving and versions, removed rules, the export's analyst definitions and the
 * estimate before Analyse, through the service (the analysts answer through the real SDK against
 * the scripted API).
 */
import { mkdtemp, readFile, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { estimateAnalysisCost } from '../../src/main/analysts/estimate'
import { removeRule } from '../../src/shared/skills'
import type { Analysis } from '../../src/shared/analysis'
import { analystScript } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

describe('the composer through the service', () => {
  let server: ModelServer
  let service: Service
  let configDir: string
  let batchId: string
  let analysis: Analysis

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        error: { rules: [rule('Run the build before finishing', [4, 5, 6, 7])] },
        success: { rules: [rule('Inline the styles', [1, 2])] },
        // 2 of 8 graded runs: an edge case (tiers for 8 graded runs: core 4+, patterns 3, edge cases 2)
        structure: { rules: [rule('Read back every file you write', [1, 2])] },
        edge: { rules: [rule('Before writing index.html, check the folder is empty', [7, 8])] }
      })
    )
    configDir = await mkdtemp(join(tmpdir(), 't2s-composer-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-composer-data-'))
    const ids = await fixtureSessions(configDir, 8)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    batchId = batch.id
    const { runs } = await service.handlers.getBatch({ batchId })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 3 ? 'good' : 'bad', text: `run ${r.number}` })
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('estimates the cost of an analysis without asking a model', async () => {
    const before = server.requests.length
    const est = await service.handlers.estimateAnalysis({ batchId, model: 'claude-sonnet-5-5', mergeModel: 'claude-haiku-5-5' })
    expect(server.requests.length).toBe(before)
    expect(est).toMatchObject({ runs: 8, groups: 1, model: 'claude-sonnet-5-5', mergeModel: 'claude-haiku-5-5', via: 'api' })
    expect(est.contextTokens).toBeGreaterThan(1000)
    // the same arithmetic as the pure function, over the context the analysts would read
    const again = estimateAnalysisCost({
      model: 'claude-sonnet-5-5',
      mergeModel: 'claude-haiku-5-5',
      via: 'api',
      groups: [{ promptTokens: est.contextTokens }],
      instructionTokens: est.instructionTokens,
      rounds: est.rounds
    })
    // plus the support check after the merge (one call per graded run, test/analysts/support.test.ts)
    expect(est.support!.calls).toBe(8)
    expect(est.usd).toBeCloseTo(again.usd! + est.support!.usd!, 10)
    expect(est.usd).toBeGreaterThan(0)
    // the real analysis reads that much context (the estimate counts the same prompt)
    analysis = await service.handlers.startAnalysis({ batchId, model: 'claude-sonnet-5-5' })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
    expect(analysis.state).toBe('done')
    expect(est.condensedTokens).toBe(analysis.context.tokens)
    // an unpriced model: tokens, but no price invented
    const unknown = await service.handlers.estimateAnalysis({ batchId, model: 'some-other-model' })
    expect(unknown.usd).toBeNull()
    expect(unknown.basis).toMatch(/no price known for some-other-model/)
  }, 60_000)

  it('saving with no change makes no version, and says since which version nothing changed', async () => {
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    expect(view.versions).toHaveLength(1)
    const { frontMatter, title, whenToUse, rules, conflicts } = view.skill
    const again = await service.handlers.saveSkill({
      skillId: view.skill.id,
      patch: { frontMatter, title, whenToUse, rules, conflicts, markdown: null }
    })
    expect(again.versions).toHaveLength(1)
    expect(again.unchangedSince).toBe(1)
    // a real change makes version 2, and then saving the same again makes nothing
    const edited = rules.map((r) => (r.text.startsWith('Run the build') ? { ...r, text: 'Run the build, then open the page' } : r))
    const v2 = await service.handlers.saveSkill({ skillId: view.skill.id, patch: { rules: edited } })
    expect(v2.versions).toHaveLength(2)
    expect(v2.unchangedSince).toBeUndefined()
    const same = await service.handlers.saveSkill({ skillId: view.skill.id, patch: { rules: v2.skill.rules } })
    expect(same.versions).toHaveLength(2)
    expect(same.unchangedSince).toBe(2)
    // restoring the version that is already current makes nothing either
    const restored = await service.handlers.restoreSkillVersion({ versionId: v2.versions[1].id })
    expect(restored.versions).toHaveLength(2)
    expect(restored.unchangedSince).toBe(2)
  })

  it('says two identical versions are identical', async () => {
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    // version 3: back to version 1's text
    const back = await service.handlers.restoreSkillVersion({ versionId: view.versions[0].id })
    const [v1, v2, v3] = back.versions
    const same = await service.handlers.diffSkillVersions({ a: v1.id, b: v3.id })
    expect(same.identical).toBe(true)
    expect(same.skillMd).toMatch(/identical/)
    expect(same.skillMd).not.toMatch(/^---/m)
    const differ = await service.handlers.diffSkillVersions({ a: v1.id, b: v2.id })
    expect(differ.identical).toBe(false)
    expect(differ.skillMd).toMatch(/^\+.*Run the build, then open the page/m)
  })

  it('gives versions strictly increasing times, even saved within the same millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'))
      const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
      const a = await service.handlers.saveSkill({ skillId: view.skill.id, patch: { title: 'Title A' } })
      const b = await service.handlers.saveSkill({ skillId: view.skill.id, patch: { title: 'Title B' } })
      const times = b.versions.map((v) => Date.parse(v.createdAt))
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1])
      expect(a.versions.length + 1).toBe(b.versions.length)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps a removed rule under discarded, and brings it back', async () => {
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const target = view.skill.rules.find((r) => r.text.startsWith('Read back'))!
    expect(target.tier).toBe('edge-case')
    const removed = await service.handlers.saveSkill({
      skillId: view.skill.id,
      patch: { rules: view.skill.rules.map((r) => (r.id === target.id ? removeRule(r) : r)) }
    })
    const gone = removed.skill.rules.find((r) => r.id === target.id)!
    // saved and re-tiered, it stays discarded, marked removed, and out of the files
    expect(gone).toMatchObject({ tier: 'discarded', removed: { tier: 'edge-case' } })
    expect(removed.edgeCasesMd).not.toContain('Read back')
  })

  it("exports analyst definitions that say where this machine's sessions are", async () => {
    const folder = await mkdtemp(join(tmpdir(), 't2s-composer-export-'))
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    await service.handlers.exportSkill({ skillId: view.skill.id, folder })
    const agent = await readFile(join(folder, '.claude/agents/error-analyst.md'), 'utf8')
    expect(agent).toContain(`${join(configDir, 'projects')}/`)
    expect(agent).not.toContain('`~/.claude/projects/`')
  })

  it('an export to a folder that is not there, or through a link, is refused with a code the screens can say, not as a bug', async () => {
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const missing = join(tmpdir(), `t2s-no-such-folder-${Date.now()}`)
    const gone = await service.handlers.exportSkill({ skillId: view.skill.id, folder: missing }).catch((e) => e)
    expect(gone).toMatchObject({ code: 'invalid', message: expect.stringContaining('export folder does not exist') })
    const relative = await service.handlers.planSkillExport({ skillId: view.skill.id, folder: 'not/absolute' }).catch((e) => e)
    expect(relative).toMatchObject({ code: 'invalid' })
    const target = await mkdtemp(join(tmpdir(), 't2s-composer-link-'))
    await symlink(await mkdtemp(join(tmpdir(), 't2s-composer-outside-')), join(target, '.claude'), 'dir')
    const linked = await service.handlers.exportSkill({ skillId: view.skill.id, folder: target }).catch((e) => e)
    expect(linked).toMatchObject({ code: 'forbidden', message: expect.stringContaining('symbolic link') })
  })
})
