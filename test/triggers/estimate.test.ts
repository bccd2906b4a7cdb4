/**
 * What measuring or optimising a description would cost, before anything runs: decisions = queries x
 * repeats (x the rounds measured, round 0 included, for an optimisation), at a typical first turn of
 * the runs' model at its list price until this skill has been measured (then at the mean measured
 * decision: see measure.test.ts); a measurement over the cap is refused before anything runs. And the
 * SKILL.md a query run installs for a description that is not the version's own.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { CACHED_DECISION, RUN_DEFAULT_MODEL, TYPICAL_DECISION } from '../../src/main/triggers/estimate'
import { withDescription } from '../../src/main/triggers/skill'
import { messageCostUsd } from '../../src/shared/models'
import { parseSkillMd } from '../../src/shared/skill-md-read'
import type { TriggerQuery } from '../../src/shared/triggers'
import { plantTriggerSkill } from '../support/trigger-skill'

const QUERIES: TriggerQuery[] = Array.from({ length: 7 }, (_, i) => ({
  id: `q${i}`,
  prompt: `Build a landing page number ${i}`,
  should: i < 5,
  source: 'person'
}))

describe('the estimate of measuring a description', () => {
  let service: Service
  let skillId: string

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-trigger-estimate-'))
    await mkdir(join(dir, 'claude'), { recursive: true })
    service = await createService({ configDir: join(dir, 'claude'), dataDir: join(dir, 'data'), mode: 'web', version: 'test', env: {} })
    ;({ skillId } = await plantTriggerSkill(service, { name: 'landing-page', description: 'Build a landing page.' }))
    await service.handlers.saveTriggerQueries({ skillId, queries: QUERIES })
  })
  afterAll(async () => {
    await service?.dispose()
  })

  it('counts decisions and prices them as typical first turns of the runs’ model until measured (the first at once write the cache)', async () => {
    const write = messageCostUsd(RUN_DEFAULT_MODEL, TYPICAL_DECISION)
    const read = messageCostUsd(RUN_DEFAULT_MODEL, CACHED_DECISION)
    expect(read).toBeGreaterThan(0)
    expect(read).toBeLessThan(write)
    const est = await service.handlers.estimateTriggers({ skillId, settings: { concurrency: 2 } })
    expect(est).toMatchObject({ queries: 7, repeats: 3, decisions: 21, basis: 'default', rivals: [] })
    // two runs at once write the prefix, the other 19 read it
    expect(est.usd).toBeCloseTo(2 * write + 19 * read, 4)
    const haikuWrite = messageCostUsd('claude-haiku-5-5', TYPICAL_DECISION)
    const haikuRead = messageCostUsd('claude-haiku-5-5', CACHED_DECISION)
    const haiku = await service.handlers.estimateTriggers({ skillId, repeats: 2, settings: { model: 'claude-haiku-5-5', concurrency: 2 } })
    expect(haiku.decisions).toBe(14)
    expect(haiku.usd).toBeCloseTo(2 * haikuWrite + 12 * haikuRead, 4)
    expect(haiku.usd).toBeLessThan(est.usd)
    // an optimisation of 4 rounds measures round 0 (the version's own) and the four proposals, each writing its own prefix
    const opt = await service.handlers.estimateTriggers({ skillId, repeats: 2, rounds: 4, settings: { concurrency: 2 } })
    expect(opt.decisions).toBe(7 * 2 * 5)
    expect(opt.usd).toBeCloseTo(5 * (2 * write + 12 * read), 4)
  })

  it('refuses a measurement over the cap before anything runs', async () => {
    await expect(
      service.handlers.measureTriggers({ skillId, capUsd: 0.01, settings: { permission: 'accept-edits', claudePath: '/nowhere/claude' } })
    ).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/over the cap of \$0\.01/) })
    const doc = await service.store.triggers.get(skillId)
    expect(Object.keys(doc?.measures ?? {})).toEqual([])
    expect(service.operations.running('triggers', skillId)).toEqual([])
  })
})

describe('the SKILL.md of a description under test', () => {
  it('replaces the description (a block one too), keeps the name and the body', () => {
    const md = '---\nname: landing-page\ndescription: >\n  Old words\n  on two lines\nlicense: MIT\n---\n\n# Landing page\n\nBody.\n'
    const out = withDescription(md, 'landing-page', 'New: "quoted" words, and a colon')
    expect(parseSkillMd(out).frontMatter).toEqual({ name: 'landing-page', description: 'New: "quoted" words, and a colon' })
    expect(out).toContain('license: MIT')
    expect(out.endsWith('\n# Landing page\n\nBody.\n')).toBe(true)
    expect(parseSkillMd(withDescription('# Bare\n', 'bare', 'Fresh one')).frontMatter).toEqual({ name: 'bare', description: 'Fresh one' })
  })
})
