/**
 * At start-up: runs a stopped app left queued or running are interrupted, with what they left. A run
 * that may still be going is ended by its backend (only if it is still ours); a run that was running
 * keeps the numbers of its partial trace. Only the batches whose heads say a run was in flight are read.
 * Electron-free.
 */
import { progressOf } from '../../shared/runs'
import type { AgentDriver } from '../agents/driver'
import type { RunBackend } from '../backends/backend'
import { RUN_MARKER } from '../base/processes'
import { errorFields, type Log } from '../log/log'
import type { Store } from '../store/store'

export async function recoverRuns(d: { store: Store; driver: AgentDriver; backend: RunBackend; log: Log }): Promise<number> {
  const { batches } = d.store
  let count = 0
  for (const batchId of batches.ids()) {
    if (!batches.head(batchId)?.runs.some((r) => r.state === 'running' || r.state === 'queued')) continue
    const doc = await batches.get(batchId)
    if (!doc) continue
    const stale = batches.runsOf(doc).filter((r) => r.state === 'running' || r.state === 'queued')
    if (!stale.length) continue
    count += stale.length
    const wasRunning = stale.filter((r) => r.state === 'running').map((r) => ({ id: r.id, sessionId: r.sessionId }))
    // A crashed app's runs may still be going: their backend ends them (only if they are still ours).
    for (const r of stale)
      if (r.pid)
        await d.backend
          .recover({ sessionId: r.sessionId, marker: { name: RUN_MARKER, value: r.sessionId }, pid: r.pid, pidStartedAt: r.pidStartedAt })
          .catch((e) => d.log.warn({ runId: r.id, error: errorFields(e) }, 'a run a stopped app left could not be ended'))
    await batches.update(batchId, (data) => {
      for (const r of stale) {
        const run = data.runs[r.id]
        run.reason =
          run.state === 'running'
            ? run.collecting
              ? "interrupted: the app stopped while this run's outputs were being collected"
              : 'interrupted: the app stopped while this run was in flight'
            : 'interrupted: the app stopped before this run started'
        run.collecting = undefined
        run.state = 'interrupted'
        run.pid = undefined
        run.endedAt = run.endedAt ?? new Date().toISOString()
      }
    })
    // what they left: the numbers of their partial traces, as every other screen shows them
    for (const r of wasRunning) {
      const session = await d.driver.session(r.sessionId).catch((e) => {
        d.log.warn({ runId: r.id, error: errorFields(e) }, "an interrupted run's session could not be read")
        return null
      })
      if (session?.totals) {
        const totals = session.totals
        await batches
          .update(batchId, (data) => void (data.runs[r.id].progress = progressOf(totals, data.runs[r.id].progress.elapsedMs)))
          .catch((e) => d.log.warn({ runId: r.id, error: errorFields(e) }, "an interrupted run's numbers could not be saved"))
      }
    }
  }
  return count
}
