/**
 * The local backend: a run is processes on this machine. Its workspace is a folder of the data folder
 * copied from the template, its TMPDIR a private folder of its own (base/run-tmp.ts); the agent runs in
 * its own process group under a watchdog, with a marker every process it starts inherits, so a cancel,
 * a timeout or the app's death ends all of them (base/processes.ts). After a crash, a run's process is
 * ended only if it is still the one recorded (its start time and the session id on its command line).
 * Electron-free.
 */
import { endIfOurs, recordProcess } from '../../base/process-identity'
import { endMarked, startProcess } from '../../base/processes'
import { makeRunTmp, removeRunTmp, runTmpRoot } from '../../base/run-tmp'
import { diffWorkspace, prepareWorkspace } from '../../base/workspace'
import type { RunBackend, RunProcess, StartSpec } from '../backend'

export function createLocalBackend(): RunBackend {
  return {
    id: 'local',

    async prepare({ workspace, templateDir, sessionId }) {
      await prepareWorkspace(workspace, templateDir)
      const tmpDir = await makeRunTmp(sessionId)
      return { tmpDir, tmpRoot: runTmpRoot(), dispose: () => removeRunTmp(sessionId) }
    },

    start(spec: StartSpec): RunProcess {
      const child = startProcess(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        marker: spec.marker,
        watchdog: { deadlineMs: spec.deadlineMs },
        onStdout: spec.onStdout,
        onStderr: spec.onStderr
      })
      const exited = child.exited.then(({ code, signal, error }) => {
        if (!error) return { code, signal: signal as string | null }
        return { code: -1, signal: null, error: error.code === 'ENOENT' ? `\`${spec.command}\` was not found` : error.message }
      })
      return {
        pid: child.pid,
        exited,
        end: () => child.end(),
        sweep: () => child.sweep(),
        // the session id on its command line (the agent is given it) tells it apart from a stranger reusing the pid
        identity: async () => (child.pid ? recordProcess(child.pid, spec.marker.value) : null)
      }
    },

    collect: ({ workspace, templateDir }) => diffWorkspace(workspace, templateDir),

    async recover(run) {
      if (run.pid) await endIfOurs({ pid: run.pid, startedAt: run.pidStartedAt, marker: run.sessionId })
      await endMarked(run.marker)
      await removeRunTmp(run.sessionId)
    }
  }
}
