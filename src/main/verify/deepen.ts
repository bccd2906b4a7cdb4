/**
 * The next version from a verification: its graded runs (both arms) analysed in deepen mode, the
 * current skill the starting point, and what the verification showed of its rules (the pairs where
 * each was followed and the skill fixed or broke the run) given to the merge, which demotes a rule
 * that hurt more than it helped (src/main/skills/rules/tiers.ts). Not while it is graded blind.
 * Electron-free.
 */
import type { Analysis } from '../../shared/analysis'
import { fail } from '../../shared/contract'
import { verificationOutcomes } from '../../shared/rule-outcomes'
import { change, twoArmsOnly, verificationOf, type VerifyContext } from './context'
import { fullViewOf, notBlind } from './view'

export interface DeepenOptions {
  via?: 'api' | 'claude-cli'
  model?: string
  mergeModel?: string
  claudePath?: string
}

export async function deepenFromVerification(
  ctx: Pick<VerifyContext, 'store' | 'emit' | 'blind' | 'startAnalysis' | 'operations' | 'facts' | 'log'>,
  id: string,
  opts: DeepenOptions = {}
): Promise<Analysis> {
  const v = await verificationOf(ctx, id)
  if (v.kind === 'confirm')
    throw fail(
      'a confirmation is not deepened from: remove its harmful rules in the composer, or analyse its batch as any other',
      'invalid'
    )
  twoArmsOnly(v, 'the next version is made')
  if (!v.batchId) throw fail('this verification has no runs yet', 'invalid')
  notBlind(ctx, v, 'the next version is made from its runs')
  // the explained fixed and broken pairs: which rules their with-skill runs followed
  const report = (await fullViewOf(ctx, v)).report
  const rules = report ? verificationOutcomes(v.explanations, report.comparison) : []
  const a = await ctx.startAnalysis({
    batchId: v.batchId,
    deepenSkillId: v.skillId,
    ...opts,
    ...(rules.length ? { outcomes: { version: v.version.number, rules } } : {})
  })
  await change(ctx, id, (x) => void (x.deepenAnalysisId = a.id))
  return a
}
