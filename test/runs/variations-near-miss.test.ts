/**
 * Variations closer to real use, through the real SDK against the scripted Messages API: the writer is
 * told to write as a user would and to add a few near-miss prompts marked as such; a near miss from the
 * model's answer is kept as one (and survives an edit of the list); a batch leaves near misses out
 * unless they are included.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { checkAnswer, LIKE_A_USER, nearMissesFor } from '../../src/main/runs/variations'
import { DEFAULT_MIX, RunSettingsSchema, type Mix } from '../../src/shared/runs'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'

const SUBJECTS = ['bakery', 'bank', 'band', 'gym', 'zoo', 'school', 'shop', 'hotel']
const ordinary = (mix: Mix) =>
  (Object.entries(mix) as [string, number][]).flatMap(([difficulty, n]) =>
    Array.from({ length: n }, (_, i) => ({
      difficulty,
      prompt: `landing page for ${SUBJECTS[i % 8]}-${difficulty}-${i}, hero + 3 cards, put it in index.html pls`
    }))
  )
const NEAR = [
  { difficulty: 'normal', prompt: 'fix the typo in the README of our landing-page repo (it says "langing")', nearMiss: true },
  { difficulty: 'normal', prompt: 'Write the launch email announcing our new landing page to subscribers.', nearMiss: true },
  { difficulty: 'hard', prompt: 'Explain why our landing page bounce rate went up last week from these analytics.', nearMiss: true }
]
const reply = (variations: unknown[]): Reply => ({ toolUses: [{ name: 'propose_variations', input: { variations } }] })

describe('variations closer to real use', () => {
  let server: ModelServer
  let service: Service
  afterEach(async () => {
    await service?.dispose()
    await server?.close()
  })
  const start = async (replies: Reply[]) => {
    let i = 0
    server = await startModelServer(() => replies[Math.min(i++, replies.length - 1)])
    const dir = await mkdtemp(join(tmpdir(), 't2s-near-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    return service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
  }

  it('asks for prompts as a user writes them and for a few near misses, and keeps the near misses as such', async () => {
    // the default mix of 20 comes with 3 near misses, in an answer where they come first
    expect(nearMissesFor(20)).toBe(3)
    const task = await start([reply([...NEAR, ...ordinary(DEFAULT_MIX)])])
    const saved = await service.handlers.generateVariations({ taskId: task.id, mix: DEFAULT_MIX })
    const asked = server.requests[0].body.messages[0].content as string
    expect(asked).toContain(LIKE_A_USER)
    expect(asked).toMatch(/some terse/)
    expect(asked).toMatch(/typos/)
    expect(asked).toContain('Also exactly 3 near-miss prompts')
    expect(asked).toContain('"nearMiss": true')
    expect(server.requests[0].body.tools[0].input_schema.properties.variations.items.properties.nearMiss.type).toBe('boolean')
    // the mix counts the ordinary ones; the near misses are kept, marked, after them
    expect(saved).toHaveLength(23)
    expect(saved.filter((v) => v.nearMiss).map((v) => v.prompt)).toEqual(NEAR.map((n) => n.prompt))
    expect(saved.slice(20).every((v) => v.nearMiss)).toBe(true)
    expect(saved.slice(0, 20).some((v) => 'nearMiss' in v)).toBe(false)
    expect(await service.handlers.getVariations({ taskId: task.id })).toEqual(saved)
    // an edit of the list (as the task page sends it) keeps the mark
    const edited = await service.handlers.saveVariations({
      taskId: task.id,
      variations: saved.map(({ id, difficulty, prompt, nearMiss }) => ({ id, difficulty, prompt, ...(nearMiss ? { nearMiss } : {}) }))
    })
    expect(edited.filter((v) => v.nearMiss)).toHaveLength(3)
  })

  it('rejects more near misses than asked for, and any when none were asked', () => {
    const mix: Mix = { easy: 1, normal: 1, hard: 0, adversarial: 0 }
    const list = [...ordinary(mix), ...NEAR]
    expect(checkAnswer({ variations: list }, mix, [], 2)).toEqual({ ok: false, problem: 'asked for at most 2 near-miss prompts, got 3' })
    expect(checkAnswer({ variations: list }, mix)).toEqual({ ok: false, problem: 'asked for no near-miss prompts' })
    const ok = checkAnswer({ variations: list }, mix, [], 3)
    expect(ok.ok && ok.variations.map((v) => v.nearMiss ?? false)).toEqual([false, false, true, true, true])
  })

  it('a batch leaves the near misses out unless they are included', async () => {
    const task = await start([])
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [
        { difficulty: 'easy', prompt: 'a landing page for a bakery' },
        { difficulty: 'normal', prompt: 'fix the typo in the landing page README', nearMiss: true },
        { difficulty: 'hard', prompt: 'a landing page for a bank, no JavaScript' }
      ]
    })
    const settings = RunSettingsSchema.parse({ permission: 'accept-edits', repeats: 2, concurrency: 1, maxTurns: 5 })
    const prompts = async (batchId: string) => (await service.handlers.getBatch({ batchId })).runs.map((r) => r.prompt)
    const plain = await service.handlers.createBatch({ taskId: task.id, settings })
    expect(plain.runIds).toHaveLength(4)
    expect(await prompts(plain.id)).not.toContain('fix the typo in the landing page README')
    const all = await service.handlers.createBatch({ taskId: task.id, settings, includeNearMiss: true })
    expect(all.runIds).toHaveLength(6)
    expect(await prompts(all.id)).toContain('fix the typo in the landing page README')
    // only near misses: said, and nothing made
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [{ difficulty: 'normal', prompt: 'fix the typo in the landing page README', nearMiss: true }]
    })
    await expect(service.handlers.createBatch({ taskId: task.id, settings })).rejects.toThrow(/every variation of this task is a near miss/)
  })
})
