/**
 * An analysis's analysts as the screens see them: each analyst's state over every group's fleet (or
 * as kept from before a restart), published while they run (to the screens at most every 100 ms, to
 * the analysis's file within a second). Electron-free.
 */
import type { Analysis, AnalystStatusInfo } from '../../shared/analysis'
import { ANALYSTS, type AnalystKind } from '../../shared/skills'
import type { LiveOperation } from '../operations/registry'
import { analysisOf, type AnalysisContext, type Fleets } from './context'
import type { AnalystFleet, AnalystStatus } from './pipeline'

/** One analyst's state over every group's fleet (or as kept from before a restart). */
export function aggregateAnalyst(kind: AnalystKind, fleets: AnalystFleet[], kept: AnalystStatusInfo[] = []): AnalystStatusInfo {
  const all = fleets.map((f) => f.status.get(kind)!).filter(Boolean)
  const stored = kept.find((k) => k.kind === kind)
  if (!all.length && stored) return stored
  const order: AnalystStatus['state'][] = ['streaming', 'waiting', 'queued', 'failed', 'cancelled', 'done']
  const state = order.find((s) => all.some((a) => a.state === s)) ?? 'queued'
  const sum = (f: (a: AnalystStatus) => number) => all.reduce((n, a) => n + f(a), 0)
  return {
    kind,
    state: all.length && all.every((a) => a.state === 'done') ? 'done' : state === 'done' ? 'failed' : state,
    attempt: Math.max(0, ...all.map((a) => a.attempt)),
    usage: {
      input: sum((a) => a.usage.input),
      output: sum((a) => a.usage.output),
      cacheRead: sum((a) => a.usage.cacheRead),
      cacheCreation: sum((a) => a.usage.cacheCreation)
    },
    costUsd: sum((a) => a.costUsd),
    rules: all.flatMap((a) => a.rules),
    setAside: all.flatMap((a) => a.setAside),
    drafts: all.flatMap((a) => a.drafts ?? []),
    // looking closer: the rounds of every group, what each looks at now, and all it looked at
    ...(all.some((a) => a.maxRounds !== undefined)
      ? {
          rounds: sum((a) => a.rounds ?? 0),
          maxRounds: sum((a) => a.maxRounds ?? 0),
          looking: all.find((a) => a.state === 'streaming' && a.looking)?.looking,
          looks: all.flatMap((a) => a.looks ?? []).slice(-100)
        }
      : {}),
    error: all.find((a) => a.error)?.error,
    startedAt: all
      .map((a) => a.startedAt)
      .filter(Boolean)
      .sort()[0],
    endedAt: all.every((a) => a.endedAt)
      ? all
          .map((a) => a.endedAt!)
          .sort()
          .pop()
      : undefined,
    ...(fleets.length > 1 ? { chunks: fleets.length, chunksDone: all.filter((a) => a.state === 'done').length } : {})
  }
}

/** Live progress of the fleets: to the screens at most every 100 ms, to the analysis's file within a second. */
export function publisher(ctx: AnalysisContext, op: LiveOperation, analysisId: string, entry: Fleets) {
  let pending: Promise<void> = Promise.resolve()
  let scheduled = false
  const events = op.events<Analysis>((analysis) => ctx.emit('analysisProgress', { analysis }))
  const publish = () => {
    // Status changes come fast while streaming: one write at a time, and changes that arrive
    // meanwhile are folded into the next one (it reads the fleets' state when it runs).
    if (scheduled) return
    scheduled = true
    pending = pending
      .then(async () => {
        scheduled = false
        const a = await analysisOf(ctx, analysisId)
        if (a.state !== 'analysing') return
        const next = { ...a, analysts: ANALYSTS.map((k) => aggregateAnalyst(k, entry.fleets, entry.kept)) }
        ctx.store.analyses.progress(next)
        events.push(next)
      })
      .catch(() => {
        /* a failed progress write is retried by the next change, and the final state is written anyway */
      })
  }
  return { publish, settled: () => pending, stop: () => events.cancel() }
}
