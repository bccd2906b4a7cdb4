/**
 * Beyond one context: more than 30 runs are analysed in groups in parallel, and the groups' rules are
 * consolidated by the merge, so the person sees one skill with the union of the evidence.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Analysis } from '../../src/shared/analysis'
import { analystScript, firstMessageText, isAnalystRequest, kindOf } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const RUNS = 35

describe('more runs than one context holds', () => {
  let server: ModelServer
  let service: Service
  let analysis: Analysis
  let started: Analysis

  beforeAll(async () => {
    const merge = analystScript({})
    server = await startModelServer((req) => {
      if (!isAnalystRequest(req.body)) return merge(req)
      // each group's analyst cites the first two runs it was shown
      const shown = [...firstMessageText(req.body).matchAll(/^=== Run (\d+)/gm)].map((m) => Number(m[1]))
      const kind = kindOf(req.body)
      const text = kind === 'edge' ? 'Before finishing, verify the page opens' : 'Run the build before finishing'
      return {
        toolUses: [
          {
            name: 'propose_rules',
            input: {
              rules: [{ rule: text, evidence: shown.slice(0, 2), priority: 'high', reason: `runs ${shown.slice(0, 2).join(', ')}` }]
            }
          }
        ]
      }
    })
    const configDir = await mkdtemp(join(tmpdir(), 't2s-scale-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-scale-data-'))
    const ids = await fixtureSessions(configDir, RUNS, '-tmp-scale')
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.url }
    })
    const batch = await service.handlers.importSessions({ name: 'many', sessions: ids.map((sessionId) => ({ sessionId })) })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number % 2 ? 'good' : 'bad', text: `run ${r.number}` })
    analysis = started = await service.handlers.startAnalysis({ batchId: batch.id })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('analyses the runs in groups, each group seeing only its own runs', () => {
    expect(analysis.state).toBe('done')
    expect(analysis.context.chunks).toBe(4)
    expect(analysis.warnings).toContain(`${RUNS} runs were analysed in 4 groups; their rules were consolidated.`)
    // said once it has happened: not while the analysts are still queued
    expect(started.state).toBe('analysing')
    expect(started.context.chunks).toBe(4)
    expect(started.warnings.join(' ')).not.toMatch(/groups/)
    const requests = server.requests.filter((r) => isAnalystRequest(r.body))
    expect(requests).toHaveLength(16)
    const seen = requests.map((r) => [...firstMessageText(r.body).matchAll(/^=== Run (\d+)/gm)].map((m) => Number(m[1])))
    // every run is in exactly one group (per analyst), and no group holds more than 10
    const errorGroups = requests.map((r, i) => (kindOf(r.body) === 'error' ? seen[i] : null)).filter((x): x is number[] => !!x)
    expect(errorGroups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: RUNS }, (_, i) => i + 1))
    expect(Math.max(...errorGroups.map((g) => g.length))).toBeLessThanOrEqual(10)
    for (const a of analysis.analysts) expect(a).toMatchObject({ state: 'done', chunks: 4, chunksDone: 4 })
    // each rule says which group of runs it was drawn from, as a field: a group's rules cite only its runs
    const groupOfRun = (n: number) => errorGroups.findIndex((g) => g.includes(n))
    for (const a of analysis.analysts) {
      expect(new Set(a.rules.map((r) => r.group))).toEqual(new Set([1, 2, 3, 4]))
      const shownAs = new Map<number, number>()
      for (const r of a.rules) {
        const at = groupOfRun(r.evidence[0])
        expect(r.evidence.every((n) => groupOfRun(n) === at)).toBe(true)
        expect(shownAs.get(r.group!) ?? at).toBe(at)
        shownAs.set(r.group!, at)
      }
      expect(new Set(shownAs.values()).size).toBe(4)
    }
  })

  it("consolidates hierarchically: each group's rules first, then the groups' results together", () => {
    const merges = server.requests
      .filter((r) => r.body?.tool_choice?.name === 'merge_rules')
      .map((r) => String(r.body.messages[0].content[0].text))
    expect(merges).toHaveLength(5)
    const ids = (text: string) => [...text.matchAll(/^(\S+) \[\w+\] runs/gm)].map((m) => m[1])
    // four first-level merges, each over the 4 analysts' rules of one group only
    for (const text of merges.slice(0, 4)) {
      expect(ids(text)).toHaveLength(4)
      expect(new Set(ids(text).map((id) => /g(\d+)-/.exec(id)![1])).size).toBe(1)
    }
    // the last one over the groups' consolidated rules (two per group)
    expect(ids(merges[4])).toHaveLength(8)
    expect(ids(merges[4]).every((id) => id.startsWith('L1-g'))).toBe(true)
  })

  it("consolidates the groups' rules into one rule with the union of their runs", async () => {
    const { skill } = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const build = skill.rules.find((r) => r.text === 'Run the build before finishing')!
    // 3 analysts x 4 groups x 2 runs each, the same 8 runs per analyst: the union is those 8 -> guidance
    // (tiers for 35 graded runs: core 14+, patterns 7-13, edge cases 4-6)
    expect(build.evidence).toHaveLength(8)
    expect(build.tier).toBe('guidance')
    expect(build.sources).toHaveLength(12)
    expect(build.analysts).toEqual(['error', 'success', 'structure'])
    const guard = skill.rules.find((r) => r.text.startsWith('Before finishing'))!
    expect(guard).toMatchObject({ guard: true, tier: 'guidance' })
  })
})
