/**
 * The next version from a verification: its graded runs (both arms) analysed in deepen mode, the
 * current skill the starting point. Not while it is graded blind. Electron-free.
 */
import type { Analysis } from '../../shared/analysis'
import { fail } from '../../shared/contract'
import { change, verificationOf, type VerifyContext } from './context'
import { notBlind } from './view'

export interface DeepenOptions {
  via?: 'api' | 'claude-cli'
  model?: string
  mergeModel?: string
  claudePath?: string
}

export async function deepenFromVerification(
  ctx: Pick<VerifyContext, 'store' | 'emit' | 'blind' | 'startAnalysis'>,
  id: string,
  opts: DeepenOptions = {}
): Promise<Analysis> {
  const v = await verificationOf(ctx, id)
  if (!v.batchId) throw fail('this verification has no runs yet', 'invalid')
  notBlind(ctx, v, 'the next version is made from its runs')
  const a = await ctx.startAnalysis({ batchId: v.batchId, deepenSkillId: v.skillId, ...opts })
  await change(ctx, id, (x) => void (x.deepenAnalysisId = a.id))
  return a
}
