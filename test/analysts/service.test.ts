/**
 * The whole of steps 3 and 4 through the service: a graded batch of imported sessions, four analysts
 * through the real SDK against the scripted API (one overloaded first, one malformed), the merge, the
 * skill with tiers and a conflict, edits as versions, and the export read back from disk.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { validateFrontMatter } from '../../src/shared/skill-md'
import { parseSkillMd } from '../../src/shared/skill-md-read'
import type { Analysis } from '../../src/shared/analysis'
import { analystScript, kindOf } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const rule = (text: string, evidence: number[], priority: 'high' | 'medium' | 'low' = 'high') => ({
  rule: text,
  evidence,
  priority,
  reason: `runs ${evidence.join(', ')}`
})

describe('analyse a graded batch, merge, edit, export', () => {
  let server: ModelServer
  let service: Service
  let dataDir: string
  let batchId: string
  let analysis: Analysis
  const progress: Analysis[] = []

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        error: {
          overloadFirst: true,
          rules: [rule('Never inline the styles', [4, 5]), rule('Run the build before finishing', [4, 5, 6, 7, 8])]
        },
        success: { rules: [rule('Always inline the styles', [1, 2, 3, 9]), rule('Run the build before finishing.', [1, 2, 3])] },
        structure: { malformed: true, rules: [] },
        edge: { rules: [rule('Before writing index.html, check the folder is empty', [7, 8])] }
      })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-analyse-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-analyse-data-'))
    const ids = await fixtureSessions(configDir, 9)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    service.hub.subscribe((event, payload) => event === 'analysisProgress' && progress.push((payload as { analysis: Analysis }).analysis))
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    batchId = batch.id
    const { runs } = await service.handlers.getBatch({ batchId })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 3 || r.number === 9 ? 'good' : 'bad', text: `run ${r.number}` })
    analysis = await service.handlers.startAnalysis({ batchId, model: 'claude-sonnet-5-5' })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('reports four analysts, one failing, without losing the others', () => {
    expect(analysis.state).toBe('done')
    const by = Object.fromEntries(analysis.analysts.map((a) => [a.kind, a]))
    expect(by.error.state).toBe('done')
    expect(by.success.state).toBe('done')
    expect(by.edge.state).toBe('done')
    expect(by.structure.state).toBe('failed')
    expect(by.structure.error).toMatch(/bad answer/)
    // live progress was pushed: streaming states and token counts while it ran
    expect(progress.some((p) => p.analysts.some((a) => a.state === 'streaming'))).toBe(true)
    expect(progress.some((p) => p.analysts.some((a) => a.state === 'waiting'))).toBe(true)
    expect(analysis.context).toMatchObject({ runs: 9, chunks: 1 })
    expect(analysis.context.tokens).toBeGreaterThan(0)
    expect(analysis.context.tokens).toBeLessThan(analysis.context.rawTokens)
    // the first analyst was overloaded once and retried by the SDK
    expect(server.requests.filter((r) => r.status === 529)).toHaveLength(1)
  })

  it('merges same-saying rules, unions their evidence, tiers them and decides the conflict by evidence', async () => {
    const view = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const s = view.skill
    const find = (t: string) => s.rules.find((r) => r.text.toLowerCase().startsWith(t.toLowerCase()))!
    // "Run the build before finishing" from two analysts: runs 1-8 -> 8 runs -> core
    expect(find('Run the build')).toMatchObject({ evidence: [1, 2, 3, 4, 5, 6, 7, 8], tier: 'core', analysts: ['error', 'success'] })
    // tiers scaled to the 9 graded runs (core 4+, patterns 3, edge cases 2), recorded with the skill and its version
    expect(s.tiers).toEqual({ runs: 9, core: 4, guidance: 3, edgeCase: 2 })
    expect((await service.handlers.getSkillVersion({ versionId: view.versions[0].id })).tiers).toEqual(s.tiers)
    // the conflict: "Always inline" (4 runs: core at 9 graded runs, guidance at the seed's 20) beats "Never inline" (2 runs)
    expect(find('Always inline')).toMatchObject({ tier: 'core', evidence: [1, 2, 3, 9] })
    expect(find('Never inline').tier).toBe('discarded')
    expect(find('Never inline').note).toMatch(/lost a conflict/)
    expect(s.conflicts).toHaveLength(1)
    // the edge guard with 2 runs goes to the edge cases
    expect(find('Before writing index.html')).toMatchObject({ tier: 'edge-case', guard: true })
    expect(view.problems).toEqual([])
    expect(view.skillMd).toMatch(/^---\nname: landing-page\n/)
    expect(view.skillMd).toContain('## Core rules')
    expect(view.skillMd).toMatch(/1\. Run the build before finishing.*\(runs 1, 2, 3, 4, 5, 6, 7, 8\)/)
    expect(view.skillMd).not.toContain('Never inline')
    expect(view.edgeCasesMd).toContain('(runs 7, 8)')
    expect(view.versions).toHaveLength(1)

    // the person reverses the conflict: the other rule wins, as a new version
    const reversed = await service.handlers.reverseConflict({ skillId: s.id, conflictId: s.conflicts[0].id })
    expect(reversed.skill.rules.find((r) => r.text.startsWith('Always inline'))!.tier).toBe('discarded')
    expect(reversed.versions).toHaveLength(2)
  })

  it('saves edits as versions that can be diffed and restored', async () => {
    const { skill } = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const rules = skill.rules.map((r) =>
      r.text.startsWith('Run the build') ? { ...r, text: 'Run the build and open the page before finishing' } : r
    )
    const edited = await service.handlers.saveSkill({ skillId: skill.id, patch: { rules }, label: 'reworded' })
    expect(edited.skillMd).toContain('Run the build and open the page before finishing')
    const [v1, , v3] = edited.versions
    expect(v3.label).toBe('reworded')
    const diff = await service.handlers.diffSkillVersions({ a: v1.id, b: v3.id })
    expect(diff.skillMd).toMatch(/^\+1\. Run the build and open the page before finishing/m)
    // a bad name is reported as you type, and blocks the export
    const bad = await service.handlers.saveSkill({
      skillId: skill.id,
      patch: { frontMatter: { name: 'Landing Page', description: 'x <b>' } }
    })
    expect(bad.problems.length).toBeGreaterThanOrEqual(2)
    await expect(service.handlers.exportSkill({ skillId: skill.id, folder: tmpdir() })).rejects.toThrow(/not valid yet/)
    const back = await service.handlers.restoreSkillVersion({ versionId: v3.id })
    expect(back.problems).toEqual([])
    expect(back.skillMd).toBe((await service.handlers.getSkillVersion({ versionId: v3.id })).skillMd)
  })

  it('exports into a project folder and reads back valid files, backing up what it replaces', async () => {
    const folder = await mkdtemp(join(tmpdir(), 't2s-export-'))
    const { skill, skillMd } = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const plan = await service.handlers.planSkillExport({ skillId: skill.id, folder })
    expect(plan.files.map((f) => [f.path, f.status])).toEqual([
      ['.claude/skills/landing-page/SKILL.md', 'new'],
      ['.claude/skills/landing-page/references/edge-cases.md', 'new'],
      ['.claude/agents/error-analyst.md', 'new'],
      ['.claude/agents/success-analyst.md', 'new'],
      ['.claude/agents/structure-analyst.md', 'new'],
      ['.claude/agents/edge-analyst.md', 'new']
    ])
    await service.handlers.exportSkill({ skillId: skill.id, folder })
    const written = await readFile(join(folder, '.claude/skills/landing-page/SKILL.md'), 'utf8')
    expect(written).toBe(skillMd)
    const parsed = parseSkillMd(written)
    expect(validateFrontMatter({ name: parsed.frontMatter.name!, description: parsed.frontMatter.description! }, 'landing-page')).toEqual(
      []
    )
    expect((await readdir(join(folder, '.claude/agents'))).sort()).toEqual([
      'edge-analyst.md',
      'error-analyst.md',
      'structure-analyst.md',
      'success-analyst.md'
    ])
    expect(await readFile(join(folder, '.claude/agents/edge-analyst.md'), 'utf8')).toMatch(/^---\nname: edge-analyst\n/)
    // again after an edit: the old SKILL.md is backed up
    await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages, revised' } })
    const again = await service.handlers.exportSkill({ skillId: skill.id, folder })
    // the title is in both files; the agents did not change
    expect(again.written).toEqual(['.claude/skills/landing-page/SKILL.md', '.claude/skills/landing-page/references/edge-cases.md'])
    expect(again.unchanged).toHaveLength(4)
    expect(await readFile(again.backups.find((b) => b.path.endsWith('SKILL.md'))!.backup, 'utf8')).toBe(written)
  })

  it('retries one analyst and merges again', async () => {
    const before = (await service.handlers.getSkill({ skillId: analysis.skillId! })).versions.length
    await service.handlers.retryAnalyst({ analysisId: analysis.id, kind: 'structure' })
    await service.analysisIdle(analysis.id)
    const after = await service.handlers.getAnalysis({ analysisId: analysis.id })
    expect(after.analysts.find((a) => a.kind === 'structure')).toMatchObject({ state: 'failed', attempt: 2 })
    expect(after.state).toBe('done')
    expect((await service.handlers.getSkill({ skillId: analysis.skillId! })).versions.length).toBe(before + 1)
  })

  it('after a restart, retries one analyst and keeps what the others found', async () => {
    const before = await service.handlers.getAnalysis({ analysisId: analysis.id })
    const versions = (await service.handlers.getSkill({ skillId: analysis.skillId! })).versions.length
    // an analysis the app was in the middle of when it stopped
    await service.store.analyses.put({
      ...before,
      id: 'x-interrupted',
      skillId: undefined,
      state: 'analysing',
      analysts: before.analysts.map((s) => (s.kind === 'edge' ? { ...s, state: 'streaming' } : s))
    })
    await service.dispose()
    service = await createService({
      configDir: (await service.handlers.getAppInfo({})).configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    const interrupted = await service.handlers.getAnalysis({ analysisId: 'x-interrupted' })
    expect(interrupted.state).toBe('interrupted')
    expect(interrupted.analysts.map((a) => `${a.kind}:${a.state}`)).toEqual([
      'error:done',
      'success:done',
      'structure:failed',
      'edge:cancelled'
    ])
    const requestsBefore = server.requests.length
    await service.handlers.retryAnalyst({ analysisId: analysis.id, kind: 'structure' })
    await service.analysisIdle(analysis.id)
    const after = await service.handlers.getAnalysis({ analysisId: analysis.id })
    expect(after.state).toBe('done')
    // only the structure analyst asked the model again (then the merge, and the support check of each cited run)
    const asked = server.requests
      .slice(requestsBefore)
      .map((r) =>
        r.body?.tool_choice?.name === 'merge_rules' ? 'merge' : r.body?.tool_choice?.name === 'check_support' ? 'check' : kindOf(r.body)
      )
    expect(asked).toEqual(['structure', 'merge', ...Array(9).fill('check')])
    for (const k of ['error', 'success', 'edge'] as const)
      expect(after.analysts.find((a) => a.kind === k)!.rules).toEqual(before.analysts.find((a) => a.kind === k)!.rules)
    expect(after.analysts.find((a) => a.kind === 'structure')!.state).toBe('failed')
    expect((await service.handlers.getSkill({ skillId: analysis.skillId! })).versions.length).toBe(versions + 1)
  }, 60_000)

  it('refuses a batch with no graded runs', async () => {
    const { runs } = await service.handlers.getBatch({ batchId })
    const other = await service.handlers.importSessions({ name: 'ungraded', sessions: [{ sessionId: runs[0].sessionId }] })
    await expect(service.handlers.startAnalysis({ batchId: other.id })).rejects.toThrow(/No graded runs/)
  })
})
