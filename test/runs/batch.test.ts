/**
 * A batch of real `claude -p` runs against the scripted model server: concurrency 3; one writes a web
 * page, one fails its tool calls, one runs long and is cancelled, one exceeds its turn limit.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { playwrightScreenshots } from '../../src/main/runs/playwright-screenshots'
import { pngSize } from '../../src/main/runs/png'
import type { Run } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv, REPO } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const BIN = join(REPO, 'bin', 'trace2skill.mjs')

/** Processes still running whose command line names one of these session ids (or workspaces: bwrap's binds name them). */
function survivors(sessionIds: string[]): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (sessionIds.some((id) => cmd.includes(id))) out.push(`${pid}: ${cmd.replace(/\0/g, ' ').slice(0, 120)}`)
    } catch {
      /* gone */
    }
  }
  return out
}

const waitFor = async <T>(fn: () => T | undefined, ms = 60_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('a batch of real claude -p runs', () => {
  let server: ModelServer
  let configDir: string
  let dataDir: string
  let service: Service
  const runs = new Map<number, Run>()
  const states = new Map<number, string[]>()

  beforeAll(async () => {
    server = await startModelServer(scenarioScript())
    configDir = await mkdtemp(join(tmpdir(), 't2s-batch-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-batch-data-'))
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: claudeEnv(configDir, server.url),
      screenshots: playwrightScreenshots()
    })
    service.hub.subscribe((event, payload) => {
      if (event !== 'runProgress') return
      const r = (payload as { run: Run }).run
      runs.set(r.number, r)
      const seen = states.get(r.number) ?? []
      if (seen[seen.length - 1] !== r.state) seen.push(r.state)
      states.set(r.number, seen)
    })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('runs six variations three at a time, with outputs, sessions and screenshots', async () => {
    const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page for a rocket company.' })
    const scenarios = ['write-file', 'tool-errors', 'long', 'slow', 'subagent', 'write-file']
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: scenarios.map((s, i) => ({ difficulty: i < 2 ? 'easy' : 'normal', prompt: prompt(s, `variation ${i + 1}`) }))
    })
    // sandboxed, the default preset: Claude Code's sandbox (bubblewrap) around every Bash call
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: {
        concurrency: 3,
        maxTurns: 10,
        claudePath: CLAUDE_BIN,
        timeoutMs: 120_000,
        permission: 'sandboxed',
        allowedTools: ['Read', 'Write', 'Bash', 'Agent', 'Task'],
        repeats: 1
      }
    })
    expect(batch.runIds).toHaveLength(6)
    let maxRunning = 0
    service.hub.subscribe((event, payload) => {
      if (event === 'batchProgress') maxRunning = Math.max(maxRunning, (payload as { processes: number }).processes)
    })
    await service.handlers.startBatch({ batchId: batch.id })
    // Cancel the slow one once it is under way.
    const slow = await waitFor(() => [...runs.values()].find((r) => r.number === 4 && r.state === 'running' && r.progress.turns >= 2))
    await service.handlers.cancelRun({ runId: slow.id })
    await service.runner.idle(batch.id)

    const { runs: final, status } = await service.handlers.getBatch({ batchId: batch.id })
    const by = (n: number) => final.find((r) => r.number === n)!
    expect(maxRunning).toBe(3)
    expect(status).toMatchObject({ total: 6, done: 4, failed: 1, cancelled: 1, running: 0, queued: 0 })

    // 1 and 6: a web page, diffed, screenshotted, its session linked and archived
    for (const n of [1, 6]) {
      const r = by(n)
      expect(r.state).toBe('done')
      expect(r.result).toContain('Wrote index.html')
      expect(r.files.map((f) => [f.path, f.status])).toEqual([['index.html', 'added']])
      expect(r.files[0].diff).toMatch(/^\+<header><h1>Acme Rockets<\/h1>/m)
      expect(r.screenshots[0].html).toBe('index.html')
      const [desktop, mobile] = r.screenshots[0].shots
      for (const [shot, width] of [
        [desktop, 1280],
        [mobile, 390]
      ] as const) {
        expect(shot.error).toBeUndefined()
        expect(shot.blank).toBe(false)
        expect(pngSize(await readFile(shot.file))).toEqual({ width, height: shot.height })
      }
      expect(r.projectId).toBeTruthy()
      const trace = await service.handlers.getTrace({ sessionId: r.sessionId })
      expect(trace.cwd).toBe(r.workspace)
      expect(service.store.sessions.archive(r.sessionId)).toBeDefined()
    }
    // 2: tool calls failed, the run itself finished
    expect(by(2).state).toBe('done')
    const t2 = await service.handlers.getTrace({ sessionId: by(2).sessionId })
    expect(t2.events.filter((e) => e.kind === 'tool_call' && e.result?.isError).length).toBeGreaterThanOrEqual(2)
    // 3: the long one hit the turn limit
    expect(by(3).state).toBe('failed')
    expect(by(3).reason).toBe('hit the turn limit (10 turns)')
    // 4: cancelled, with its partial trace kept
    expect(by(4).state).toBe('cancelled')
    expect(by(4).reason).toBe('cancelled')
    const partial = await service.handlers.getTrace({ sessionId: by(4).sessionId })
    expect(partial.events.filter((e) => e.kind === 'tool_call').length).toBeGreaterThanOrEqual(2)
    expect(existsSync(join(dataDir, 'runs', by(4).id, 'stderr.txt'))).toBe(true)
    // 5: the sub-agent run
    expect(by(5).state).toBe('done')
    // live progress was reported: queued -> running -> finished
    expect(states.get(1)).toEqual(['queued', 'running', 'done'])
    expect(by(1).progress.turns).toBeGreaterThanOrEqual(3)
    expect(by(1).progress.tokens).toBeGreaterThan(0)
    // nothing keeps running (claude, nor the sandbox's bwrap around a command)
    expect(survivors([...final.map((r) => r.sessionId), ...final.map((r) => r.workspace!)])).toEqual([])

    // retry the failed and cancelled ones: new sessions, and they finish (the cancelled one is slow: cancel it again)
    const before = by(3).sessionId
    await service.handlers.retryRuns({ batchId: batch.id, runIds: [by(3).id] })
    await service.runner.idle(batch.id)
    const again = (await service.handlers.getBatch({ batchId: batch.id })).runs.find((r) => r.number === 3)!
    expect(again.sessionId).not.toBe(before)
    expect(again.state).toBe('failed')
  }, 240_000)

  it('signals and file comparison read the real traces and workspaces', async () => {
    const batchId = [...runs.values()][0].batchId
    const { runs: list } = await service.handlers.getBatch({ batchId })
    const by = (n: number) => list.find((r) => r.number === n)!
    for (const [n, label] of [
      [1, 'good'],
      [6, 'good'],
      [5, 'good'],
      [2, 'bad'],
      [3, 'bad'],
      [4, 'bad']
    ] as const)
      await service.handlers.saveFeedback({ runId: by(n).id, label, text: `run ${n}` })
    const { runs: per, batch } = await service.handlers.getSignals({ batchId })
    const metrics = (n: number) => per.find((r) => r.number === n)!.metrics!
    // the failing run: a Read of a missing file and two failing Bash commands, by kind
    expect(metrics(2).errors.map((e) => [e.tool, e.kind])).toEqual([
      ['Read', 'file-not-found'],
      ['Bash', 'exit-code'],
      ['Bash', 'file-not-found']
    ])
    expect(metrics(2)).toMatchObject({ toolCalls: 3, toolErrors: 3, tools: ['Read', 'Bash', 'Bash'] })
    expect(metrics(1).tools).toEqual(['Write', 'Read'])
    expect(metrics(1).tokens).toBeGreaterThan(0)
    expect(metrics(1).turns).toBe(by(1).progress.turns)
    // the sub-agent's own Bash call counts, in place after the call that started it
    expect(metrics(5).tools).toEqual([expect.stringMatching(/^(Agent|Task)$/), 'Bash'])
    expect(batch).toMatchObject({ good: 3, bad: 3, ungraded: 0 })
    // only bad runs show Bash chains and failed reads
    const bashChain = batch.signals.find((s) => s.feature === 'Bash → Bash')
    expect(bashChain?.badRuns).toEqual(expect.arrayContaining([2, 3]))
    expect(bashChain?.goodRuns).toEqual([])
    // one bad run alone is not a pattern
    expect(batch.signals.find((s) => s.feature === 'Read: file-not-found')).toBeUndefined()

    // files: runs 1 and 6 wrote the same page; run 2 wrote nothing
    expect(await service.handlers.compareFiles({ runA: by(1).id, runB: by(6).id })).toEqual([
      { path: 'index.html', a: 'added', b: 'added', same: true, binary: false }
    ])
    const [one] = await service.handlers.compareFiles({ runA: by(1).id, runB: by(2).id })
    expect(one).toMatchObject({ path: 'index.html', a: 'added', b: null, same: false })
    expect(one.diff).toMatch(/^-<header><h1>Acme Rockets<\/h1>/m)
  }, 60_000)

  it("retakes a finished run's screenshots, and refuses what it cannot render", async () => {
    const batchId = [...runs.values()][0].batchId
    const { runs: list } = await service.handlers.getBatch({ batchId })
    const one = list.find((r) => r.number === 1)!
    const before = one.screenshots[0].shots.map((s) => s.file)
    for (const f of before) await rm(f)
    const again = await service.handlers.retakeScreenshots({ runId: one.id })
    expect(again.screenshots.map((s) => s.html)).toEqual(['index.html'])
    for (const [shot, width] of again.screenshots[0].shots.map((s, i) => [s, [1280, 390][i]] as const)) {
      expect(shot.error).toBeUndefined()
      expect(pngSize(await readFile(shot.file))).toEqual({ width, height: shot.height })
    }
    // a run that made no page gets none, and an imported session has no workspace of its own
    expect((await service.handlers.retakeScreenshots({ runId: list.find((r) => r.number === 2)!.id })).screenshots).toEqual([])
    const imported = await service.handlers.importSessions({ sessions: [{ sessionId: one.sessionId }] })
    await expect(service.handlers.retakeScreenshots({ runId: imported.runIds[0] })).rejects.toThrow(/no workspace of its own/)
  }, 60_000)

  it('a cancel the moment a run turns "running" ends it (before or just after claude starts)', async () => {
    const task = await service.handlers.saveTask({ name: 'Cancel race', text: 'Take your time.' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [
        { difficulty: 'easy', prompt: prompt('slow', 'race 1') },
        { difficulty: 'easy', prompt: prompt('slow', 'race 2') }
      ]
    })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: {
        concurrency: 2,
        maxTurns: 50,
        claudePath: CLAUDE_BIN,
        timeoutMs: 120_000,
        permission: 'sandboxed',
        allowedTools: ['Bash'],
        repeats: 1
      }
    })
    const cancels: Promise<unknown>[] = []
    let first = true
    const off = service.hub.subscribe((event, payload) => {
      const r = (payload as { run: Run }).run
      // (a run collecting its outputs is past its claude: not the moment this is about)
      if (event !== 'runProgress' || r.batchId !== batch.id || r.state !== 'running' || r.collecting || cancels.length >= 2) return
      if (first) {
        // in the same tick as the event: before claude is spawned
        first = false
        cancels.push(service.handlers.cancelRun({ runId: r.id }))
      } else {
        // a moment later: while its pid is being saved
        cancels.push(new Promise((ok) => setImmediate(ok)).then(() => service.handlers.cancelRun({ runId: r.id })))
      }
    })
    await service.handlers.startBatch({ batchId: batch.id })
    await waitFor(() => (cancels.length === 2 ? true : undefined))
    await Promise.all(cancels)
    await service.runner.idle(batch.id)
    off()
    const { runs: list } = await service.handlers.getBatch({ batchId: batch.id })
    expect(list.map((r) => r.state)).toEqual(['cancelled', 'cancelled'])
    // stopped at once, not left to run on to its turn limit of 50
    for (const r of list) expect(r.progress.turns).toBeLessThan(10)
    expect(survivors([...list.map((r) => r.sessionId), ...list.filter((r) => r.workspace).map((r) => r.workspace!)])).toEqual([])
  }, 30_000)

  it('a runner killed mid-batch: on the next start, finished runs are intact and the rest are interrupted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-kill-'))
    const data = join(dir, 'data')
    await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Kill test', text: 'Do things.' }))
    await writeFile(
      join(dir, 'variations.txt'),
      `1. [easy] ${prompt('write-file', 'quick')}\n2. [normal] ${prompt('slow', 'one')}\n3. ${prompt('slow', 'two')}\n`
    )
    const env = { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: data, CLAUDE_CONFIG_DIR: configDir, PATH: process.env.PATH }
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        '--task',
        join(dir, 'task.json'),
        '--variations',
        join(dir, 'variations.txt'),
        '--concurrency',
        '3',
        '--claude',
        CLAUDE_BIN,
        '--json'
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let err = ''
    child.stderr.on('data', (c) => (err += c))
    await waitFor(() => (err.includes('Run 1: done') ? true : undefined), 90_000)
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGKILL')
    await new Promise((r) => child.on('close', r))

    const restarted = await createService({ configDir, dataDir: data, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      const [{ batch }] = await restarted.handlers.listBatches({})
      const { runs: after } = await restarted.handlers.getBatch({ batchId: batch.id })
      expect(after.map((r) => r.state)).toEqual(['done', 'interrupted', 'interrupted'])
      expect(after[0].files.map((f) => f.path)).toEqual(['index.html'])
      expect(after[1].reason).toMatch(/interrupted: the app stopped while this run was in flight/)
      expect((await restarted.handlers.getAppInfo({})).notices.some((n) => /in flight when the app stopped/.test(n.message))).toBe(true)
      // the runs the dead app left behind were ended on restart
      await new Promise((r) => setTimeout(r, 300))
      expect(survivors(after.map((r) => r.sessionId))).toEqual([])
      // their partial traces are readable
      const partial = await restarted.handlers.getTrace({ sessionId: after[1].sessionId })
      expect(partial.events.length).toBeGreaterThan(0)
      // and they can be run again
      await restarted.handlers.retryRuns({ batchId: batch.id })
      await new Promise((r) => setTimeout(r, 500))
      await restarted.handlers.cancelBatch({ batchId: batch.id })
      const final = await restarted.handlers.getBatch({ batchId: batch.id })
      expect(final.runs.map((r) => r.state)).toEqual(['done', 'cancelled', 'cancelled'])
      expect(survivors(final.runs.map((r) => r.sessionId))).toEqual([])
    } finally {
      await restarted.dispose()
    }
  }, 240_000)

  it('the CLI run command reports bad arguments in one line', async () => {
    const run = promisify(execFile)
    // its own data folder: this test's service holds the lock on dataDir
    const data = await mkdtemp(join(tmpdir(), 't2s-cli-args-'))
    const r = await run(process.execPath, [BIN, 'run', '--task', '/nope/task.json', '--variations', '/nope/v.txt'], {
      env: { ...process.env, TRACE2SKILL_DATA_DIR: data }
    }).catch((e) => e)
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe('trace2skill: cannot read --task /nope/task.json: ENOENT')
  })
})
