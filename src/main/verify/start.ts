/**
 * Starting a verification: planned first (./estimate.ts), refused before anything is written when it
 * cannot run (no name, a flagged text not confirmed, a preset that cannot work here); fresh variations
 * are written by a model as an operation (cancel ends the model call), then its batch is made and
 * started. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail } from '../../shared/contract'
import { flaggedRefusal } from '../../shared/rule-flags'
import type { Verification, VerificationView } from '../../shared/verify'
import { errorFields } from '../log/log'
import type { LiveOperation } from '../operations/registry'
import { generateVariations } from '../runs/variations'
import { makeBatch, saveAndMakeBatch } from './batch'
import { change, nameOf, now, save, verificationOf, type VerifyContext, type VerifyInput } from './context'
import { planVerification } from './estimate'
import { learnedPrompts, mixOf, variationsOfBatch } from './sources'
import { viewOf } from './view'

/** Write fresh variations (as an operation: cancel ends the model call), then make and start the batch. */
export function generateThenRun(ctx: VerifyContext, id: string): LiveOperation {
  const { store } = ctx
  return ctx.operations.start({ kind: 'verify', subject: id, params: { step: 'generate' } }, async (op) => {
    try {
      const v = await verificationOf(ctx, id)
      if (v.phase !== 'created' && !v.variations.length) {
        const task = v.taskId ? store.index.task(v.taskId) : undefined
        if (!task) throw fail('the task these variations come from is gone: paste variations instead', 'invalid')
        const analysed = v.learnedFrom[v.learnedFrom.length - 1]
        const mix = mixOf(analysed ? await variationsOfBatch(ctx, analysed) : [])
        const access = await ctx.apiAccess()
        const fresh = await generateVariations(access, task, mix, {
          model: v.generationModel,
          signal: op.signal,
          avoid: await learnedPrompts(ctx, v.learnedFrom)
        })
        op.signal.throwIfAborted()
        await change(ctx, id, (x) => void (x.variations = fresh))
      }
      op.signal.throwIfAborted()
      await makeBatch(ctx, id)
    } catch (err) {
      const cancelled = op.signal.aborted
      // the verification shows the message; the log keeps the whole error (the outcome below is not thrown, so the registry does not log it)
      if (!cancelled) ctx.log.warn({ verificationId: id, error: errorFields(err) }, 'a verification could not be prepared')
      await change(ctx, id, (x) => {
        x.phase = cancelled ? 'cancelled' : 'failed'
        if (!cancelled) x.error = (err as Error).message
      }).catch((e) => ctx.log.error({ verificationId: id, error: errorFields(e) }, 'a stopped verification could not be saved'))
      return cancelled ? { state: 'cancelled' } : { state: 'failed', error: (err as Error).message }
    }
  })
}

export async function startVerification(ctx: VerifyContext, input: VerifyInput): Promise<VerificationView> {
  const p = await planVerification(ctx, input)
  const v: Verification = {
    id: randomUUID(),
    skillId: p.skill.id,
    skillName: p.name,
    version: { id: p.version.id, number: p.version.number },
    against: p.against ? { id: p.against.id, number: p.against.number } : null,
    ...(p.against && nameOf(p.against) !== p.name ? { againstName: nameOf(p.against) } : {}),
    source: p.source,
    heldOut: p.heldOut,
    learnedFrom: p.batches,
    ...(p.task ? { taskId: p.task.id } : {}),
    repeats: p.repeats,
    settings: p.settings,
    ...(input.generationModel ? { generationModel: input.generationModel } : {}),
    ...(input.grade === 'auto' || input.grade === 'assist' ? { grade: input.grade } : {}),
    variations: p.variations,
    arms: {},
    phase: p.source === 'fresh' ? 'generating' : 'created',
    explanations: {},
    createdAt: now(),
    updatedAt: now()
  }
  if (!p.name) throw fail('the version has no name in its front matter: name the skill in the composer first', 'invalid')
  if (p.flagged.length && !input.acceptFlagged)
    throw fail(flaggedRefusal(p.flagged, 'confirm to install it in the with-skill runs'), 'flagged')
  // a preset that cannot work here is refused before anything is written
  const { driver } = ctx.runner
  const can = await (ctx.presetCheck ?? ((x) => driver.presetAvailability(x, ctx.env)))(p.settings.permission)
  if (!can.available) throw fail(driver.refusal(p.settings.permission, can), 'preset-unavailable')
  if (p.source === 'fresh') {
    await save(ctx, v)
    generateThenRun(ctx, v.id)
  } else await saveAndMakeBatch(ctx, v)
  return viewOf(ctx, await verificationOf(ctx, v.id))
}
