/**
 * "Make candidates": a verification of kind 'candidates' over existing versions of one skill, or over
 * N versions built first from a graded batch (the analysis service's `buildCandidates`, an injected
 * dependency: while it builds, the verification is in its 'building' phase with progress, and a cancel
 * reaches the build). Then, as any verification: fresh variations written (unless given), one blind
 * batch with a run per candidate and one with no skill per variation and repeat, interleaved. Refused
 * before anything is written over the cost cap, with a flagged text not confirmed, or a preset that
 * cannot work here. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail } from '../../shared/contract'
import { flaggedRefusal } from '../../shared/rule-flags'
import type { Verification, VerificationView, VerifySettings } from '../../shared/verify'
import { errorFields } from '../log/log'
import { planBuild, planExisting, refuseOverCap, type BuildOptions, type CandidatesInput, type CandidatesOptions } from './candidates-plan'
import { change, now, save, verificationOf, type VerifyContext } from './context'
import { generateThenRun } from './start'
import { viewOf } from './view'

async function presetRefusal(ctx: VerifyContext, settings: Verification['settings']) {
  const { driver } = ctx.runner
  const can = await (ctx.presetCheck ?? ((x) => driver.presetAvailability(x, ctx.env)))(settings.permission)
  if (!can.available) throw fail(driver.refusal(settings.permission, can), 'preset-unavailable')
}

/** What a verification of these candidates is, planned (./candidates-plan.ts), as it is saved. */
async function planned(ctx: VerifyContext, input: CandidatesOptions & { skillId: string; versionIds: string[] }) {
  const p = await planExisting(ctx, input)
  if (p.flagged.length && !input.acceptFlagged) throw fail(flaggedRefusal(p.flagged, 'confirm to install them in the runs'), 'flagged')
  return p
}

/** The fields of a verification that its candidates' plan sets. */
function fill(v: Verification, p: Awaited<ReturnType<typeof planExisting>>, generationModel?: string): void {
  const { plan } = p
  v.skillId = plan.skill.id
  v.skillName = p.candidates[0].name
  v.version = { id: p.candidates[0].id, number: p.candidates[0].number }
  v.candidates = p.candidates
  v.source = plan.source
  v.heldOut = plan.heldOut
  v.learnedFrom = plan.batches
  if (plan.task) v.taskId = plan.task.id
  v.repeats = plan.repeats
  v.settings = plan.settings
  if (generationModel) v.generationModel = generationModel
  v.variations = plan.variations
}

const blank = (o: CandidatesOptions, over: Partial<Verification>): Verification => ({
  id: randomUUID(),
  kind: 'candidates',
  candidates: [],
  skillId: '',
  skillName: '',
  // (the first candidate's, once there are candidates)
  version: { id: '', number: 1 },
  against: null,
  source: o.variations?.source ?? 'fresh',
  heldOut: true,
  learnedFrom: [],
  repeats: o.repeats ?? 2,
  settings: {} as Verification['settings'],
  variations: [],
  arms: {},
  phase: 'generating',
  explanations: {},
  // passed through as given ('person' is the default, so not written)
  ...(o.grade && o.grade !== 'person' ? { grade: o.grade } : {}),
  createdAt: now(),
  updatedAt: now(),
  ...over
})

/** Make candidates: verify existing versions, or build N from a batch first and then verify them. */
export async function makeCandidates(ctx: VerifyContext, input: CandidatesInput): Promise<VerificationView> {
  if (!('versionIds' in input)) return startBuild(ctx, input)
  const p = await planned(ctx, input)
  refuseOverCap(p.estimate)
  await presetRefusal(ctx, p.plan.settings)
  const v = blank(input, {})
  fill(v, p, input.generationModel)
  await save(ctx, v)
  // fresh variations are written first; given ones go straight to the batch (generateThenRun skips the writing)
  generateThenRun(ctx, v.id)
  return viewOf(ctx, await verificationOf(ctx, v.id))
}

async function startBuild(ctx: VerifyContext, input: CandidatesOptions & BuildOptions): Promise<VerificationView> {
  const p = await planBuild(ctx, input)
  refuseOverCap(p.estimate)
  await presetRefusal(ctx, p.settings)
  const v = blank(input, {
    skillId: input.skillId ?? '',
    source: p.source,
    heldOut: p.heldOut,
    learnedFrom: [input.batchId],
    ...(p.task ? { taskId: p.task.id } : {}),
    repeats: p.repeats,
    settings: p.settings,
    ...(input.generationModel ? { generationModel: input.generationModel } : {}),
    variations: p.variations,
    phase: 'building',
    build: {
      batchId: input.batchId,
      n: input.n,
      ...(input.models?.length ? { models: input.models } : {}),
      ...(input.mergeModel ? { mergeModel: input.mergeModel } : {}),
      ...(input.via ? { via: input.via } : {}),
      ...(input.claudePath ? { claudePath: input.claudePath } : {}),
      ...(input.acceptFlagged ? { acceptFlagged: true } : {}),
      capUsd: p.estimate.capUsd,
      state: 'running',
      done: 0,
      total: input.n,
      costUsd: 0,
      analysisIds: []
    }
  })
  await save(ctx, v)
  runBuild(ctx, v.id)
  return viewOf(ctx, await verificationOf(ctx, v.id))
}

/** The settings a verification was given, as options again (a built one is planned over its versions with them). */
const given = (s: Verification['settings']): VerifySettings => ({
  model: s.model,
  permission: s.permission,
  allowedTools: s.allowedTools,
  allowedDomains: s.allowedDomains,
  maxTurns: s.maxTurns,
  maxBudgetUsd: s.maxBudgetUsd,
  concurrency: s.concurrency,
  claudePath: s.claudePath,
  timeoutMs: s.timeoutMs
})

/** Build the candidates (an operation: cancel reaches the build), then plan over them and start their runs. */
function runBuild(ctx: VerifyContext, id: string): void {
  ctx.operations.start({ kind: 'verify', subject: id, params: { step: 'build' } }, async (op) => {
    try {
      const v = await verificationOf(ctx, id)
      const b = v.build!
      // progress is saved in order, each after the one before
      let chain: Promise<unknown> = Promise.resolve()
      const built = await ctx.buildCandidates!(
        {
          batchId: b.batchId,
          n: b.n,
          ...(b.models ? { models: b.models } : {}),
          ...(b.mergeModel ? { mergeModel: b.mergeModel } : {}),
          ...(b.via ? { via: b.via } : {}),
          ...(b.claudePath ? { claudePath: b.claudePath } : {}),
          ...(v.skillId ? { skillId: v.skillId } : {})
        },
        {
          signal: op.signal,
          onProgress: (p) =>
            void (chain = chain.then(() =>
              change(ctx, id, (x) => {
                const ids = x.build!.analysisIds
                x.build = {
                  ...x.build!,
                  done: p.done,
                  total: p.total,
                  costUsd: p.costUsd,
                  analysisIds: p.analysisId && !ids.includes(p.analysisId) ? [...ids, p.analysisId] : ids
                }
              }).catch((e) =>
                ctx.log.warn({ verificationId: id, error: errorFields(e) }, "a candidates build's progress could not be saved")
              )
            ))
        }
      )
      await chain
      // the versions built are kept at once: a resume verifies them instead of building again
      await change(ctx, id, (x) => {
        x.skillId = built.skillId
        x.build = {
          ...x.build!,
          state: 'done',
          done: built.versions.length,
          total: built.versions.length,
          costUsd: built.versions.reduce((s, c) => s + c.costUsd, 0),
          analysisIds: built.versions.map((c) => c.analysisId),
          versionIds: built.versions.map((c) => c.id)
        }
      })
      op.signal.throwIfAborted()
      await verifyBuilt(ctx, id)
    } catch (err) {
      const cancelled = op.signal.aborted
      if (!cancelled) ctx.log.warn({ verificationId: id, error: errorFields(err) }, 'candidates could not be built')
      const error = ((err as Error).message ?? String(err)).split('\n')[0]
      await change(ctx, id, (x) => {
        x.phase = cancelled ? 'cancelled' : 'failed'
        if (!cancelled)
          x.error = x.build?.versionIds?.length
            ? `the candidates were built (versions kept), but could not be verified: ${error}`
            : `the candidates could not be built: ${error}`
        if (x.build?.state === 'running')
          x.build = { ...x.build, state: cancelled ? 'cancelled' : 'failed', ...(cancelled ? {} : { error }) }
      }).catch((e) => ctx.log.error({ verificationId: id, error: errorFields(e) }, 'a stopped candidates build could not be saved'))
      return cancelled ? { state: 'cancelled' } : { state: 'failed', error: (err as Error).message }
    }
  })
}

/** Plan the verification over the versions built (with the options it was made with), then its runs as any verification's. */
async function verifyBuilt(ctx: VerifyContext, id: string): Promise<void> {
  const v = await verificationOf(ctx, id)
  const p = await planned(ctx, {
    skillId: v.skillId,
    versionIds: v.build!.versionIds!,
    variations: v.source === 'pasted' ? { source: 'pasted', items: v.variations } : { source: v.source },
    repeats: v.repeats,
    settings: given(v.settings),
    ...(v.grade ? { grade: v.grade } : {}),
    acceptFlagged: !!v.build!.acceptFlagged
  })
  await change(ctx, id, (x) => {
    fill(x, p, x.generationModel)
    x.phase = 'generating'
    delete x.error
  })
  // fresh variations written, its batch made and started
  generateThenRun(ctx, id)
}

/**
 * A candidates verification stopped before its candidates were verified: the build starts again, or,
 * its versions built already (a failure after), they are verified.
 */
export async function resumeBuild(ctx: VerifyContext, id: string): Promise<void> {
  const v = await verificationOf(ctx, id)
  if (v.build?.versionIds?.length) {
    try {
      return await verifyBuilt(ctx, id)
    } catch (err) {
      await change(ctx, id, (x) => {
        x.phase = 'failed'
        x.error = (err as Error).message
      })
      throw err
    }
  }
  if (ctx.operations.running('verify', id).some((op) => op.params.step === 'build'))
    throw fail('its candidates are being built already', 'busy')
  await change(ctx, id, (x) => {
    x.phase = 'building'
    delete x.error
    x.build = { ...x.build!, state: 'running', done: 0, costUsd: 0, analysisIds: [] }
    delete x.build.error
  })
  runBuild(ctx, id)
}

/** Whether a verification is one whose candidates are still to be built. */
export const toBuild = (v: Verification) => v.kind === 'candidates' && !v.candidates?.length && !!v.build
