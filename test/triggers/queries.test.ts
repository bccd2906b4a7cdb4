/**
 * A skill's trigger queries: the default set (its batches' prompts and its fresh or pasted
 * verifications', each once; the task's near misses as should-not, never as should), with ids that
 * stay the same across reads and are never paths; the person's set saved whole or refused whole with
 * a clear error (an empty prompt, a repeated id or prompt, too many), nothing already saved lost.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { promptId, queriesProblem } from '../../src/main/triggers/queries'
import { RunSettingsSchema } from '../../src/shared/runs'
import { MAX_QUERIES, type TriggerQuery } from '../../src/shared/triggers'
import { testVerification } from '../support/builders'
import { plantTriggerSkill } from '../support/trigger-skill'

describe("a skill's trigger queries", () => {
  let service: Service
  let skillId: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-trigger-queries-'))
    await mkdir(join(dir, 'claude'), { recursive: true })
    service = await createService({ configDir: join(dir, 'claude'), dataDir: join(dir, 'data'), mode: 'web', version: 'test', env: {} })
    const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
    const saved = await service.handlers.saveVariations({
      taskId: task.id,
      variations: [
        { difficulty: 'normal', prompt: 'Build a landing page for a bakery' },
        { difficulty: 'easy', prompt: 'Build a landing page for a gym' },
        { difficulty: 'normal', prompt: 'Fix the typo in the landing page README', nearMiss: true }
      ]
    })
    for (const v of saved) ids[v.prompt.split(' ').pop()!] = v.id
    const settings = RunSettingsSchema.parse({ repeats: 2, permission: 'accept-edits' })
    const b1 = await service.handlers.createBatch({ taskId: task.id, settings })
    // a batch that ran the near miss too: it stays a should-not
    const b2 = await service.handlers.createBatch({ taskId: task.id, settings, includeNearMiss: true })
    ;({ skillId } = await plantTriggerSkill(service, {
      name: 'landing-page',
      description: 'Build a landing page.',
      taskId: task.id,
      batchIds: [b1.id, b2.id]
    }))
    const verification = (source: 'fresh' | 'batch', prompts: string[]) =>
      service.store.verifications.put(
        testVerification({
          skillId,
          batchId: `batch-of-${source}`,
          arms: {},
          source,
          variations: prompts.map((prompt) => ({ difficulty: 'normal', prompt }))
        })
      )
    await verification('fresh', ['Build a landing page for a florist', '  build a LANDING page for a bakery '])
    await verification('batch', ['A prompt of a verification over its batch'])
  })
  afterAll(async () => {
    await service?.dispose()
  })

  it('the default set: batch and verification prompts once each, near misses as should-not, stable ids', async () => {
    const view = await service.handlers.getTriggers({ skillId })
    expect(view.reviewedAt).toBeUndefined()
    expect(view.name).toBe('landing-page')
    expect(view.queries).toEqual([
      { id: `v-${ids.bakery}`, prompt: 'Build a landing page for a bakery', should: true, source: 'batch', variationId: ids.bakery },
      { id: `v-${ids.gym}`, prompt: 'Build a landing page for a gym', should: true, source: 'batch', variationId: ids.gym },
      {
        id: promptId('Build a landing page for a florist'),
        prompt: 'Build a landing page for a florist',
        should: true,
        source: 'verification'
      },
      {
        id: `v-${ids.README}`,
        prompt: 'Fix the typo in the landing page README',
        should: false,
        source: 'near-miss',
        variationId: ids.README
      }
    ])
    expect(promptId('Build a landing page for a florist')).toMatch(/^p-[0-9a-f]{16}$/)
    // the same ids on every read
    expect((await service.handlers.getTriggers({ skillId })).queries.map((q) => q.id)).toEqual(view.queries.map((q) => q.id))
  })

  it("saves the person's set whole, and refuses a bad one whole with a clear error, losing nothing", async () => {
    const mine: TriggerQuery[] = [
      { id: 'a', prompt: 'Build a landing page for a tea room', should: true, source: 'person' },
      { id: 'b', prompt: 'Write the landing page email', should: false, source: 'person' }
    ]
    const saved = await service.handlers.saveTriggerQueries({ skillId, queries: mine })
    expect(saved.queries).toEqual(mine)
    expect(saved.reviewedAt).toBeTruthy()
    const bad = async (queries: TriggerQuery[], message: RegExp) => {
      await expect(service.handlers.saveTriggerQueries({ skillId, queries })).rejects.toMatchObject({ code: 'invalid', message })
      expect((await service.handlers.getTriggers({ skillId })).queries).toEqual(mine)
    }
    await bad([...mine, { id: 'c', prompt: '   ', should: true, source: 'person' }], /query 3 has an empty prompt/)
    await bad([...mine, { id: 'a', prompt: 'Another one', should: true, source: 'person' }], /two queries have the id "a"/)
    await bad(
      [...mine, { id: 'c', prompt: ' write the LANDING page  email', should: true, source: 'person' }],
      /queries 2 and 3 have the same prompt/
    )
    const many = Array.from({ length: MAX_QUERIES + 1 }, (_, i) => ({ id: `q${i}`, prompt: `prompt ${i}`, should: true, source: 'person' }))
    expect(queriesProblem(many)).toMatch(`at most ${MAX_QUERIES} queries`)
    // saved empty on purpose: the set is empty, not the default one again
    const empty = await service.handlers.saveTriggerQueries({ skillId, queries: [] })
    expect(empty.queries).toEqual([])
    expect(empty.reviewedAt).toBeTruthy()
  })
})
