/**
 * A candidates verification's table as it is read: each finished run's use of its candidate's skill
 * (cached by its session file, as the report's), then ./candidates-stats.ts. Electron-free.
 */
import { realpath } from 'node:fs/promises'
import type { CandidatesTable } from '../../shared/candidates'
import { isFinished, type Run } from '../../shared/runs'
import type { SkillUse, Verification } from '../../shared/verify'
import { traceMetrics } from '../analysts/signals'
import { errorFields } from '../log/log'
import { buildCandidatesTable } from './candidates-stats'
import type { VerifyContext } from './context'
import { skillUse } from './usage'

export async function candidatesTableOf(ctx: Pick<VerifyContext, 'facts' | 'log'>, v: Verification, runs: Run[]): Promise<CandidatesTable> {
  const uses = new Map<string, SkillUse | null>()
  await Promise.all(
    runs.map(async (run) => {
      const slot = v.arms[run.id]
      const name = slot?.arm === 'with' && slot.candidate !== undefined ? v.candidates?.[slot.candidate]?.name : undefined
      if (!name || !isFinished(run.state)) return
      const roots = run.workspace ? [run.workspace, await realpath(run.workspace).catch(() => run.workspace!)] : []
      const f = await ctx
        .facts(run, name, (trace) => ({ metrics: traceMetrics(trace), use: skillUse(trace, name, roots) }))
        .catch((e) => {
          ctx.log.warn(
            { verificationId: v.id, runId: run.id, error: errorFields(e) },
            "a run's trace could not be read for the candidates table"
          )
          return { metrics: null, use: null }
        })
      uses.set(run.id, f.use)
    })
  )
  return buildCandidatesTable(v, runs, uses)
}
