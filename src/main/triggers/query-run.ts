/**
 * One run of one trigger query: the skill installed alone in a fresh empty folder of the data folder,
 * the agent started as a batch's run is (the run isolation, a marker every process inherits, a
 * watchdog), its output read until it shows its decision, then all its processes ended. At most one
 * model turn is allowed (the decision's), and the session is not kept. The folder goes afterwards,
 * whatever happened. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunSettings } from '../../shared/runs'
import type { Decision } from '../../shared/triggers'
import type { AgentLaunch } from '../agents/driver'
import type { RunProcess } from '../backends/backend'
import { RUN_MARKER } from '../base/processes'
import { writeInside } from '../skills/export'
import type { SkillUnderTest, TriggersContext } from './context'

/** A query run still going after this is ended (its decision is one model turn); the settings' timeout when shorter. */
export const DECISION_TIMEOUT_MS = 5 * 60_000
/** The watchdog ends a query run this long after its timeout, should the app not (it died, or hangs). */
const WATCHDOG_MARGIN_MS = 30_000

/** Where query runs' folders are: `<data>/workspaces/triggers/<id>/{work,logs}` (all of it removed at start-up). */
export const queryRunsRoot = (dataDir: string) => join(dataDir, 'workspaces', 'triggers')

type Ctx = Pick<TriggersContext, 'driver' | 'backend' | 'env' | 'store'>

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .pop()
    ?.slice(0, 300)

/** Run one query once and read its decision (never throws: a failure is an 'error' decision). */
export async function decideOnce(
  ctx: Ctx,
  o: { skill: SkillUnderTest; prompt: string; settings: RunSettings; signal: AbortSignal }
): Promise<Decision> {
  const started = Date.now()
  const nothing = { turns: 0, tokens: 0, usd: 0 }
  const reading = ctx.driver.decision?.(o.skill.name)
  if (!reading) return { kind: 'error', error: `${ctx.driver.name} cannot tell whether it loads a skill`, ...nothing, ms: 0 }
  if (o.signal.aborted) return { kind: 'cancelled', ...nothing, ms: 0 }
  const reader = reading
  const sessionId = randomUUID()
  const root = join(queryRunsRoot(ctx.store.dataDir), sessionId)
  const workspace = join(root, 'work')
  const logDir = join(root, 'logs')
  let dispose = async () => {}
  let launched: AgentLaunch | undefined
  try {
    const place = await ctx.backend.prepare({ workspace, sessionId })
    dispose = place.dispose
    await mkdir(logDir, { recursive: true })
    // the skill alone, as a project skill of an otherwise empty folder
    await writeInside(workspace, [{ path: `${ctx.driver.skillsFolder}/${o.skill.name}/SKILL.md`, content: o.skill.skillMd }])
    const timeoutMs = Math.min(o.settings.timeoutMs, DECISION_TIMEOUT_MS)
    const marker = { name: RUN_MARKER, value: sessionId }
    const launch = (launched = await ctx.driver.launch({
      prompt: o.prompt,
      sessionId,
      // the decision is the first turn: claude stops there itself, should the end below come late
      settings: { ...o.settings, maxTurns: 1 },
      workspace,
      tmpDir: place.tmpDir,
      tmpRoot: place.tmpRoot,
      logDir,
      dataDir: ctx.store.dataDir,
      appEnv: ctx.env,
      marker,
      ephemeral: true
    }))
    let stderr = ''
    let decidedAt: number | undefined
    let timedOut = false
    // the callbacks below run once it has started
    const end = () => void proc.end()
    const proc: RunProcess = ctx.backend.start({
      command: launch.command,
      args: launch.args,
      env: launch.env,
      cwd: workspace,
      marker,
      deadlineMs: timeoutMs + WATCHDOG_MARGIN_MS,
      onStdout: (chunk) => {
        if (decidedAt !== undefined) return
        reader.push(chunk)
        if (reader.decision) {
          decidedAt = Date.now()
          end()
        }
      },
      onStderr: (c) => void (stderr = (stderr + c.toString('utf8')).slice(-4096))
    })
    o.signal.addEventListener('abort', end, { once: true })
    if (o.signal.aborted) end()
    const timer = setTimeout(() => {
      timedOut = true
      end()
    }, timeoutMs)
    const exit = await proc.exited
    clearTimeout(timer)
    o.signal.removeEventListener('abort', end)
    reader.end()
    decidedAt ??= reader.decision ? Date.now() : undefined
    // whatever it left running goes too
    await proc.sweep()
    const ms = (decidedAt ?? Date.now()) - started
    const d = reader.decision
    if (d) return { ...d, ...(d.error ? { error: d.error.slice(0, 2000) } : {}), ms }
    const spent = reader.spent
    if (o.signal.aborted) return { kind: 'cancelled', ...spent, ms }
    if (timedOut) return { kind: 'error', error: `no decision within ${Math.round(timeoutMs / 1000)} s`, ...spent, ms }
    const why = exit.error ?? lastLine(stderr)
    if (exit.code === 0 && !why) return { kind: 'ended', ...spent, ms }
    return { kind: 'error', error: `claude exited with ${exit.code ?? exit.signal}${why ? `: ${why}` : ''}`.slice(0, 2000), ...spent, ms }
  } catch (err) {
    return {
      kind: o.signal.aborted ? 'cancelled' : 'error',
      error: (err as Error).message.slice(0, 2000),
      ...nothing,
      ms: Date.now() - started
    }
  } finally {
    await launched?.dispose?.().catch(() => {})
    await dispose().catch(() => {})
    await rm(root, { recursive: true, force: true }).catch(() => {})
  }
}
