/**
 * Near misses asked of the variation writer (the scripted model answers propose_variations): asked
 * for N near misses and no ordinary variation, told the set's prompts, added to the set as it stands
 * as should-not queries from the writer, no prompt twice (an answer repeating one is asked again); a
 * skill without a task, or a set that would grow past its cap, is refused before the model is asked.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { MAX_QUERIES, type TriggerQuery } from '../../src/shared/triggers'
import { claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantSkill } from '../support/skill'
import { verifyScript } from '../support/verify-script'

let answers: { difficulty: string; prompt: string; nearMiss?: boolean }[][] = []
// each answer once, in order (the script counts its calls over the whole file)
const script = verifyScript({ variations: () => answers.shift() ?? [] })
let server: ModelServer
let service: Service
let root: string
let taskId: string

beforeAll(async () => {
  server = await startModelServer(script)
  root = await mkdtemp(join(tmpdir(), 't2s-near-misses-'))
  const configDir = join(root, 'claude')
  await mkdir(configDir, { recursive: true })
  service = await createService({
    configDir,
    dataDir: join(root, 'data'),
    mode: 'web',
    version: 'test',
    env: claudeEnv(configDir, server.url)
  })
  taskId = (await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page for a product.' })).id
  // the task's own near miss: the default set's one query
  await service.handlers.saveVariations({
    taskId,
    variations: [{ difficulty: 'normal', prompt: 'Fix the typo in the landing page footer', nearMiss: true }]
  })
})
afterAll(async () => {
  await service?.dispose()
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})
beforeEach(() => {
  script.requests.length = 0
})

const near = (prompt: string) => ({ difficulty: 'normal', prompt, nearMiss: true })
const lastUser = (body: { messages: { role: string; content: unknown }[] }) =>
  JSON.stringify(body.messages[body.messages.length - 1].content)

describe('writeNearMisses', () => {
  it("asks the writer for N near misses and no variation, adds them to the default set as the writer's should-not queries, no prompt twice", async () => {
    const { skillId } = await plantSkill(service, { taskId })
    answers = [
      // repeats the set's prompt (other case and spaces): rejected, asked once more
      [near('Fix the typo in our landing page README file'), near('fix the typo in the  landing page FOOTER')],
      [near('Fix the typo in our landing page README file'), near('Write the launch email for our landing page')]
    ]
    const view = await service.handlers.writeNearMisses({ skillId, count: 2 })

    const asks = script.requests.filter((r) => r.kind === 'variations')
    expect(asks).toHaveLength(2)
    const first = JSON.stringify(asks[0].body.messages[0].content)
    expect(first).toContain('No ordinary variations this time.')
    expect(first).toContain('Also exactly 2 near-miss prompts')
    // told the set's prompts, so it repeats none
    expect(first).toContain('Fix the typo in the landing page footer')
    expect(lastUser(asks[1].body)).toMatch(/already/)

    expect(view.queries.map((q) => [q.prompt, q.should, q.source])).toEqual([
      ['Fix the typo in the landing page footer', false, 'near-miss'],
      ['Fix the typo in our landing page README file', false, 'writer'],
      ['Write the launch email for our landing page', false, 'writer']
    ])
    expect(new Set(view.queries.map((q) => q.id)).size).toBe(3)
    // saved: the default set and the near misses, not marked reviewed
    const saved = await service.store.triggers.get(skillId)
    expect(saved?.set.queries).toEqual(view.queries)
    expect(saved?.set.reviewedAt).toBeUndefined()
  })

  it("keeps the person's saved set (and that they reviewed it) and adds to it", async () => {
    const { skillId } = await plantSkill(service, { taskId })
    const mine: TriggerQuery[] = [
      { id: 'p1', prompt: 'Make our pricing page', should: true, source: 'person' },
      { id: 'p2', prompt: 'Review the landing page analytics', should: false, source: 'person' }
    ]
    await service.store.triggers.putQueries(skillId, mine, true)
    const reviewedAt = (await service.store.triggers.get(skillId))!.set.reviewedAt
    answers = [[near('Translate the landing page copy into French')]]
    const view = await service.handlers.writeNearMisses({ skillId, count: 1, model: 'claude-test-writer' })
    expect(script.requests.filter((r) => r.kind === 'variations')[0].body.model).toBe('claude-test-writer')
    expect(view.queries.slice(0, 2)).toEqual(mine)
    expect(view.queries.slice(2).map((q) => [q.prompt, q.should, q.source])).toEqual([
      ['Translate the landing page copy into French', false, 'writer']
    ])
    expect(view.reviewedAt).toBe(reviewedAt)
  })

  it('refuses a skill without a task, and a set that would grow past its cap, before asking the model; nothing saved', async () => {
    const { skillId: orphan } = await plantSkill(service)
    await expect(service.handlers.writeNearMisses({ skillId: orphan, count: 2 })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/no task to write near misses from/)
    })
    const { skillId } = await plantSkill(service, { taskId })
    const full = Array.from({ length: MAX_QUERIES - 1 }, (_, i) => ({
      id: `q${i}`,
      prompt: `prompt ${i}`,
      should: true,
      source: 'person' as const
    }))
    await service.store.triggers.putQueries(skillId, full)
    await expect(service.handlers.writeNearMisses({ skillId, count: 2 })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/over the 200 a set may hold/)
    })
    expect(script.requests).toHaveLength(0)
    expect((await service.store.triggers.get(skillId))!.set.queries).toHaveLength(MAX_QUERIES - 1)
    expect(await service.store.triggers.get(orphan)).toBeNull()
  })

  it('an unknown skill is not found', async () => {
    await expect(service.handlers.writeNearMisses({ skillId: 'nope', count: 1 })).rejects.toMatchObject({ code: 'not-found' })
  })
})
