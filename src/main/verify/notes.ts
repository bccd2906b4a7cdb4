/**
 * What the analysts of a verification's batch are told (deepen from a verification): each run's arm and
 * its pair, the pass rates, and the rules the with-skill trace showed followed where the skill broke a
 * run. Nothing while it is graded blind. Electron-free.
 */
import { armLabel, pairKey } from '../../shared/verify'
import { verificationOf, type VerifyContext } from './context'
import { fullViewOf } from './view'

/** The notes for a verification's batch; undefined for other batches, and while blind. */
export async function notesFor(
  ctx: Pick<VerifyContext, 'store' | 'operations' | 'blind' | 'facts' | 'log'>,
  batchId: string
): Promise<string | undefined> {
  const vid = ctx.store.verifications.ofBatch(batchId)
  // blind: nothing says which run was in which arm (its analyses wait for the last grade)
  if (!vid || ctx.blind.isBlind(batchId)) return undefined
  const view = await fullViewOf(ctx, await verificationOf(ctx, vid))
  const v = view.verification
  const r = view.report
  if (!r) return undefined
  const with_ = armLabel(v, 'with')
  const without = armLabel(v, 'without')
  const lines = [
    `These runs are a verification of the skill being improved (its version ${v.version.number}): each variation ran with ${with_} installed and ${v.against ? `with ${without}` : 'without any skill'}; the person graded them blind.`,
    `Pass rate with ${with_}: ${r.arms.with.passRate.passed} of ${r.arms.with.passRate.n}; ${without}: ${r.arms.without.passRate.passed} of ${r.arms.without.passRate.n} (pairs graded in both arms).`,
    ...r.pairs.map((p) => {
      const state = r.comparison.fixed.includes(p.key)
        ? 'FIXED by the skill'
        : r.comparison.broken.includes(p.key)
          ? 'BROKEN by the skill'
          : 'same grade'
      const side = (x: typeof p.with, label: string) =>
        x
          ? `Run ${x.number} ${label}${x.label ? ` (${x.label})` : ''}${label === with_ && x.use ? (x.use.invoked ? ', skill loaded' : ', skill NOT loaded') : ''}`
          : `${label}: no run`
      return `- ${pairKey(p.variation, p.repeat, v.repeats)}: ${side(p.with, with_)}; ${side(p.without, without)}: ${state}`
    })
  ]
  const broken = Object.entries(v.explanations).filter(([k, e]) => r.comparison.broken.includes(k) && e.state === 'done')
  const followed = broken.flatMap(([, e]) => e.rules.filter((x) => x.verdict === 'followed'))
  if (followed.length)
    lines.push(
      `Rules the with-skill runs followed where the skill broke the run (look at them hard: keep, reword or drop):\n${[...new Set(followed.map((x) => x.text))].map((t) => `- ${t}`).join('\n')}`
    )
  lines.push(
    `Runs the skill fixed or broke are the best evidence for the next version; a rule that broke runs should be changed or dropped, and a rule that was not loaded cannot have helped.`
  )
  return lines.join('\n')
}
