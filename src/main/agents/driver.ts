/**
 * The seam for an agent: everything the runner needs to know about one coding agent (Claude Code
 * today, see claude-code/driver.ts) and nothing about where its process runs (that is a RunBackend's,
 * src/main/backends/backend.ts). A second agent is one more folder beside claude-code/ implementing this.
 * Electron-free.
 */
import type { Numbers } from '../../shared/numbers'
import type {
  PermissionPreflight,
  PermissionPreset,
  PresetAvailability,
  RunProgress,
  RunSettings,
  TemplateInspection
} from '../../shared/runs'

/** What one run of the agent is: given by the runner, with the place its backend readied. */
export interface AgentRunSpec {
  prompt: string
  /** the run's id in the agent's own sessions (the runner makes it; the agent is told to use it) */
  sessionId: string
  settings: RunSettings
  /** the run's folder (its working directory) */
  workspace: string
  /** the run's own temporary folder, and the folder every run's is in (other runs' are not readable) */
  tmpDir: string
  tmpRoot?: string
  /** where the app keeps the run's logs (never readable by the run): the agent may write its settings there */
  logDir: string
  /** the app's data folder (other runs, other batches: never readable by the run) */
  dataDir: string
  /** the app's environment, from which the agent keeps only what it needs */
  appEnv: NodeJS.ProcessEnv
  /** the variable every process of the run inherits, so that all of them end with it */
  marker: { name: string; value: string }
  /** the run's session is not kept (no trace): a run that only shows a decision (issue 23's query runs) */
  ephemeral?: boolean
}

/** How to start one run of the agent. */
export interface AgentLaunch {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  /** takes away what readying it made (its settings files), after it ended */
  dispose?(): Promise<void>
}

/** Reads what a running agent prints, into live progress and its end. */
export interface AgentMonitor {
  /** bytes of its standard output */
  push(chunk: Buffer): void
  /** its output has ended */
  end(): void
  /** the figures so far (the runner adds the time) */
  readonly progress: Omit<RunProgress, 'elapsedMs'>
  /** its final answer, when it gave one */
  readonly answer: string | undefined
}

/**
 * What a run decided at its first step, as far as one skill goes (issue 23): it loaded that skill,
 * another skill, called another tool, or answered. `error`: the run failed before deciding.
 */
export interface SkillDecision {
  kind: 'loaded' | 'other-skill' | 'other-tool' | 'answer' | 'error'
  /** the tool it called instead (other-tool), or the skill it loaded instead (other-skill) */
  tool?: string
  /** the model turns up to the decision, their tokens and cost (estimated from the stream's usage) */
  turns: number
  tokens: number
  usd: number
  error?: string
}

/** Reads what a running agent prints until it shows its decision about one skill. */
export interface DecisionReader {
  push(chunk: Buffer): void
  /** its output has ended: a decision still pending (an answer) is made */
  end(): void
  /** the decision once the output shows it (null: not yet, or the run ended without one) */
  readonly decision: SkillDecision | null
  /** the turns, tokens and cost read so far (a run that ended without a decision still cost this) */
  readonly spent: { turns: number; tokens: number; usd: number }
}

/** How a run ended, as the agent tells it. */
export interface AgentExit {
  code: number | null
  signal: string | null
  cancelled: boolean
  timedOutMs?: number
  /** the end of its standard error */
  stderr: string
  settings: RunSettings
}

/** Where a run's session (its trace) is, once the run has ended. */
export interface AgentSession {
  file: string
  /** the project the session browser shows it in */
  projectId: string
  /** its trace's figures, when the trace could be read (every screen shows these) */
  totals?: Numbers
}

export interface AgentCheck {
  ok: boolean
  path: string
  version?: string
  error?: string
  /** how to get it */
  install: string
}

export interface AgentDriver {
  /** its id in settings and records ('claude-code') */
  readonly id: string
  /** its name on screens ('Claude Code') */
  readonly name: string
  /** the folder of a workspace its project skills are read from ('.claude/skills') */
  readonly skillsFolder: string
  /** is its binary here and does it start */
  check(path: string | undefined, env: NodeJS.ProcessEnv): Promise<AgentCheck>
  /** can a permission preset work here (never a silent fall-back: the runner refuses a start that cannot) */
  presetAvailability(preset: PermissionPreset, env: NodeJS.ProcessEnv): Promise<PresetAvailability>
  /** every preset's availability here, and which a new batch starts with */
  preflight(env: NodeJS.ProcessEnv): Promise<PermissionPreflight>
  /** what of a task's template the agent would load as its own (its settings, skills, agents), and whether a run does */
  inspectTemplate(templateDir: string): Promise<TemplateInspection['entries']>
  /** why a start with an unavailable preset is refused, in one sentence */
  refusal(preset: PermissionPreset, availability: PresetAvailability): string
  /** takes out of a run's folder what the agent would load as its own settings; returns what it took (folder-relative, `/`) */
  readyWorkspace(workspace: string): Promise<string[]>
  /** the command, arguments and environment of one run */
  launch(spec: AgentRunSpec): Promise<AgentLaunch>
  /** a reader of one run's output */
  monitor(): AgentMonitor
  /**
   * a reader of one run's output into its decision about the skill `skillName` (its first tool call
   * or answer); absent: the agent cannot tell whether it loads a skill, and triggers are not measured
   */
  decision?(skillName: string): DecisionReader
  /** why the run ended, in one line (ok: it finished its task) */
  verdict(monitor: AgentMonitor, exit: AgentExit): { ok: boolean; reason?: string }
  /** the session a run left (null: none was written, or it cannot be found) */
  session(sessionId: string): Promise<AgentSession | null>
  /** after a crash: what a run of the agent left behind beyond its processes (nothing, for most) */
  cleanupStale?(sessionId: string): Promise<void>
}
