/**
 * Measuring a description: each query x repeats run through the agent (./query-run.ts), stopped at
 * its decision, a few at once (the settings' concurrency), every run ended at once by the signal. A
 * measurement of a skill's version is an operation (kind 'triggers', on the skill): its record saved
 * and sent to the screens as decisions arrive (coalesced), its state at the end. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import PQueue from 'p-queue'
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { Decision, QueryResult, TriggerMeasure } from '../../shared/triggers'
import { errorFields } from '../log/log'
import { checkName } from '../skills/export'
import type { MeasureDescription, TriggersContext } from './context'
import { prepareWork, refuseUnaffordable } from './prepare'
import { decideOnce } from './query-run'
import { findRivals } from './rivals'
import { refuseBusy } from './running'

/** How often a running measurement's record is written to the store (its events go out more often). */
const SAVE_EVERY_MS = 1000

export function measureDescription(ctx: TriggersContext): MeasureDescription {
  return async ({ skill, queries, repeats, settings, signal, onDecision }) => {
    checkName(skill.name, 'skill name')
    if (!ctx.driver.decision) throw fail(`${ctx.driver.name} cannot tell whether it loads a skill: triggers cannot be measured`, 'invalid')
    const results: QueryResult[] = queries.map((q) => ({ queryId: q.id, should: q.should, decisions: [] }))
    const queue = new PQueue({ concurrency: Math.max(1, settings.concurrency) })
    // repeat by repeat: every query has a decision early, should it be cancelled half-way
    const jobs: Promise<void>[] = []
    for (let r = 0; r < repeats; r++)
      queries.forEach((q, i) =>
        jobs.push(
          queue.add(async () => {
            // not started before the cancel: no decision, nothing spent
            if (signal.aborted) return
            const d = await decideOnce(ctx, { skill, prompt: q.prompt, settings, signal })
            results[i].decisions.push(d)
            try {
              onDecision?.(q.id, d)
            } catch (e) {
              ctx.log.warn({ error: errorFields(e) }, 'a decision could not be passed on')
            }
          })
        )
      )
    await Promise.all(jobs)
    return results
  }
}

const now = () => new Date().toISOString()

/** The state a measurement ended in: cancelled, failed (every decision an error: the first one says why), else done. */
function ending(m: TriggerMeasure, aborted: boolean): Pick<TriggerMeasure, 'state' | 'error'> {
  if (aborted) return { state: 'cancelled' }
  const all = m.results.flatMap((r) => r.decisions)
  const errors = all.filter((d) => d.kind === 'error')
  if (all.length && errors.length === all.length) return { state: 'failed', error: errors[0].error ?? 'every run failed' }
  return { state: 'done' }
}

/**
 * Measure the chosen version's description over the skill's query set, as an operation; returns the
 * measurement at once (running). Refused, before anything runs: a second measurement or optimisation
 * of the skill, an empty set, a version with no name, a preset that cannot work here, an estimate over the cap.
 */
export async function startMeasure(
  ctx: TriggersContext,
  input: RequestInput<'measureTriggers'>,
  measure: MeasureDescription
): Promise<TriggerMeasure> {
  const work = await prepareWork(ctx, input)
  const { skill, version, own: sut, queries, repeats, settings } = work
  if (!queries.length)
    throw fail('the query set is empty: add prompts that should load the skill, and near misses that should not', 'invalid')
  await refuseUnaffordable(ctx, work, { capUsd: input.capUsd })
  const rivals = await findRivals(ctx, { skillId: skill.id, name: sut.name, description: sut.description, queries })
  const m: TriggerMeasure = {
    id: randomUUID(),
    skillId: skill.id,
    versionId: version.id,
    version: version.number,
    name: sut.name,
    description: sut.description,
    repeats,
    state: 'running',
    startedAt: now(),
    results: queries.map((q) => ({ queryId: q.id, should: q.should, decisions: [] })),
    done: 0,
    total: queries.length * repeats,
    usd: 0,
    rivals
  }
  // checked again after the awaits above, and the operation started with none in between: one at a time
  refuseBusy(ctx, skill.id)
  let saved: Promise<void> = Promise.resolve()
  ctx.operations.start({ kind: 'triggers', subject: skill.id, params: { measureId: m.id, step: 'measure' } }, async (op) => {
    const snapshot = () => structuredClone(m)
    const save = async (x: TriggerMeasure) => {
      await ctx.store.triggers.putMeasure(x)
      ctx.emit('triggersProgress', { skillId: x.skillId, measure: x })
    }
    saved = save(snapshot())
    await saved
    const toStore = op.events<TriggerMeasure>(
      (x) => void save(x).catch((e) => ctx.log.warn({ measureId: x.id, error: errorFields(e) }, 'progress could not be saved')),
      SAVE_EVERY_MS
    )
    const toScreen = op.events<TriggerMeasure>((x) => ctx.emit('triggersProgress', { skillId: x.skillId, measure: x }))
    const onDecision = (queryId: string, d: Decision) => {
      const r = m.results.find((x) => x.queryId === queryId)
      if (r) r.decisions.push(d)
      m.done++
      m.usd += d.usd
      const x = snapshot()
      toScreen.push(x)
      toStore.push(x)
    }
    let error: string | undefined
    try {
      await measure({ skill: sut, queries, repeats, settings, signal: op.signal, onDecision })
    } catch (e) {
      error = (e as Error).message
    }
    toStore.cancel()
    toScreen.cancel()
    Object.assign(m, error && !op.signal.aborted ? { state: 'failed', error } : ending(m, op.signal.aborted), { endedAt: now() })
    m.usd = Math.round(m.usd * 1e6) / 1e6
    await save(snapshot())
    return m.state === 'failed' ? { state: 'failed', error: m.error } : m.state === 'cancelled' ? { state: 'cancelled' } : undefined
  })
  await saved
  return structuredClone(m)
}
