/**
 * The description optimiser end to end through the Service (optimizeDescription, then
 * saveOptimisedDescription) with the real `claude` for every query run and a scripted model: the runs
 * load the skill by the words rule (trigger-script.ts), the proposer writes descriptions from the
 * failures it is shown (propose-script.ts: round 1 generalises, round 2 overfits the training prompts).
 * Held-out recall rises without more false triggers, the pick is by the held-out split although round 2
 * wins on training, the loop stops once training is perfect, no held-out prompt reaches the proposer,
 * and the pick is saved as a new version whose SKILL.md carries it.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { scoreOf, scoresOf, type Optimisation } from '../../src/shared/triggers'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { LANDING_DESCRIPTION, LANDING_QUERIES, optimiseScript } from '../support/propose-script'
import { triggerScript } from '../support/trigger-script'
import { plantTriggerSkill } from '../support/trigger-skill'
import { loads } from '../support/trigger-words'

const SETTINGS = { claudePath: CLAUDE_BIN, permission: 'accept-edits' as const, concurrency: 2 }

describe('optimising a description through the real claude', () => {
  let server: ModelServer
  let service: Service
  let skillId = ''
  const runs = triggerScript()
  const script = optimiseScript(['generalise', 'overfit'], runs)

  beforeAll(async () => {
    server = await startModelServer(script)
    const dir = await mkdtemp(join(tmpdir(), 't2s-optimise-claude-'))
    const configDir = join(dir, 'claude')
    await mkdir(configDir, { recursive: true })
    service = await createService({
      configDir,
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(configDir, server.url)
    })
    ;({ skillId } = await plantTriggerSkill(service, { name: 'landing-pages', description: LANDING_DESCRIPTION }))
    await service.handlers.saveTriggerQueries({ skillId, queries: LANDING_QUERIES })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('raises held-out recall, picks by the held-out split, and saves the pick as a new version', async () => {
    const progress: Optimisation[] = []
    const off = service.hub.subscribe((event, payload) => {
      const o = (payload as { optimisation?: Optimisation }).optimisation
      if (event === 'triggersProgress' && o) progress.push(structuredClone(o))
    })
    const started = await service.handlers.optimizeDescription({ skillId, repeats: 1, capUsd: 100, settings: SETTINGS })
    await service.operations.whenSettled('triggers', skillId)
    off()
    const view = await service.handlers.getTriggers({ skillId })
    const o = view.optimisations.find((x) => x.id === started.id)!
    expect(o.state, o.error).toBe('done')
    expect(o.done.map((r) => r.round)).toEqual([0, 1, 2])
    // each round's scores are the rule's hand counts (one run a query; the real claude decided each)
    for (const r of o.done)
      for (const [side, ids] of [
        ['train', o.train],
        ['test', o.test]
      ] as const)
        expect(r[side], `round ${r.round} ${side}`).toEqual(
          scoresOf(
            ids.map((id) => {
              const q = LANDING_QUERIES.find((x) => x.id === id)!
              return {
                should: q.should,
                decisions: [{ kind: loads(r.description, q.prompt) ? 'loaded' : 'answer', turns: 1, tokens: 0, usd: 0, ms: 0 }]
              }
            })
          )
        )
    const [own, general, overfit] = o.done
    expect(general.test.recall!).toBeGreaterThan(own.test.recall!)
    expect(general.test.falseLoaded).toBeLessThanOrEqual(own.test.falseLoaded)
    expect(scoreOf(overfit.train)).toBeGreaterThan(scoreOf(general.train))
    expect(scoreOf(overfit.test)).toBeLessThan(scoreOf(general.test))
    expect(o.best).toBe(1)
    // every query run stopped at its decision: 16 queries x 3 rounds, each asked of the model once
    expect(runs.requests).toHaveLength(48)
    expect(runs.requests.filter((r) => r.step === 'answer')).toEqual([])
    expect(o.usd).toBeGreaterThan(0)
    // the proposer saw training prompts only
    expect(script.proposals).toHaveLength(2)
    const sent = JSON.stringify(script.proposals)
    for (const id of o.test) expect(sent).not.toContain(LANDING_QUERIES.find((q) => q.id === id)!.prompt)
    expect(progress.filter((p) => p.id === o.id).at(-1)).toMatchObject({ state: 'done', best: 1 })

    const saved = await service.handlers.saveOptimisedDescription({ optimisationId: o.id })
    expect(saved.skill.frontMatter.description).toBe(general.description)
    expect(saved.skillMd).toContain(`description: ${JSON.stringify(general.description)}`)
    expect(saved.versions.at(-1)?.label).toBe('description from optimisation round 1')
    const after = (await service.handlers.getTriggers({ skillId })).optimisations.find((x) => x.id === o.id)!
    expect(after.savedVersionId).toBe(saved.versions.at(-1)?.id)
  }, 300_000)
})
