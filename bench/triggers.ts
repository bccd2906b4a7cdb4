/**
 * Triggers benchmark (issue 23): a description measured through the app's service, 20 should-trigger
 * and 10 should-not queries x 3 repeats, each real `claude -p` run stopped at its decision, against a
 * full run of the same prompts (the same isolation, settings and skill, run to its end: the scripted
 * run loads the skill when it fits, writes a file and answers). Figures per query run: wall time and
 * model turns (and requests the model answered, and the estimated cost), and the ratio of the two;
 * the target is at most 0.3 of a full run. Also: whether each decision agrees with what the full runs
 * of the same prompt did. The scripted model runs in a child process (bench/triggers-api.ts) and
 * answers each step after STEP_DELAY_MS of model latency.
 *
 *   BENCH_ONLY=triggers npm run bench
 *   BENCH_CONCURRENCY=4 BENCH_TRIGGERS_REPEATS=3 BENCH_STEP_DELAY_MS=150 BENCH_TRIGGERS_WORK_STEPS=1
 *
 * BENCH_TRIGGERS_WORK_STEPS: the Writes a scripted run makes before it answers (1: the shortest run
 * that does the work; a real run takes many more turns).
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import PQueue from 'p-queue'
import { createClaudeCodeDriver } from '../src/main/agents/claude-code/driver'
import { StreamTracker } from '../src/main/agents/claude-code/monitor'
import { StreamReader } from '../src/main/agents/claude-code/stream'
import { createService } from '../src/main/app/service'
import { createLocalBackend } from '../src/main/backends/local/backend'
import { RUN_MARKER } from '../src/main/base/processes'
import { writeInside } from '../src/main/skills/export'
import { RunSettingsSchema, type RunSettings } from '../src/shared/runs'
import { scoresOf, type TriggerQuery } from '../src/shared/triggers'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { plantTriggerSkill } from '../test/support/trigger-skill'
import { forkApi } from './child'
import { WORK_STEPS, type TriggersApiState } from './triggers-api'
import { STEP_DELAY_MS } from './verify-api'

const REPEATS = Number(process.env.BENCH_TRIGGERS_REPEATS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4)
const NAME = 'landing-page'
const DESCRIPTION = 'Build a landing page for a small business: hero section, three cards, a call to action.'
const SUBJECTS = [
  'bakery',
  'florist',
  'dentist',
  'gym',
  'bike shop',
  'tea room',
  'library',
  'rocket company',
  'night club',
  'yoga studio',
  'barber',
  'garage',
  'vineyard',
  'school',
  'museum',
  'theatre',
  'hotel',
  'farm',
  'clinic',
  'brewery'
]

/** 20 should-trigger prompts (17 share enough words to load it, 3 do not) and 10 near misses (3 load it). */
export function benchQueries(): TriggerQuery[] {
  const q = (i: number, prompt: string, should: boolean): TriggerQuery => ({ id: `q${i}`, prompt, should, source: 'person' })
  const out: TriggerQuery[] = []
  SUBJECTS.forEach((s, i) => {
    const prompt =
      i < 14
        ? `Build a landing page for a ${s}`
        : i < 17
          ? `Make a hero section and three cards for a ${s}`
          : `Put together a website for a ${s}`
    out.push(q(i, prompt, true))
  })
  SUBJECTS.slice(0, 10).forEach((s, i) =>
    out.push(q(20 + i, i < 3 ? `Fix the typo in the landing page README of the ${s}` : `Write an email announcing our new ${s}`, false))
  )
  return out
}

interface FullRun {
  turns: number
  usd: number
  loaded: boolean
}

/** One whole run of a prompt, started as a query run is (same seams, isolation and skill), read to its end. */
async function fullRun(o: {
  dataDir: string
  configDir: string
  env: NodeJS.ProcessEnv
  settings: RunSettings
  prompt: string
  skillMd: string
}): Promise<FullRun> {
  const driver = createClaudeCodeDriver({ configDir: o.configDir, index: { findSession: async () => null } })
  const backend = createLocalBackend()
  const sessionId = randomUUID()
  const root = join(o.dataDir, 'workspaces', 'bench-full', sessionId)
  const workspace = join(root, 'work')
  const place = await backend.prepare({ workspace, sessionId })
  try {
    await mkdir(join(root, 'logs'), { recursive: true })
    await writeInside(workspace, [{ path: `.claude/skills/${NAME}/SKILL.md`, content: o.skillMd }])
    const marker = { name: RUN_MARKER, value: sessionId }
    const launch = await driver.launch({
      prompt: o.prompt,
      sessionId,
      settings: o.settings,
      workspace,
      tmpDir: place.tmpDir,
      tmpRoot: place.tmpRoot,
      logDir: join(root, 'logs'),
      dataDir: o.dataDir,
      appEnv: o.env,
      marker,
      ephemeral: true
    })
    // the cost estimated from usage as a decision's is (the result line's own figure is left out)
    const tracker = new StreamTracker()
    let loaded = false
    const reader = new StreamReader((m) => {
      if (m.type === 'result') return
      tracker.message(m)
      if (m.type === 'assistant' && m.message.content.some((b) => b.type === 'tool_use' && b.name === 'Skill')) loaded = true
    })
    const proc = backend.start({
      command: launch.command,
      args: launch.args,
      env: launch.env,
      cwd: workspace,
      marker,
      deadlineMs: 300_000,
      onStdout: (c) => reader.push(c),
      onStderr: () => {}
    })
    await proc.exited
    reader.end()
    await proc.sweep()
    await launch.dispose?.()
    return { turns: tracker.progress.turns, usd: tracker.progress.costUsd, loaded }
  } finally {
    await place.dispose()
    await rm(root, { recursive: true, force: true })
  }
}

export async function benchTriggers() {
  const api = await forkApi('triggers-api.ts', { BENCH_TRIGGERS_API: '1' }, 'the scripted model')
  const bench = join(import.meta.dirname, '..', '.bench')
  await mkdir(bench, { recursive: true })
  const dir = await mkdtemp(join(bench, 'triggers-'))
  const configDir = join(dir, 'claude')
  const dataDir = join(dir, 'data')
  await mkdir(configDir, { recursive: true })
  const env = claudeEnv(configDir, api.url)
  const service = await createService({ configDir, dataDir, mode: 'web', version: 'bench', env })
  const queries = benchQueries()
  const runs = queries.length * REPEATS
  const settings = { claudePath: CLAUDE_BIN, permission: 'accept-edits' as const, concurrency: CONCURRENCY, maxTurns: 10 }
  try {
    const { skillId, versionId } = await plantTriggerSkill(service, { name: NAME, description: DESCRIPTION })
    await service.handlers.saveTriggerQueries({ skillId, queries })
    console.log(
      `Triggers: ${queries.length} queries x ${REPEATS}, concurrency ${CONCURRENCY}, ${STEP_DELAY_MS} ms model latency a step, ${WORK_STEPS} Write(s) in a full run`
    )

    // 1. measured through the app: each run stopped at its decision
    const s0 = await api.ask<TriggersApiState>({ type: 'state' })
    let t0 = performance.now()
    const started = await service.handlers.measureTriggers({ skillId, repeats: REPEATS, settings })
    await service.operations.whenSettled('triggers', skillId)
    const measureS = (performance.now() - t0) / 1000
    const m = (await service.store.triggers.get(skillId))!.measures[started.id]
    const decisions = m.results.flatMap((r) => r.decisions)
    const s1 = await api.ask<TriggersApiState>({ type: 'state' })
    const requests = (s: TriggersApiState) => Object.values(s.steps).reduce((a, b) => a + b, 0)
    const measureRequests = requests(s1) - requests(s0)
    const measureTurns = decisions.reduce((a, d) => a + d.turns, 0)
    const measureUsd = decisions.reduce((a, d) => a + d.usd, 0)

    // 2. the same prompts, run whole: the same skill, isolation and settings
    const skillMd = (await service.store.skills.version(versionId))!.skillMd
    const full = RunSettingsSchema.parse({ ...settings, repeats: 1 })
    const queue = new PQueue({ concurrency: CONCURRENCY })
    const fullRuns = new Map<string, FullRun[]>()
    t0 = performance.now()
    const jobs: Promise<void>[] = []
    for (let r = 0; r < REPEATS; r++)
      for (const x of queries)
        jobs.push(
          queue.add(async () => {
            const got = await fullRun({ dataDir, configDir, env, settings: full, prompt: x.prompt, skillMd })
            fullRuns.set(x.id, [...(fullRuns.get(x.id) ?? []), got])
          })
        )
    await Promise.all(jobs)
    const fullS = (performance.now() - t0) / 1000
    const s2 = await api.ask<TriggersApiState>({ type: 'state' })
    const all = [...fullRuns.values()].flat()
    const fullTurns = all.reduce((a, f) => a + f.turns, 0)
    const fullUsd = all.reduce((a, f) => a + f.usd, 0)
    const fullRequests = requests(s2) - requests(s1)
    // does a decision say what the whole runs of the same prompt did
    let agree = 0
    for (const r of m.results) {
      const wholes = fullRuns.get(r.queryId) ?? []
      r.decisions.forEach((d, i) => (agree += Number((d.kind === 'loaded') === !!wholes[i]?.loaded)))
    }

    const per = (x: number) => x / runs
    const ratio = (a: number, b: number) => (b ? a / b : NaN)
    const scores = scoresOf(m.results)
    const figures = {
      queries: queries.length,
      repeats: REPEATS,
      runs,
      concurrency: CONCURRENCY,
      stepDelayMs: STEP_DELAY_MS,
      workSteps: WORK_STEPS,
      measure: { seconds: measureS, sPerRun: per(measureS), turnsPerRun: per(measureTurns), requests: measureRequests, usd: measureUsd },
      full: { seconds: fullS, sPerRun: per(fullS), turnsPerRun: per(fullTurns), requests: fullRequests, usd: fullUsd },
      ratio: { wall: ratio(measureS, fullS), turns: ratio(measureTurns, fullTurns), usd: ratio(measureUsd, fullUsd) },
      agree,
      recall: scores.recall,
      falseRate: scores.falseRate,
      errors: decisions.filter((d) => d.kind === 'error').length
    }
    const f2 = (x: number) => x.toFixed(2)
    console.log(
      `  stopped at the decision: ${f2(measureS)} s (${f2(figures.measure.sPerRun)} s a run), ${f2(figures.measure.turnsPerRun)} turns a run, ${measureRequests} model requests, $${measureUsd.toFixed(3)}`
    )
    console.log(
      `  full runs:               ${f2(fullS)} s (${f2(figures.full.sPerRun)} s a run), ${f2(figures.full.turnsPerRun)} turns a run, ${fullRequests} model requests, $${fullUsd.toFixed(3)}`
    )
    console.log(
      `  ratio: wall ${f2(figures.ratio.wall)}, turns ${f2(figures.ratio.turns)}, cost ${f2(figures.ratio.usd)} (target <= 0.3); decisions agreeing with the full run: ${agree} of ${runs}; recall ${f2(scores.recall ?? NaN)}, false-trigger rate ${f2(scores.falseRate ?? NaN)}; errors ${figures.errors}`
    )
    return figures
  } finally {
    await service.dispose()
    api.close()
    await rm(dir, { recursive: true, force: true })
  }
}
