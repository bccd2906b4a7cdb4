/**
 * What a run leaves, once its agent has exited: its files (against the template, without what the
 * preparer installed or the agent's settings the runner took out), its answer, and the numbers of its
 * session's trace (every other screen shows these), its session archived. Even a failed or cancelled
 * run keeps what it made. Electron-free.
 */
import type { Run } from '../../shared/runs'
import { progressOf } from '../../shared/runs'
import type { AgentDriver, AgentMonitor } from '../agents/driver'
import type { RunBackend } from '../backends/backend'
import { errorFields, type Log } from '../log/log'
import { archiveSession } from '../store/archive'
import type { Store } from '../store/store'

const under = (path: string, folder: string) => path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`)

export async function collectRun(
  d: { store: Store; driver: AgentDriver; backend: RunBackend; log: Log },
  o: {
    run: Run
    workspace: string
    templateDir?: string
    /** folders that are not the run's output (an installed skill) */
    hide: string[]
    /** the agent's settings files the runner took out of the workspace (their absence is no deletion) */
    notLoaded: string[]
    monitor: AgentMonitor
    started: number
  }
): Promise<Partial<Run>> {
  const elapsedMs = Date.now() - o.started
  const patch: Partial<Run> = {
    result: o.monitor.answer,
    progress: { ...o.monitor.progress, elapsedMs },
    endedAt: new Date().toISOString()
  }
  const files = await d.backend.collect({ workspace: o.workspace, templateDir: o.templateDir }).catch((e) => {
    d.log.warn({ runId: o.run.id, error: errorFields(e) }, "a run's files could not be listed")
    return []
  })
  patch.files = files.filter(
    (f) => !o.hide.some((h) => under(f.path, h)) && !(f.status === 'deleted' && o.notLoaded.some((h) => under(f.path, h)))
  )
  const session = await d.driver.session(o.run.sessionId)
  if (session) {
    if (session.totals) patch.progress = progressOf(session.totals, elapsedMs)
    patch.projectId = session.projectId
    await archiveSession(d.store, { sessionId: o.run.sessionId, projectId: session.projectId, file: session.file, cwd: o.workspace }).catch(
      (e) => d.log.warn({ runId: o.run.id, error: errorFields(e) }, "a run's session could not be archived")
    )
  }
  return patch
}
