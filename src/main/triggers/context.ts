/**
 * What the triggers domain (issue 23: does Claude Code load the skill when it should, and not
 * otherwise) is given by the app: the store, the one agent and place to run (a query is run through
 * the driver and backend like a run, and stopped at the decision), the skills, the model for the
 * optimiser's proposals. Electron-free.
 */
import type { Decision, QueryResult, TriggerQuery } from '../../shared/triggers'
import type { RunSettings } from '../../shared/runs'
import type { EventSink } from '../../shared/contract'
import type { AgentDriver } from '../agents/driver'
import type { ModelPort } from '../analysts/model'
import type { RunBackend } from '../backends/backend'
import type { Log } from '../log/log'
import type { Operations } from '../operations/registry'
import type { SkillService } from '../skills/service'
import type { Store } from '../store/store'

export interface TriggersContext {
  store: Store
  emit: EventSink
  operations: Operations
  driver: AgentDriver
  backend: RunBackend
  skills: SkillService
  /** the app's environment (a run keeps only what it needs of it) */
  env: NodeJS.ProcessEnv
  /** Claude Code's config folder in use: its skills/ folder is the user's skills (rivals) */
  configDir: string
  /** the API key and base URL; throws a clear error when there is no key */
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  /** tests: a model port instead of the real ones */
  port?: ModelPort
  log: Log
}

/** The skill as a query run installs it: its name, the description under test, its SKILL.md with that description. */
export interface SkillUnderTest {
  name: string
  description: string
  /** the whole SKILL.md (front matter with `description`, then the body) */
  skillMd: string
}

/** Measure one description over queries: each query x repeats through `claude -p`, stopped at the decision. */
export type MeasureDescription = (o: {
  skill: SkillUnderTest
  queries: TriggerQuery[]
  repeats: number
  settings: RunSettings
  signal: AbortSignal
  /** one decision made (progress) */
  onDecision?(queryId: string, d: Decision): void
}) => Promise<QueryResult[]>
