/**
 * The description optimiser (issue 23), as skill-creator's run_loop does it, done with real runs: the
 * query set split 60/40 (stratified, fixed seed); round 0 measures the version's own description on both
 * splits; each later round a model proposes one description from the training split's failures only
 * and it is measured on both splits; the loop stops early once the training split is perfect; the pick
 * is by the held-out split only. Saving the pick makes a new version of the skill with that description.
 * One operation (kind 'triggers', subject the skill): cancel reaches every model call and claude run.
 * Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail, type RequestInput, type SkillView } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { skillBody } from '../../shared/skill-md'
import type { SkillVersion } from '../../shared/skills'
import type { Optimisation, Round, TriggerQuery } from '../../shared/triggers'
import { apiModel, type ModelPort } from '../analysts/model'
import { appSecretsOf } from '../analysts/redaction'
import type { MeasureDescription, SkillUnderTest, TriggersContext } from './context'
import { DEFAULT_ROUNDS } from './estimate'
import { prepareWork, refuseUnaffordable } from './prepare'
import { proposeDescription, type Tried } from './propose'
import { failuresOf, perfect, pickBest, resultsUsd, splitResults } from './rounds'
import { refuseBusy } from './running'
import { settingsOf, skillUnderTest, withDescription } from './skill'
import { splitQueries, SPLIT_SEED } from './split'

const now = () => new Date().toISOString()
const copy = (o: Optimisation): Optimisation => structuredClone(o)

/** Start optimising a version's description; answers at once with the optimisation (running). */
export async function startOptimisation(
  ctx: TriggersContext,
  input: RequestInput<'optimizeDescription'>,
  measure: MeasureDescription
): Promise<Optimisation> {
  const work = await prepareWork(ctx, input)
  const { skill, version, own, queries, repeats, settings } = work
  const skillId = skill.id
  const should = queries.filter((q) => q.should).length
  if (should < 2)
    throw fail(
      `Optimising needs at least 2 should-trigger queries (one to learn from, one held out); the set has ${should}. Add some on the Triggers page.`,
      'invalid'
    )
  const split = splitQueries(queries, SPLIT_SEED)
  const rounds = input.rounds ?? DEFAULT_ROUNDS
  const model = input.model ?? DEFAULT_ANALYST_MODEL
  // every round measured in full (an early stop costs less)
  await refuseUnaffordable(ctx, work, { capUsd: input.capUsd, rounds })
  // the proposer's model: no API key is said now, before round 0 spends anything
  const port: ModelPort = ctx.port ?? apiModel(await ctx.apiAccess())
  const subject = { own, version, body: skillBody(version.skillMd) }
  const o: Optimisation = {
    id: randomUUID(),
    skillId,
    versionId: version.id,
    version: version.number,
    seed: SPLIT_SEED,
    rounds,
    repeats,
    train: split.train.map((q) => q.id),
    test: split.test.map((q) => q.id),
    state: 'running',
    startedAt: now(),
    done: [],
    usd: 0
  }
  // checked again after the awaits above, and the operation started with none in between: one at a time
  refuseBusy(ctx, skillId)
  let first: Promise<void> = Promise.resolve()
  ctx.operations.start(
    { kind: 'triggers', subject: skillId, params: { step: 'optimise', optimisationId: o.id, rounds, repeats, model } },
    async (op) => {
      const send = op.events<Optimisation>((value) => ctx.emit('triggersProgress', { skillId, optimisation: value }))
      const save = async () => {
        await ctx.store.triggers.putOptimisation(o)
        send.cancel()
        ctx.emit('triggersProgress', { skillId, optimisation: copy(o) })
      }
      first = save()
      try {
        await first
        await loop(ctx, o, {
          subject,
          queries,
          split,
          settings,
          model,
          port,
          measure,
          signal: op.signal,
          save,
          tick: () => send.push(copy(o))
        })
        o.state = 'done'
      } catch (err) {
        o.state = op.signal.aborted ? 'cancelled' : 'failed'
        if (!op.signal.aborted) o.error = ((err as Error)?.message ?? String(err)).split('\n')[0]
        o.usd += (err as { costUsd?: number })?.costUsd ?? 0
      }
      const pick = pickBest(o.done)
      if (pick) Object.assign(o, { best: pick.best, bestWhy: pick.why })
      o.endedAt = now()
      await save()
      return o.state === 'failed' ? { state: 'failed', error: o.error } : o.state === 'cancelled' ? { state: 'cancelled' } : undefined
    }
  )
  await first
  return copy(o)
}

interface LoopDeps {
  subject: { own: SkillUnderTest; version: SkillVersion; body: string }
  queries: TriggerQuery[]
  split: { train: TriggerQuery[]; test: TriggerQuery[] }
  settings: Awaited<ReturnType<typeof settingsOf>>
  model: string
  port: ModelPort
  measure: MeasureDescription
  signal: AbortSignal
  save(): Promise<void>
  /** a decision made: the cost so far changed */
  tick(): void
}

async function loop(ctx: TriggersContext, o: Optimisation, d: LoopDeps): Promise<void> {
  const { subject, signal } = d
  const trainIds = new Set(o.train)
  const testIds = new Set(o.test)
  const promptOf = new Map(d.queries.map((q) => [q.id, q.prompt]))
  /** one measure call over both splits, its results split */
  const measureBoth = async (description: string) => {
    const before = o.usd
    const results = await d.measure({
      skill: skillUnderTest(subject.version, description),
      queries: [...d.split.train, ...d.split.test],
      repeats: o.repeats,
      settings: d.settings,
      signal,
      onDecision: (_q, decision) => {
        o.usd += decision.usd
        d.tick()
      }
    })
    signal.throwIfAborted()
    const all = results.flatMap((r) => r.decisions)
    const errors = all.filter((x) => x.kind === 'error')
    if (all.length && errors.length === all.length) throw new Error(`every query run failed: ${errors[0].error ?? 'no reason given'}`)
    const usd = resultsUsd(results)
    o.usd = before + usd
    return { ...splitResults(results, trainIds, testIds), usd }
  }
  const redact = { literals: await appSecretsOf(ctx).catch(() => []) }

  const own = await measureBoth(subject.own.description)
  let last = own.trainResults
  o.done.push({ round: 0, description: subject.own.description, train: own.train, test: own.test, usd: own.usd })
  await d.save()
  for (let round = 1; round <= o.rounds; round++) {
    if (perfect(o.done[o.done.length - 1].train)) break
    signal.throwIfAborted()
    const failures = failuresOf(last)
    const tried: Tried[] = o.done.map((r) => ({ round: r.round, description: r.description, train: r.train }))
    let proposal
    try {
      proposal = await proposeDescription(
        d.port,
        {
          model: d.model,
          name: subject.own.name,
          body: subject.body,
          tried,
          missed: failures.missed.map((id) => promptOf.get(id) ?? ''),
          falseLoads: failures.falseLoads.map((id) => promptOf.get(id) ?? ''),
          redact
        },
        signal
      )
    } catch (err) {
      if (signal.aborted) throw err
      throw Object.assign(fail(`Round ${round} failed: ${(err as Error).message}`, 'bad-answer'), {
        costUsd: (err as { costUsd?: number }).costUsd
      })
    }
    o.usd += proposal.costUsd
    const m = await measureBoth(proposal.description)
    last = m.trainResults
    const r: Round = {
      round,
      description: proposal.description,
      why: proposal.why.slice(0, 2000),
      train: m.train,
      test: m.test,
      usd: m.usd + proposal.costUsd
    }
    o.done.push(r)
    await d.save()
  }
}

/** Find an optimisation by id among the skills' triggers documents. */
async function optimisationOf(ctx: TriggersContext, id: string): Promise<Optimisation> {
  for (const skillId of ctx.store.triggers.ids()) {
    const o = (await ctx.store.triggers.get(skillId))?.optimisations[id]
    if (o) return o
  }
  throw fail(`no such optimisation: ${id}`, 'not-found')
}

/**
 * Save an optimisation's pick (or the round given) as a new version of the skill: its description in
 * the front matter (and in the person's own SKILL.md, when they wrote one), the rest as the skill now is.
 */
export async function saveOptimised(ctx: TriggersContext, input: RequestInput<'saveOptimisedDescription'>): Promise<SkillView> {
  const o = await optimisationOf(ctx, input.optimisationId)
  const n = input.round ?? o.best
  if (n === undefined)
    throw fail(
      o.state === 'running'
        ? 'The optimisation is still running: wait for its pick, or name a finished round.'
        : 'The optimisation has no pick: no round finished.',
      'invalid'
    )
  if (n === 0)
    throw fail(
      input.round === undefined
        ? "No proposed description beat the version's own on the held-out queries, so there is nothing better to save (name a round to save it anyway)."
        : "Round 0 is the version's own description: there is nothing new to save.",
      'invalid'
    )
  const round = o.done.find((r) => r.round === n)
  if (!round)
    throw fail(
      `Round ${n} did not finish${o.state === 'failed' && o.error ? ` (${o.error})` : ''}: choose one of rounds ${
        o.done
          .map((r) => r.round)
          .filter((x) => x > 0)
          .join(', ') || '(none)'
      }.`,
      'invalid'
    )
  const skill = await ctx.skills.skillOf(o.skillId)
  const description = round.description
  const view: SkillView = await ctx.skills.save(
    o.skillId,
    {
      frontMatter: { ...skill.frontMatter, description },
      ...(skill.markdown !== undefined ? { markdown: withDescription(skill.markdown, skill.frontMatter.name, description) } : {})
    },
    `description from optimisation round ${n}`
  )
  const saved =
    view.unchangedSince !== undefined
      ? view.versions.find((v) => v.number === view.unchangedSince)
      : view.versions[view.versions.length - 1]
  const latest = await optimisationOf(ctx, o.id)
  if (saved) {
    latest.savedVersionId = saved.id
    await ctx.store.triggers.putOptimisation(latest)
    ctx.emit('triggersProgress', { skillId: o.skillId, optimisation: latest })
  }
  return view
}
