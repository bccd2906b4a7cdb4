/**
 * References by topic through the service: the scripted merge names topics and gives each group one;
 * the skill's edge cases go to one file per topic, linked from SKILL.md with when to read it, exported
 * as such; a deepen keeps the existing rules in their files and carries the topics forward.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
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

const TOPIC_OF: Record<string, string> = {
  'Label every input': 'Forms',
  'Inline the critical CSS': 'slow-network',
  'Compress the hero image': 'perf',
  'Mind the favicon': 'not-named'
}

describe('references by topic through the service', () => {
  let server: ModelServer
  let service: Service
  let first: SkillView
  let second: SkillView
  let skillId: string
  const behaviour: Partial<Record<'error' | 'success' | 'structure' | 'edge', AnalystBehaviour>> = {}
  const merge: Parameters<typeof analystScript>[1] = { topicOf: (w) => TOPIC_OF[w] }

  beforeAll(async () => {
    server = await startModelServer(analystScript(behaviour, merge))
    const configDir = await mkdtemp(join(tmpdir(), 't2s-topics-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-topics-data-'))
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
    const batchA = await graded('Landing pages', ids.slice(0, 9))
    const batchB = await graded('Landing pages, round 2', ids.slice(9))

    // 9 graded runs: edge cases at 2 runs
    behaviour.error = { rules: [rule('Write one index.html with inline CSS', runs(1, 8))] }
    behaviour.structure = {
      rules: [rule('Label every input', [3, 5]), rule('Inline the critical CSS', [2, 4]), rule('Mind the favicon', [6, 7])]
    }
    merge.topics = [
      { name: 'Forms', title: 'Forms', when: 'the page has a form' },
      { name: '../slow-network', title: 'Slow networks', when: 'When assets come from a CDN.' },
      { name: 'print', title: 'Printing', when: 'the page must print' }
    ]
    const a = await service.handlers.startAnalysis({ batchId: batchA, model: 'claude-sonnet-5-5' })
    await service.analysisIdle(a.id)
    skillId = (await service.handlers.getAnalysis({ analysisId: a.id })).skillId!
    first = await service.handlers.getSkill({ skillId })

    // deepened: a new edge case in a new topic; the model does not repeat the old topics
    behaviour.error = { rules: [rule('Write one index.html with inline CSS', runs(1, 9))] }
    behaviour.structure = { rules: [rule('Compress the hero image', [1, 2])] }
    merge.topics = [{ name: 'perf', title: 'Performance', when: 'the page is slow' }]
    const b = await service.handlers.startAnalysis({ batchId: batchB, model: 'claude-sonnet-5-5', deepenSkillId: skillId })
    await service.analysisIdle(b.id)
    expect((await service.handlers.getAnalysis({ analysisId: b.id })).state).toBe('done')
    second = await service.handlers.getSkill({ skillId })
  }, 60_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('gives the skill its topics, safe names, and each rule its topic (unknown: edge-cases)', () => {
    expect(first.skill.topics!.map((t) => t.name)).toEqual(['forms', 'slow-network', 'print'])
    const topicOf = Object.fromEntries(first.skill.rules.map((r) => [r.text, r.topic]))
    expect(topicOf).toMatchObject({
      'Label every input': 'forms',
      'Inline the critical CSS': 'slow-network',
      'Mind the favicon': 'edge-cases'
    })
  })

  it('links each topic file from SKILL.md with when to read it, and renders one file per topic with edge cases', () => {
    expect(first.skillMd).toContain('Read [references/forms.md](references/forms.md) when the page has a form.')
    expect(first.skillMd).toContain('Read [references/slow-network.md](references/slow-network.md) when assets come from a CDN.')
    expect(first.skillMd).toContain('Read [references/edge-cases.md](references/edge-cases.md) when')
    expect(first.skillMd).not.toContain('references/print.md')
    expect(first.references!.map((f) => f.name)).toEqual(['forms', 'slow-network', 'edge-cases'])
    expect(first.references![0].content).toBe('# Landing pages: Forms\n\n- Label every input (runs 3, 5)\n')
  })

  it('deepening keeps the existing rules in their files and carries the topics forward', () => {
    expect(second.skill.topics!.map((t) => t.name)).toEqual(['forms', 'slow-network', 'print', 'perf'])
    const topicOf = Object.fromEntries(second.skill.rules.map((r) => [r.text, r.topic]))
    expect(topicOf).toMatchObject({
      'Label every input': 'forms',
      'Inline the critical CSS': 'slow-network',
      'Compress the hero image': 'perf'
    })
    expect(second.references!.map((f) => f.name)).toEqual(['forms', 'slow-network', 'perf', 'edge-cases'])
  })

  it('exports every reference file the SKILL.md links', async () => {
    const folder = await mkdtemp(join(tmpdir(), 't2s-topics-export-'))
    await service.handlers.exportSkill({ skillId, folder, acceptFlagged: true })
    const dir = join(folder, '.claude/skills/landing-page/references')
    expect((await readdir(dir)).sort()).toEqual(['edge-cases.md', 'forms.md', 'perf.md', 'slow-network.md'])
    const md = await readFile(join(folder, '.claude/skills/landing-page/SKILL.md'), 'utf8')
    for (const f of await readdir(dir)) expect(md).toContain(`(references/${f})`)
    expect(await readFile(join(dir, 'perf.md'), 'utf8')).toBe(second.references!.find((f) => f.name === 'perf')!.content)
  })
})
