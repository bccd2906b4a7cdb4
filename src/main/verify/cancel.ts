/**
 * Stopping a verification, and waiting for it: its own operations (writing variations, explaining
 * pairs) and its batch's operation (the runs) are what it is doing. Electron-free.
 */
import { verificationOf, type VerifyContext } from './context'

type Ctx = Pick<VerifyContext, 'store' | 'operations' | 'runner'>

/** Stop everything it is doing: writing variations, its runs, explanations. */
export async function cancelVerification(ctx: Ctx, id: string): Promise<{ cancelled: boolean }> {
  const v = await verificationOf(ctx, id)
  let cancelled = false
  for (const op of ctx.operations.running('verify', id)) cancelled = ctx.operations.cancel(op.id) || cancelled
  if (v.batchId) cancelled = (await ctx.runner.cancelBatch(v.batchId)) > 0 || cancelled
  return { cancelled }
}

/**
 * Resolves when nothing of it is running (tests, the CLI): its own operations, then its batch's (the
 * runs; a batch is made and started before the operation writing the variations ends), again while
 * either started more work (an explanation, a resume) in the meantime. No polling: the operations say
 * when they end.
 */
export async function whenVerificationSettled(ctx: Pick<Ctx, 'store' | 'operations'>, id: string): Promise<void> {
  for (;;) {
    await ctx.operations.whenSettled('verify', id)
    const v = await verificationOf(ctx, id)
    if (v.batchId) await ctx.operations.whenSettled('batch', v.batchId)
    if (!ctx.operations.running('verify', id).length) return
  }
}
