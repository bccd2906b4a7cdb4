/**
 * Conflicts are decided on honest support: through the service (the real SDK against the scripted API),
 * a conflict the merge decides by the runs the analysts cited is decided again after the support check
 * with the runs it confirmed, so a winner that loses its lead to the check loses the conflict.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { analystScript, type CheckVerdict } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const ALWAYS = 'Always inline the styles'
const NEVER = 'Never inline the styles'
const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})
/** The checker confirms ALWAYS in run 1 only; everything else it is asked about. */
const check: CheckVerdict = (run, text) => (text === ALWAYS && run > 1 ? `run ${run} linked a stylesheet` : true)

describe('a conflict after the support check', () => {
  let server: ModelServer
  let service: Service

  beforeAll(async () => {
    // cited: ALWAYS by 4 runs, NEVER by 3: ALWAYS wins the merge's decision
    server = await startModelServer(
      analystScript({ error: { rules: [rule(NEVER, [5, 6, 7])] }, success: { rules: [rule(ALWAYS, [1, 2, 3, 4])] } }, { check })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-conflict-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-conflict-data-'))
    const ids = await fixtureSessions(configDir, 7)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 4 ? 'good' : 'bad', text: `run ${r.number}` })
    const a = await service.handlers.startAnalysis({ batchId: batch.id })
    await service.analysisIdle(a.id)
    expect((await service.handlers.getAnalysis({ analysisId: a.id })).state).toBe('done')
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('flips when the winner loses its lead: the confirmed runs decide, and the tiers follow', async () => {
    const [listed] = await service.handlers.listSkills({})
    const { skill } = await service.handlers.getSkill({ skillId: listed.id })
    const of = (t: string) => skill.rules.find((r) => r.text === t)!
    // ALWAYS kept one confirmed run of four; NEVER all three
    expect(of(ALWAYS).evidence).toEqual([1])
    expect(of(ALWAYS).unconfirmed?.map((u) => u.run)).toEqual([2, 3, 4])
    expect(of(NEVER).evidence).toEqual([5, 6, 7])
    expect(skill.conflicts).toHaveLength(1)
    const [c] = skill.conflicts
    expect(c).toMatchObject({
      winner: of(NEVER).id,
      loser: of(ALWAYS).id,
      decision: 'after the support check: 3 runs against 1',
      reversed: false
    })
    expect(of(ALWAYS)).toMatchObject({ tier: 'discarded', note: `lost a conflict with "${NEVER}": ${c.why}` })
    // 7 graded runs: guidance from 3
    expect(of(NEVER).tier).toBe('guidance')

    // the person's reversal still stands on the confirmed counts
    const reversed = await service.handlers.reverseConflict({ skillId: skill.id, conflictId: c.id })
    expect(reversed.skill.conflicts[0]).toMatchObject({ winner: of(ALWAYS).id, reversed: true })
    expect(reversed.skill.rules.find((r) => r.text === NEVER)!.tier).toBe('discarded')
  })
})
