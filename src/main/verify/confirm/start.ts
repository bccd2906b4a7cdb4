/**
 * Starting a confirmation: planned first (./plan.ts), refused before anything is written when it
 * cannot run (over the cap, no name, a flagged text not confirmed, a preset that cannot work here);
 * then one blind batch: every rule's runs interleaved in one queue, numbered at random (./runs.ts),
 * graded by the person or the grader as any verification's. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { fail } from '../../../shared/contract'
import { flaggedRefusal } from '../../../shared/rule-flags'
import type { Verification, VerificationView } from '../../../shared/verify'
import { saveAndMakeBatch } from '../batch'
import { shuffledNumbers } from '../plan'
import { now, plural, verificationOf, type VerifyContext } from '../context'
import { viewOf } from '../view'
import { planConfirmation, type ConfirmInput } from './plan'

export async function startConfirmation(ctx: VerifyContext, input: ConfirmInput): Promise<VerificationView> {
  const p = await planConfirmation(ctx, input)
  if (p.left.length)
    throw fail(
      `${plural(p.estimate.wanted, 'run')} would be over the cap of ${p.cap}: raise the cap to ${p.estimate.wanted} (or test fewer variations per rule); left over it: ${p.left.map((r) => `"${r.text}"`).join(', ')}`,
      'invalid'
    )
  if (!p.name) throw fail('the version has no name in its front matter: name the skill in the composer first', 'invalid')
  if (p.flagged.length && !input.acceptFlagged) throw fail(flaggedRefusal(p.flagged, 'confirm to install it in the runs'), 'flagged')
  const { driver } = ctx.runner
  const can = await (ctx.presetCheck ?? ((x) => driver.presetAvailability(x, ctx.env)))(p.settings.permission)
  if (!can.available) throw fail(driver.refusal(p.settings.permission, can), 'preset-unavailable')
  // the variations in a random order: their order says nothing of the rule each is re-run for
  const order = shuffledNumbers(p.picked.variations.length, ctx.random).map((n) => n - 1)
  const at = new Map(order.map((from, to) => [from, to]))
  const variations = order.map((from) => p.picked.variations[from])
  const rules = p.fitted.map((r) => ({ ...r, fix: r.fix.map((i) => at.get(i)!), keep: r.keep.map((i) => at.get(i)!) }))
  const v: Verification = {
    id: randomUUID(),
    kind: 'confirm',
    confirm: { batchId: p.batchId, perRule: p.perRule, goodPerRule: p.goodPerRule, rules },
    skillId: p.skill.id,
    skillName: p.name,
    version: { id: p.version.id, number: p.version.number },
    against: null,
    source: 'batch',
    heldOut: false,
    learnedFrom: p.batches,
    ...(p.taskId ? { taskId: p.taskId } : {}),
    repeats: 1,
    settings: p.settings,
    ...(p.grade === 'auto' || p.grade === 'assist' ? { grade: p.grade } : {}),
    variations,
    arms: {},
    phase: 'generating',
    explanations: {},
    createdAt: now(),
    updatedAt: now()
  }
  await saveAndMakeBatch(ctx, v)
  return viewOf(ctx, await verificationOf(ctx, v.id))
}
