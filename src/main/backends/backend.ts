/**
 * The seam for a place to run: where a run's workspace is readied, how the agent's process is started
 * there, its output streamed, its files collected, and how it is ended, during the run and after a
 * crash. Local processes today (local/backend.ts); a container backend is one more folder beside local/
 * implementing this. It knows nothing of the agent: the runner hands it the agent's launch.
 * Electron-free.
 */
import type { OutputFile } from '../../shared/runs'

/** The place one run was readied in. */
export interface RunPlace {
  /** the run's own temporary folder, and the folder every run's is in */
  tmpDir: string
  tmpRoot?: string
  /** removes what readying made (its temporary folder), once the run has ended */
  dispose(): Promise<void>
}

export interface StartSpec {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  cwd: string
  /** every process of the run carries it (ended with the run) */
  marker: { name: string; value: string }
  /** a watchdog ends the run then, even should the app die or hang */
  deadlineMs: number
  onStdout(chunk: Buffer): void
  onStderr(chunk: Buffer): void
}

/** A started run's process, as its backend sees it. */
export interface RunProcess {
  /** the OS process id, where there is one (kept, so a restart can end a run a crashed app left) */
  readonly pid?: number
  /** resolves once, however it ends (never rejects); `error`: it did not start */
  readonly exited: Promise<{ code: number | null; signal: string | null; error?: string }>
  /** end it and everything it started */
  end(): Promise<void>
  /** after it exited: end whatever it left running */
  sweep(): Promise<void>
  /** what tells, after a restart, that the process with that pid is still this run's */
  identity(): Promise<{ pid: number; startedAt?: number } | null>
}

/** What a restart knows of a run a crashed app left in flight. */
export interface StaleRun {
  sessionId: string
  marker: { name: string; value: string }
  pid?: number
  pidStartedAt?: number
}

export interface RunBackend {
  /** its id in records ('local') */
  readonly id: string
  /** the run's folder from the task's template (or empty) and its private temporary folder */
  prepare(o: { workspace: string; templateDir?: string; sessionId: string }): Promise<RunPlace>
  /** start the agent in it */
  start(spec: StartSpec): RunProcess
  /** what the run made or changed, against the template */
  collect(o: { workspace: string; templateDir?: string }): Promise<OutputFile[]>
  /** at start-up: end a run a crashed app left, if it is still going, and remove what readying made */
  recover(run: StaleRun): Promise<void>
}
