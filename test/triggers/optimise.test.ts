/**
 * The description optimiser's loop (issue 23) with a measure that applies the scripted model's rule
 * (trigger-words.ts) directly and the scripted proposer (propose-script.ts): held-out recall rises
 * without more false triggers, the pick is by the held-out split even when a round overfitting the
 * training prompts wins on training, the loop stops once training is perfect, cancel reaches the model
 * and the measure, held-out prompts never reach the model, and the pick is saved as a new version.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLog } from '../../src/main/log/log'
import { Operations } from '../../src/main/operations/registry'
import { createSkillService } from '../../src/main/skills/service'
import { openStore, type Store } from '../../src/main/store/store'
import type { MeasureDescription, TriggersContext } from '../../src/main/triggers/context'
import { saveOptimised, startOptimisation } from '../../src/main/triggers/optimise'
import { perfect } from '../../src/main/triggers/rounds'
import { scoreOf, scoresOf, type Decision, type Optimisation, type TriggerQuery } from '../../src/shared/triggers'
import { testSkill } from '../support/builders'
import { LANDING_DESCRIPTION, LANDING_QUERIES, scriptedProposer, type Strategy } from '../support/propose-script'
import { loads } from '../support/trigger-words'

const stores: Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

interface MeasureCall {
  description: string
  skillMd: string
  queries: TriggerQuery[]
  signal: AbortSignal
}

/** A measure by the rule itself: each query x repeats a decision, 'loaded' when the description shares 2+ words. */
function ruleMeasure(onDecision?: (call: MeasureCall, n: number) => void) {
  const calls: MeasureCall[] = []
  const measure: MeasureDescription = async (o) => {
    const call = { description: o.skill.description, skillMd: o.skill.skillMd, queries: o.queries, signal: o.signal }
    calls.push(call)
    let n = 0
    return o.queries.map((q) => {
      const decisions: Decision[] = []
      for (let i = 0; i < o.repeats; i++) {
        o.signal.throwIfAborted()
        const d: Decision = { kind: loads(o.skill.description, q.prompt) ? 'loaded' : 'answer', turns: 1, tokens: 100, usd: 0.001, ms: 5 }
        decisions.push(d)
        o.onDecision?.(q.id, d)
        onDecision?.(call, ++n)
      }
      return { queryId: q.id, should: q.should, decisions }
    })
  }
  return { measure, calls }
}

async function setup(
  plan: Strategy[],
  o: { queries?: TriggerQuery[]; markdown?: string; onCall?: (n: number, signal: AbortSignal) => void } = {}
) {
  const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-optimise-')))
  stores.push(store)
  const operations = new Operations({ store })
  const skills = createSkillService({ store })
  const skill = testSkill({
    id: 'sk1',
    frontMatter: { name: 'landing-pages', description: LANDING_DESCRIPTION },
    ...(o.markdown ? { markdown: o.markdown } : {})
  })
  await skills.saveVersion(skill, 'first')
  await store.triggers.putQueries(skill.id, o.queries ?? LANDING_QUERIES, true)
  const proposer = scriptedProposer(plan, o.onCall)
  const events: Optimisation[] = []
  const ctx = {
    store,
    emit: (name: string, payload: { optimisation?: Optimisation }) => {
      if (name === 'triggersProgress' && payload.optimisation) events.push(payload.optimisation)
    },
    operations,
    driver: { name: 'claude-code', presetAvailability: async () => ({ available: true }), refusal: () => 'not here' },
    backend: {} as never,
    skills,
    env: {},
    configDir: '',
    apiAccess: async () => {
      throw new Error('no API key in tests')
    },
    port: proposer.port,
    log: silentLog()
  } as unknown as TriggersContext
  const settled = async (id: string) => {
    await operations.whenSettled('triggers', skill.id)
    return (await store.triggers.get(skill.id))!.optimisations[id]
  }
  return { store, ctx, skills, skill, proposer, events, operations, settled }
}

const prompts = (ids: string[]) => ids.map((id) => LANDING_QUERIES.find((q) => q.id === id)!.prompt)

describe('the optimiser', () => {
  it('raises held-out recall without more false triggers, and picks by the held-out split, not the training winner', async () => {
    const s = await setup(['generalise', 'overfit'])
    const { measure, calls } = ruleMeasure()
    const started = await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id, repeats: 3 }, measure)
    expect(started.state).toBe('running')
    expect(started.train).toEqual(['s1', 's2', 's3', 's4', 's8', 's9', 'n1', 'n3', 'n4', 'n6'])
    expect(started.test).toEqual(['s5', 's6', 's7', 's10', 'n2', 'n5'])
    const o = await s.settled(started.id)
    expect(o.state).toBe('done')
    // round 2 fitted the training split perfectly: the loop stopped there, 3 of the 6 rounds
    expect(o.done.map((r) => r.round)).toEqual([0, 1, 2])
    expect(perfect(o.done[2].train)).toBe(true)
    expect(s.proposer.requests).toHaveLength(2)
    // each round's scores are the rule's hand counts, on both splits
    for (const r of o.done) {
      const hand = (ids: string[]) =>
        scoresOf(
          ids.map((id) => {
            const q = LANDING_QUERIES.find((x) => x.id === id)!
            return {
              should: q.should,
              decisions: [{ kind: loads(r.description, q.prompt) ? 'loaded' : 'answer', turns: 1, tokens: 0, usd: 0, ms: 0 }]
            }
          })
        )
      expect(r.train).toEqual(hand(o.train))
      expect(r.test).toEqual(hand(o.test))
    }
    const [own, general, overfit] = o.done
    expect(general.test.recall!).toBeGreaterThan(own.test.recall!)
    expect(general.test.falseLoaded).toBeLessThanOrEqual(own.test.falseLoaded)
    // the overfitted round wins on training and loses on the held-out split; the held-out split decides
    expect(scoreOf(overfit.train)).toBeGreaterThan(scoreOf(general.train))
    expect(scoreOf(overfit.test)).toBeLessThan(scoreOf(general.test))
    expect(o.best).toBe(1)
    expect(o.bestWhy).toMatch(
      /Round 1 did best on the held-out queries: held-out recall 4\/4, false triggers 0\/2, against the version's own 1\/4 and 0\/2/
    )
    // one measure call a round over all 16 queries, the SKILL.md carrying the description under test
    expect(calls.map((c) => c.queries.length)).toEqual([16, 16, 16])
    expect(calls.map((c) => c.description)).toEqual(o.done.map((r) => r.description))
    for (const c of calls) expect(c.skillMd).toContain(`description: ${JSON.stringify(c.description)}\n`)
    // cost: every decision (16 x 3 x $0.001 a round) and every proposal ($0.01)
    expect(o.usd).toBeCloseTo(3 * 48 * 0.001 + 2 * 0.01, 6)
    expect(o.done.reduce((n, r) => n + r.usd, 0)).toBeCloseTo(o.usd, 6)
    // a progress event after each round, the last one the final state
    expect(s.events.filter((e) => e.state === 'running').map((e) => e.done.length)).toEqual(expect.arrayContaining([1, 2, 3]))
    expect(s.events[s.events.length - 1]).toMatchObject({ state: 'done', best: 1 })
  })

  it('never shows the model a held-out prompt, nor a held-out score', async () => {
    const s = await setup(['generalise', 'overfit'])
    const started = await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, ruleMeasure().measure)
    const o = await s.settled(started.id)
    const sent = JSON.stringify(s.proposer.requests)
    for (const p of prompts(o.test)) expect(sent).not.toContain(p)
    // what it is shown: the training failures, the descriptions tried with their training scores
    expect(sent).toContain(prompts(['s1'])[0])
    expect(sent).toContain(prompts(['n1'])[0])
    expect(sent).toContain('recall 0/6')
    expect(sent).not.toMatch(/recall \d+\/4/)
    expect(sent).toContain('landing-pages')
  })

  it('asks again once with the problem said, then fails the round with a clear message', async () => {
    const once = await setup(['bad', 'generalise', 'overfit'])
    const a = await once.settled((await startOptimisation(once.ctx, { capUsd: 1000, skillId: once.skill.id }, ruleMeasure().measure)).id)
    expect(a.state).toBe('done')
    expect(once.proposer.requests[1].instructions).toMatch(/rejected: the description has angle brackets/)
    expect(a.done[1].description).not.toMatch(/[<>]/)

    const twice = await setup(['bad'])
    const b = await twice.settled((await startOptimisation(twice.ctx, { capUsd: 1000, skillId: twice.skill.id }, ruleMeasure().measure)).id)
    expect(b.state).toBe('failed')
    expect(b.error).toMatch(
      /^Round 1 failed: The model's answer for a new description was rejected twice \(the description has angle brackets/
    )
    expect(b.done.map((r) => r.round)).toEqual([0])
    expect(b.best).toBe(0)
    expect(b.bestWhy).toMatch(/No description was proposed/)
    expect(b.usd).toBeCloseTo(48 * 0.001 + 2 * 0.01, 6)

    // a description already tried is refused too
    const again = await setup(['same'])
    const c = await again.settled((await startOptimisation(again.ctx, { capUsd: 1000, skillId: again.skill.id }, ruleMeasure().measure)).id)
    expect(c.error).toMatch(/round 0's description again/)
  })

  it("says so when no proposal beats the version's own description, and saving the pick then refuses", async () => {
    const s = await setup(['unrelated'])
    const o = await s.settled((await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id, rounds: 1 }, ruleMeasure().measure)).id)
    expect(o.done.map((r) => r.round)).toEqual([0, 1])
    expect(o.best).toBe(0)
    expect(o.bestWhy).toBe(
      "None of the 1 proposed description beat the version's own on the held-out queries (held-out recall 1/4, false triggers 0/2)."
    )
    await expect(saveOptimised(s.ctx, { optimisationId: o.id })).rejects.toThrow(
      /nothing better to save \(name a round to save it anyway\)/
    )
    await expect(saveOptimised(s.ctx, { optimisationId: o.id, round: 0 as never })).rejects.toThrow(/Round 0 is the version's own/)
    const view = await saveOptimised(s.ctx, { optimisationId: o.id, round: 1 })
    expect(view.skill.frontMatter.description).toBe('Skill for: spreadsheets, invoices, ledgers')
  })

  it('fails with the reason when every query run failed, proposing nothing', async () => {
    const s = await setup(['generalise'])
    const failing: MeasureDescription = async (o) =>
      o.queries.map((q) => ({
        queryId: q.id,
        should: q.should,
        decisions: [{ kind: 'error' as const, turns: 0, tokens: 0, usd: 0, ms: 1, error: 'claude was not found' }]
      }))
    const o = await s.settled((await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, failing)).id)
    expect(o.state).toBe('failed')
    expect(o.error).toBe('every query run failed: claude was not found')
    expect(o.done).toEqual([])
    expect(s.proposer.requests).toHaveLength(0)
  })

  it('stops on cancel: the signal reaches the model call and the measure', async () => {
    let ops: Operations | undefined
    const cancelAll = () => ops!.running('triggers').forEach((op) => ops!.cancel(op.id))
    const atModel = await setup(['generalise'], { onCall: () => cancelAll() })
    ops = atModel.operations
    const a = await atModel.settled(
      (await startOptimisation(atModel.ctx, { capUsd: 1000, skillId: atModel.skill.id }, ruleMeasure().measure)).id
    )
    expect(a.state).toBe('cancelled')
    expect(a.done.map((r) => r.round)).toEqual([0])
    expect(a.endedAt).toBeDefined()

    const inMeasure = await setup(['generalise', 'overfit'])
    ops = inMeasure.operations
    // cancelled halfway through round 1's measuring
    const rule = ruleMeasure((call, n) => {
      if (call.description !== LANDING_DESCRIPTION && n === 10) cancelAll()
    })
    const b = await inMeasure.settled(
      (await startOptimisation(inMeasure.ctx, { capUsd: 1000, skillId: inMeasure.skill.id }, rule.measure)).id
    )
    expect(b.state).toBe('cancelled')
    expect(rule.calls[1].signal.aborted).toBe(true)
    // the half-measured round is not kept; round 0 is
    expect(b.done.map((r) => r.round)).toEqual([0])
    expect(inMeasure.proposer.requests).toHaveLength(1)
  })

  it('refuses, before anything runs: over the cost cap, a second one of the same skill, a set without two should-trigger queries', async () => {
    const capped = await setup(['generalise'])
    const { measure, calls } = ruleMeasure()
    await expect(startOptimisation(capped.ctx, { skillId: capped.skill.id, capUsd: 1 }, measure)).rejects.toThrow(
      /optimising would cost about \$\d+\.\d\d \(288 decisions: 16 queries x 3 repeats x 6 rounds at most\), over the cap of \$1\.00/
    )
    expect(calls).toHaveLength(0)
    expect((await capped.store.triggers.get(capped.skill.id))!.optimisations).toEqual({})

    // no model for the proposer (no API key): said before round 0 spends anything
    const nokey = await setup(['generalise'])
    delete (nokey.ctx as { port?: unknown }).port
    const rule = ruleMeasure()
    await expect(startOptimisation(nokey.ctx, { capUsd: 1000, skillId: nokey.skill.id }, rule.measure)).rejects.toThrow(
      /no API key in tests/
    )
    expect(rule.calls).toHaveLength(0)

    const s = await setup(['generalise', 'overfit'])
    const first = await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, ruleMeasure().measure)
    await expect(startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, ruleMeasure().measure)).rejects.toThrow(
      /already being measured or optimised/
    )
    await s.settled(first.id)

    const few = await setup(['generalise'], { queries: LANDING_QUERIES.filter((q) => !q.should || q.id === 's1') })
    await expect(startOptimisation(few.ctx, { capUsd: 1000, skillId: few.skill.id }, ruleMeasure().measure)).rejects.toThrow(
      /at least 2 should-trigger queries .* the set has 1/
    )
  })
})

describe('saving the pick', () => {
  it('saves the pick as a new version with that description, and records it', async () => {
    const s = await setup(['generalise', 'overfit'])
    const o = await s.settled((await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, ruleMeasure().measure)).id)
    const view = await saveOptimised(s.ctx, { optimisationId: o.id })
    expect(view.skill.frontMatter.description).toBe(o.done[1].description)
    expect(view.skillMd).toContain(`description: ${JSON.stringify(o.done[1].description)}`)
    expect(view.versions.map((v) => [v.number, v.label])).toEqual([
      [1, 'first'],
      [2, 'description from optimisation round 1']
    ])
    expect((await s.store.triggers.get(s.skill.id))!.optimisations[o.id].savedVersionId).toBe(view.versions[1].id)
    // the rest of the skill as it was
    expect(view.skill.rules).toEqual(s.skill.rules)

    // another round on request; refusals say why
    const other = await saveOptimised(s.ctx, { optimisationId: o.id, round: 2 })
    expect(other.versions.at(-1)?.label).toBe('description from optimisation round 2')
    await expect(saveOptimised(s.ctx, { optimisationId: o.id, round: 4 })).rejects.toThrow(
      /Round 4 did not finish: choose one of rounds 1, 2/
    )
    await expect(saveOptimised(s.ctx, { optimisationId: 'nope' })).rejects.toThrow(/no such optimisation/)
  })

  it("changes the description in the person's own SKILL.md too", async () => {
    const md = `---\nname: landing-pages\ndescription: >\n  Build landing pages\n  that work.\nlicense: MIT\n---\n\n# My landing pages\n\nKeep it short.\n`
    const s = await setup(['generalise', 'overfit'], { markdown: md })
    const o = await s.settled((await startOptimisation(s.ctx, { capUsd: 1000, skillId: s.skill.id }, ruleMeasure().measure)).id)
    const view = await saveOptimised(s.ctx, { optimisationId: o.id })
    const want = o.done[1].description
    expect(view.skillMd).toBe(
      `---\nname: landing-pages\ndescription: ${JSON.stringify(want)}\nlicense: MIT\n---\n\n# My landing pages\n\nKeep it short.\n`
    )
  })
})
