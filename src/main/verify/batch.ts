/**
 * A verification's runs: one batch of its own holding both arms, interleaved and numbered at random,
 * started at once. Every start of a verification's runs (the first, a resume) goes through `startRuns`.
 * Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail } from '../../shared/contract'
import type { Batch } from '../../shared/runs'
import { graderGrades, type Verification } from '../../shared/verify'
import { change, now, save, verificationOf, type VerifyContext } from './context'
import { startAutoGrade } from './auto-grade'
import { installedBy, runOptions } from './install'
import { planConfirmRuns } from './confirm/runs'
import { planVerificationRuns } from './plan'

type RunsCtx = Pick<VerifyContext, 'runner' | 'store' | 'log' | 'emit' | 'operations' | 'apiAccess' | 'env' | 'port'>
type Ctx = RunsCtx & Pick<VerifyContext, 'presetCheck' | 'random'>

/**
 * Queue runs of a verification's batch (all not yet finished, or the given ones). The runner is given,
 * at the start, what installs each arm's skill and names the folders blind (`runOptions`, ./install.ts).
 * A verification the grader grades alone has its grading wait for the runs (./auto-grade.ts).
 */
export async function startRuns(ctx: RunsCtx, batchId: string, runIds?: string[]): Promise<void> {
  await ctx.runner.start(batchId, runIds, runOptions(ctx, batchId))
  const id = ctx.store.verifications.ofBatch(batchId)
  if (id && graderGrades(await verificationOf(ctx, id))) await startAutoGrade(ctx, id, batchId)
}

/** The verification's batch of runs: both arms, interleaved, numbered at random; started at once. */
export async function makeBatch(ctx: Ctx, id: string): Promise<void> {
  const { store } = ctx
  const v = await verificationOf(ctx, id)
  const { driver } = ctx.runner
  const can = await (ctx.presetCheck ?? ((p) => driver.presetAvailability(p, ctx.env)))(v.settings.permission)
  if (!can.available) throw fail(driver.refusal(v.settings.permission, can), 'preset-unavailable')
  const batchId = randomUUID()
  const { runs, arms } =
    v.kind === 'confirm'
      ? planConfirmRuns(batchId, v, ctx.random)
      : planVerificationRuns(batchId, v.variations, v.repeats, ctx.random, v.kind === 'candidates' ? (v.candidates?.length ?? 0) : 0)
  const count = store.verifications.ofSkill(v.skillId).filter((x) => store.verifications.head(x)?.batchId).length
  const batch: Batch = {
    id: batchId,
    ...(v.taskId ? { taskId: v.taskId } : {}),
    name:
      v.kind === 'candidates'
        ? `Candidates ${v.skillName} ${(v.candidates ?? []).map((c) => `v${c.number}`).join(', ')} and no skill #${count + 1}`
        : v.kind === 'confirm'
          ? `Confirm the rules of ${v.skillName} v${v.version.number} #${count + 1}`
          : `Verify ${v.skillName} v${v.version.number} against ${v.against ? `v${v.against.number}` : 'no skill'} #${count + 1}`,
    createdAt: now(),
    settings: v.settings,
    runIds: runs.map((r) => r.id)
  }
  const installed = await installedBy(ctx, v)
  await store.batches.add(batch, runs)
  await change(ctx, id, (x) => {
    x.batchId = batchId
    x.arms = arms
    x.installed = installed
    x.phase = 'created'
    delete x.error
  })
  await startRuns(ctx, batchId)
}

/**
 * A new verification whose variations are known (given, or the batch's): saved, then its batch made and
 * started at once; a batch that cannot be made leaves the verification failed with why (and is thrown).
 */
export async function saveAndMakeBatch(ctx: Ctx, v: Verification): Promise<void> {
  await save(ctx, { ...v, phase: 'generating' })
  try {
    await makeBatch(ctx, v.id)
  } catch (err) {
    await change(ctx, v.id, (x) => {
      x.phase = 'failed'
      x.error = (err as Error).message
    })
    throw err
  }
}
