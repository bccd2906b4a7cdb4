/**
 * Claude Code as an AgentDriver (../driver.ts): `claude -p` with the run's settings made the app's own
 * (isolation.ts), its stream-json read into progress (monitor.ts), its permission presets (presets.ts),
 * and its sessions found where CLAUDE_CONFIG_DIR keeps them (the session index reads that folder).
 * Electron-free.
 */
import type { Numbers } from '../../../shared/numbers'
import { errorFields, type Log } from '../../log/log'
import type { SessionIndex } from '../../traces/indexer'
import { parseSessionFile } from '../../traces/parse'
import type { AgentDriver, AgentMonitor } from '../driver'
import { checkClaude } from './check'
import { ClaudeDecisionReader, removeEmptySessionFolder } from './decision'
import { isolateRun } from './isolation'
import { inspectTemplate, removeProjectSettings } from './template'
import { explain, StreamTracker } from './monitor'
import { permissionPreflight, presetAvailability, refusal } from './presets'
import { StreamReader } from './stream'

export interface ClaudeCodeDeps {
  /** the config folder runs write their sessions to (the one the app reads sessions from) */
  configDir: string
  /** where the sessions are found once a run ends */
  index: Pick<SessionIndex, 'findSession'>
  /** where a session that could not be found or read is noted (its run then shows its live figures) */
  log?: Log
}

/** The monitor of one run: its tracker, with the stream's final result kept for the verdict. */
class ClaudeMonitor implements AgentMonitor {
  readonly tracker = new StreamTracker()
  private readonly reader = new StreamReader((m) => this.tracker.message(m))
  push(chunk: Buffer) {
    this.reader.push(chunk)
  }
  end() {
    this.reader.end()
  }
  get progress() {
    return this.tracker.progress
  }
  get answer() {
    return this.tracker.result?.result
  }
}

export function createClaudeCodeDriver(d: ClaudeCodeDeps): AgentDriver {
  return {
    id: 'claude-code',
    name: 'Claude Code',
    skillsFolder: '.claude/skills',
    check: (path, env) => checkClaude(path || 'claude', env),
    presetAvailability: (preset, env) => presetAvailability(preset, { env }),
    preflight: (env) => permissionPreflight({ env }),
    inspectTemplate,
    refusal,
    // a template's project settings (hooks, allow rules, MCP servers) never load in a run
    readyWorkspace: removeProjectSettings,
    async launch(spec) {
      // the app's settings only, a minimal environment, secret reads denied (isolation.ts)
      const isolated = await isolateRun({
        prompt: spec.prompt,
        sessionId: spec.sessionId,
        settings: spec.settings,
        appEnv: spec.appEnv,
        configDir: d.configDir,
        dataDir: spec.dataDir,
        workspace: spec.workspace,
        logDir: spec.logDir,
        tmpDir: spec.tmpDir,
        tmpRoot: spec.tmpRoot,
        marker: spec.marker
      })
      // a query run's session is of no use once it decided: none is written (the session browser lists none)
      if (!spec.ephemeral) return { command: spec.settings.claudePath || 'claude', args: isolated.args, env: isolated.env }
      return {
        command: spec.settings.claudePath || 'claude',
        args: [...isolated.args, '--no-session-persistence'],
        env: isolated.env,
        dispose: () => removeEmptySessionFolder(d.configDir, spec.workspace)
      }
    },
    monitor: () => new ClaudeMonitor(),
    decision: (skillName) => new ClaudeDecisionReader(skillName),
    verdict(monitor, exit) {
      const result = monitor instanceof ClaudeMonitor ? monitor.tracker.result : null
      return explain({ result, ...exit })
    },
    async session(sessionId) {
      const found = await d.index.findSession(sessionId).catch((e) => {
        d.log?.warn({ sessionId, error: errorFields(e) }, "a run's session could not be looked for")
        return null
      })
      if (!found) return null
      // the numbers every other screen shows: its trace's (src/shared/numbers.ts)
      const trace = await parseSessionFile(found.file).catch((e) => {
        d.log?.warn({ sessionId, file: found.file, error: errorFields(e) }, "a run's session could not be read")
        return null
      })
      const totals: Numbers | undefined = trace?.totals
      return { file: found.file, projectId: found.projectId, totals }
    }
  }
}
