/**
 * Variation generation through the real SDK against the scripted Messages API: a forced tool call,
 * the mix honoured, malformed answers rejected with a retry and never half-saved.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { DEFAULT_MIX, parseNumberedList, type Mix } from '../../src/shared/runs'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'

const answer = (mix: Mix, tweak: (list: { difficulty: string; prompt: string }[]) => unknown = (l) => l): Reply => {
  const list = (Object.entries(mix) as [string, number][]).flatMap(([difficulty, n]) =>
    Array.from({ length: n }, (_, i) => ({
      difficulty,
      prompt: `A ${difficulty} landing page task number ${i + 1}: build a page for a ${['bakery', 'bank', 'band', 'gym', 'zoo', 'school', 'shop', 'hotel'][i % 8]} with a hero and three cards.`
    }))
  )
  return { toolUses: [{ name: 'propose_variations', input: { variations: tweak(list) } }] }
}

describe('variation generation', () => {
  let server: ModelServer
  let service: Service
  afterEach(async () => {
    await service?.dispose()
    await server?.close()
  })
  const start = async (replies: Reply[]) => {
    let i = 0
    server = await startModelServer(() => replies[Math.min(i++, replies.length - 1)])
    const dir = await mkdtemp(join(tmpdir(), 't2s-var-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
    })
    return service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
  }

  it('asks with a forced tool call and saves the default mix of 20', async () => {
    const task = await start([answer(DEFAULT_MIX)])
    const saved = await service.handlers.generateVariations({ taskId: task.id, mix: DEFAULT_MIX })
    expect(saved).toHaveLength(20)
    const count = (d: string) => saved.filter((v) => v.difficulty === d).length
    expect([count('easy'), count('normal'), count('hard'), count('adversarial')]).toEqual([5, 8, 4, 3])
    expect(saved[0].difficulty).toBe('easy')
    expect(saved[19].difficulty).toBe('adversarial')
    const req = server.requests[0].body
    expect(req.tool_choice).toEqual({ type: 'tool', name: 'propose_variations' })
    expect(req.tools[0].input_schema.properties.variations.items.properties.difficulty.enum).toEqual([
      'easy',
      'normal',
      'hard',
      'adversarial'
    ])
    expect(req.messages[0].content).toContain('Exactly this many of each difficulty')
    expect(await service.handlers.getVariations({ taskId: task.id })).toEqual(saved)
  })

  it('rejects a malformed answer, says why, and asks once more', async () => {
    const mix = { easy: 1, normal: 2, hard: 1, adversarial: 1 }
    const task = await start([answer(mix, (l) => l.slice(1)), answer(mix)])
    const saved = await service.handlers.generateVariations({ taskId: task.id, mix })
    expect(saved).toHaveLength(5)
    expect(server.requests).toHaveLength(2)
    const retry = server.requests[1].body.messages
    expect(JSON.stringify(retry[retry.length - 1])).toContain('Rejected: the mix is wrong: asked for 1 easy, got 0 easy')
  })

  it('twice malformed: a clear error, and what was saved before stays as it was', async () => {
    const mix = { easy: 1, normal: 1, hard: 0, adversarial: 0 }
    const task = await start([answer(mix, () => 'not a list'), answer(mix, (l) => [{ ...l[0], difficulty: 'extreme' }, l[1]])])
    const before = await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'hard', prompt: 'keep me' }] })
    await expect(service.handlers.generateVariations({ taskId: task.id, mix })).rejects.toThrow(/rejected twice .*nothing was saved/)
    expect(await service.handlers.getVariations({ taskId: task.id })).toEqual(before)
  })

  it('an overloaded API is retried by the SDK; no key gives a clear message', async () => {
    const mix = { easy: 1, normal: 0, hard: 0, adversarial: 0 }
    const task = await start([{ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } }, answer(mix)])
    expect(await service.handlers.generateVariations({ taskId: task.id, mix })).toHaveLength(1)
    await service.dispose()
    const dir = await mkdtemp(join(tmpdir(), 't2s-var-nokey-'))
    service = await createService({ configDir: join(dir, 'c'), dataDir: join(dir, 'd'), mode: 'web', version: 'test', env: {} })
    const t = await service.handlers.saveTask({ name: 'x', text: 'y' })
    expect(await service.handlers.getModelAccess({})).toMatchObject({ hasKey: false, source: null, canStoreKey: false })
    await expect(service.handlers.generateVariations({ taskId: t.id, mix })).rejects.toThrow(/No Anthropic API key/)
    await service.handlers.setApiKey({ key: 'sk-ant-pasted-key-123' })
    expect(await service.handlers.getModelAccess({})).toMatchObject({ hasKey: true, source: 'session' })
  })

  it('regenerates one variation and keeps the others', async () => {
    const task = await start([
      answer({ easy: 0, normal: 1, hard: 0, adversarial: 0 }, () => [
        { difficulty: 'normal', prompt: 'A brand new normal variation about a florist landing page.' }
      ])
    ])
    const list = await service.handlers.saveVariations({
      taskId: task.id,
      variations: [
        { difficulty: 'easy', prompt: 'first one stays' },
        { difficulty: 'normal', prompt: 'second one goes' }
      ]
    })
    const next = await service.handlers.regenerateVariation({ taskId: task.id, variationId: list[1].id })
    expect(next.map((v) => v.prompt)).toEqual(['first one stays', 'A brand new normal variation about a florist landing page.'])
    expect(next[1].id).toBe(list[1].id)
  })
})

describe('pasted numbered lists', () => {
  it('reads items, difficulties and continuation lines, and reports bad lines', () => {
    const r = parseNumberedList('1. [hard] Build a page\n   with a pricing table\n2) Write a post\n\n3. [adversarial] Break it')
    expect(r.errors).toEqual([])
    expect(r.items).toEqual([
      { difficulty: 'hard', prompt: 'Build a page\nwith a pricing table' },
      { difficulty: 'normal', prompt: 'Write a post' },
      { difficulty: 'adversarial', prompt: 'Break it' }
    ])
    expect(parseNumberedList('no numbers here').errors[0]).toMatch(/line 1: expected "1. prompt"/)
    expect(parseNumberedList('').errors).toEqual(['no numbered items found'])
  })
  it('names a line whose difficulty tag is unknown, and does not take it as a prompt', () => {
    const r = parseNumberedList(
      '1. [easy] Build a page\n2. [HARD] Write a post\n\n4. [weird] x\n5. [Link](https://example.com) is a prompt'
    )
    expect(r.errors).toEqual([
      'line 4: item 4 has an unknown difficulty [weird]: use [easy], [normal], [hard] or [adversarial], and [near-miss] for a near miss'
    ])
    expect(r.items.map((i) => i.difficulty)).toEqual(['easy', 'hard', 'normal'])
    expect(r.items[2].prompt).toBe('[Link](https://example.com) is a prompt')
    expect(parseNumberedList('1. [weird]').errors[0]).toMatch(/^line 1: item 1 has an unknown difficulty \[weird\]/)
  })
  it('reads a near miss by its [near-miss] tag, before or after the difficulty, and refuses two difficulties', () => {
    const r = parseNumberedList(
      '1. [hard] [near-miss] Fix the typo in the README\n2. [Near-Miss] [easy] Write the email\n3. [near-miss] Plain'
    )
    expect(r.errors).toEqual([])
    expect(r.items).toEqual([
      { difficulty: 'hard', prompt: 'Fix the typo in the README', nearMiss: true },
      { difficulty: 'easy', prompt: 'Write the email', nearMiss: true },
      { difficulty: 'normal', prompt: 'Plain', nearMiss: true }
    ])
    const two = parseNumberedList('1. [hard] [easy] x\n2. fine')
    expect(two.errors).toEqual(['line 1: item 1 has two difficulties: give it one'])
    expect(two.items).toEqual([{ difficulty: 'normal', prompt: 'fine' }])
  })
})
