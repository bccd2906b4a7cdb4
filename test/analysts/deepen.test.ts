/**
 * Deepen mode through the service: a skill learned from one batch is deepened with the analysts'
 * rules from another, which restate three of its rules (one with a sentence added, one reworded, one
 * that was an edge case). The next version holds each meaning once, in every section and in
 * references/edge-cases.md, and every rule keeps its citations: the new runs and the earlier ones.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mergePrompt } from '../../src/main/skills/rules/prompt'
import { sameAsExisting } from '../../src/main/skills/rules/schema'
import { createService, type Service } from '../../src/main/app/service'
import { parseSkillMd, skillProblems } from '../../src/shared/skill-md-read'
import { contextTokensOf, type Analysis, type AnalysisEstimate } from '../../src/shared/analysis'
import type { SkillView } from '../../src/shared/contract'
import { analystScript, type AnalystBehaviour } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})
const runs = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)

const WRITE = 'Write one index.html with inline CSS, then stop.'
const SHELL = 'Before running any shell tool, verify it is installed with `command -v`.'
const VERIFY = 'Verify the written file opens.'

describe('deepen: one rule per meaning, every citation kept', () => {
  let server: ModelServer
  let service: Service
  let first: SkillView
  let second: SkillView
  let batchA: string
  let batchB: string
  let estimate: AnalysisEstimate
  let started: Analysis
  const behaviour: Partial<Record<'error' | 'success' | 'structure' | 'edge', AnalystBehaviour>> = {}

  beforeAll(async () => {
    server = await startModelServer(analystScript(behaviour))
    const configDir = await mkdtemp(join(tmpdir(), 't2s-deepen-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-deepen-data-'))
    const ids = await fixtureSessions(configDir, 18)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    const graded = async (name: string, sessions: string[]) => {
      const batch = await service.handlers.importSessions({ name, sessions: sessions.map((sessionId) => ({ sessionId })) })
      for (const r of (await service.handlers.getBatch({ batchId: batch.id })).runs)
        await service.handlers.saveFeedback({ runId: r.id, label: r.number % 3 ? 'good' : 'bad', text: `run ${r.number}` })
      return batch.id
    }
    batchA = await graded('Landing pages', ids.slice(0, 9))
    batchB = await graded('Landing pages, round 2', ids.slice(9))

    // the first skill, from batch A
    behaviour.error = { rules: [rule(WRITE, runs(1, 8))] }
    behaviour.edge = { rules: [rule(SHELL, [2, 4, 6, 8]), rule(VERIFY, [3, 5])] }
    behaviour.success = { rules: [rule('Keep the hero text short', [1, 2, 3, 4])] }
    const a = await service.handlers.startAnalysis({ batchId: batchA, model: 'claude-sonnet-5-5' })
    await service.analysisIdle(a.id)
    const skillId = (await service.handlers.getAnalysis({ analysisId: a.id })).skillId!
    first = await service.handlers.getSkill({ skillId })

    // deepened with batch B: three of its rules restated, one new
    behaviour.error = { rules: [rule(`${WRITE} Do not ask follow-up questions.`, runs(1, 9))] }
    behaviour.edge = { rules: [rule('Before running any shell tool, verify that it exists with `command -v`.', runs(1, 8))] }
    behaviour.success = { rules: [rule('Verify the written file opens in a browser before you finish.', runs(2, 8))] }
    behaviour.structure = { rules: [rule('Put the call to action above the fold', runs(1, 4))] }
    estimate = await service.handlers.estimateAnalysis({ batchId: batchB, model: 'claude-sonnet-5-5', deepenSkillId: skillId })
    const b = await service.handlers.startAnalysis({ batchId: batchB, model: 'claude-sonnet-5-5', deepenSkillId: skillId })
    started = b
    await service.analysisIdle(b.id)
    expect((await service.handlers.getAnalysis({ analysisId: b.id })).state).toBe('done')
    second = await service.handlers.getSkill({ skillId })
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('one figure for what the analysts read: the estimate, its report and the analysis say the same number', () => {
    const report = started.context.report!
    // the whole prompt: the task, the grades, the skill being deepened and the instructions, then the evidence
    expect(report.promptTokens).toBeGreaterThan(0)
    expect(contextTokensOf(estimate.report)).toBe(estimate.contextTokens)
    expect(contextTokensOf(report)).toBe(estimate.contextTokens)
  })

  it('the first version cites batch A', () => {
    expect(first.skillMd).toMatch(/1\. Write one index\.html with inline CSS, then stop\. \(runs 1, 2, 3, 4, 5, 6, 7, 8\)/)
    expect(first.edgeCasesMd).toContain('Verify the written file opens. (runs 3, 5)')
  })

  it('holds each meaning once, across SKILL.md and edge-cases.md', () => {
    const items = [...parseSkillMd(second.skillMd).rules, ...parseSkillMd(second.edgeCasesMd).rules].map((r) => r.text)
    expect(items.filter((t) => t.startsWith('Write one index.html'))).toHaveLength(1)
    expect(items.filter((t) => t.startsWith('Before running any shell tool'))).toHaveLength(1)
    expect(items.filter((t) => t.startsWith('Verify the written file'))).toHaveLength(1)
    expect(second.edgeCasesMd).not.toContain('Verify the written file')
    expect(skillProblems(second.skill)).toEqual([])
  })

  it('an existing rule a new finding restates takes the new evidence and keeps its own', () => {
    const s = second.skill
    expect(s.batchIds).toEqual([batchA, batchB])
    const write = s.rules.find((r) => r.text.startsWith('Write one index.html'))!
    expect(write).toMatchObject({ existing: true, tier: 'core', evidence: runs(1, 9), earlier: [{ batchId: batchA, runs: runs(1, 8) }] })
    expect(second.skillMd).toContain(
      `1. ${WRITE} Do not ask follow-up questions. (runs 1, 2, 3, 4, 5, 6, 7, 8, 9) (earlier: runs 1, 2, 3, 4, 5, 6, 7, 8)`
    )
    expect(s.rules.find((r) => r.text === SHELL)).toMatchObject({
      tier: 'core',
      evidence: runs(1, 8),
      earlier: [{ batchId: batchA, runs: [2, 4, 6, 8] }]
    })
    expect(s.rules.find((r) => r.text.startsWith('Verify the written file'))).toMatchObject({
      tier: 'core',
      evidence: runs(2, 8),
      earlier: [{ batchId: batchA, runs: [3, 5] }]
    })
    // nothing restated it, and it still cites its runs (4 cited runs: core at 9 graded runs)
    expect(second.skillMd).toMatch(/^\d+\. Keep the hero text short \(earlier: runs 1, 2, 3, 4\)$/m)
  })
})

describe('the merge model says which existing rule a group restates', () => {
  it('reads "existing": "xN", or an xN among the members (taken out), and ignores ids that are not there', () => {
    expect(sameAsExisting({ members: ['a1', 'b2'], wording: 'W', existing: 'x2' }, 3)).toEqual({
      members: ['a1', 'b2'],
      wording: 'W',
      existing: 1
    })
    expect(sameAsExisting({ members: ['a1', 'X3'], wording: 'W' }, 3)).toEqual({ members: ['a1'], wording: 'W', existing: 2 })
    expect(sameAsExisting({ members: ['a1'], wording: 'W', existing: 'x9' }, 3)).toEqual({ members: ['a1'], wording: 'W' })
    expect(sameAsExisting({ members: ['a1'], wording: 'W', existing: null }, 0)).toEqual({ members: ['a1'], wording: 'W' })
  })

  it('is asked to, in deepen mode only', () => {
    const task = { name: 'Landing', text: 'Build a landing page' }
    const rules = [{ id: 'a1', analyst: 'error' as const, rule: 'Do X', evidence: [1], priority: 'high' as const, reason: 'r' }]
    expect(mergePrompt(task, rules, ['Old rule'])).toMatch(/x1: Old rule[\s\S]*names it in its "existing" field/)
    expect(mergePrompt(task, rules)).not.toMatch(/"existing"/)
  })
})
