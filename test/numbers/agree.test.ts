/**
 * One truth for every number (src/shared/numbers.ts), on real `claude -p` runs: a batch through the
 * service (a page writer, one whose tools fail, one with a sub-agent, one cancelled mid-way). For
 * every run, the batch page's numbers (getBatch), the deck's (getSignals), the session browser's
 * (listSessions), the trace's (getTrace) and the CLI's JSON (`sessions --json`, `trace --json`, read
 * beside the running service) agree on turns, tool calls, tokens and cost; and they agree with what
 * Claude Code itself reported (its result lines' num_turns and total_cost_usd).
 */
import { readFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Run } from '../../src/shared/runs'
import type { SessionSummary, Trace } from '../../src/shared/trace'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { cli } from '../support/cli'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const tokensOf = (u: SessionSummary['usage']) => u.input + u.output + u.cacheRead + u.cacheCreation

const waitFor = async <T>(fn: () => T | undefined, ms = 120_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface Four {
  turns: number
  toolCalls: number
  tokens: number
  costUsd: number
}
const four = (x: Four): Four => ({ turns: x.turns, toolCalls: x.toolCalls, tokens: x.tokens, costUsd: x.costUsd })

describe('every screen shows the same numbers for a run', () => {
  let server: ModelServer
  let configDir: string
  let dataDir: string
  let service: Service
  const live = new Map<number, Run[]>()

  beforeAll(async () => {
    server = await startModelServer(scenarioScript())
    configDir = await mkdtemp(join(tmpdir(), 't2s-numbers-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-numbers-data-'))
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    service.hub.subscribe((event, payload) => {
      if (event !== 'runProgress') return
      const r = structuredClone((payload as { run: Run }).run)
      live.set(r.number, [...(live.get(r.number) ?? []), r])
    })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('batch page, deck, session browser, trace and CLI agree per run, and with Claude Code', async () => {
    const task = await service.handlers.saveTask({ name: 'Numbers', text: 'Build a landing page.' })
    const scenarios = ['write-file', 'tool-errors', 'subagent', 'slow']
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: scenarios.map((s, i) => ({ difficulty: 'normal', prompt: prompt(s, `variation ${i + 1}`) }))
    })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: {
        concurrency: 2,
        maxTurns: 20,
        claudePath: CLAUDE_BIN,
        timeoutMs: 180_000,
        permission: 'sandboxed',
        allowedTools: ['Read', 'Write', 'Bash', 'Agent', 'Task'],
        repeats: 1
      }
    })
    await service.handlers.startBatch({ batchId: batch.id })
    // The slow one: while it runs, its tokens have a cost (never $0 beside tokens); then cancel it.
    const running = await waitFor(() => live.get(4)?.find((r) => r.state === 'running' && r.progress.turns >= 2))
    expect(running.progress.tokens).toBeGreaterThan(0)
    expect(running.progress.costUsd).toBeGreaterThan(0)
    await service.handlers.cancelRun({ runId: running.id })
    await service.runner.idle(batch.id)

    const { runs, status } = await service.handlers.getBatch({ batchId: batch.id })
    expect(runs.map((r) => [r.number, r.state])).toEqual([
      [1, 'done'],
      [2, 'done'],
      [3, 'done'],
      [4, 'cancelled']
    ])
    const { runs: deck } = await service.handlers.getSignals({ batchId: batch.id })
    const env = { CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir }
    let costs = 0
    for (const run of runs) {
      const where = `run ${run.number} (${scenarios[run.number - 1]})`
      const batchPage = four(run.progress)
      costs += run.progress.costUsd
      const metrics = deck.find((d) => d.runId === run.id)!.metrics!
      const summary = (await service.handlers.listSessions({ projectId: run.projectId! })).find((s) => s.sessionId === run.sessionId)!
      const browser = { turns: summary.turns, toolCalls: summary.toolCalls, tokens: tokensOf(summary.usage), costUsd: summary.costUsd }
      const trace = await service.handlers.getTrace({ sessionId: run.sessionId })
      // the CLI's JSON, read beside the service that holds the data folder
      const sessions = await cli(['sessions', run.projectId!, '--json'], env)
      expect(sessions.code, sessions.stderr).toBe(0)
      const cliSummary = (JSON.parse(sessions.stdout) as SessionSummary[]).find((s) => s.sessionId === run.sessionId)!
      const traced = await cli(['trace', run.sessionId, '--json'], env)
      expect(traced.code, traced.stderr).toBe(0)
      const cliTrace = JSON.parse(traced.stdout) as Trace

      expect(four(metrics), `${where}: deck vs batch page`).toEqual(batchPage)
      expect(browser, `${where}: session browser vs batch page`).toEqual(batchPage)
      expect(four(trace.totals), `${where}: trace vs batch page`).toEqual(batchPage)
      expect(trace.costUsd, `${where}: trace cost`).toBe(run.progress.costUsd)
      expect(
        { turns: cliSummary.turns, toolCalls: cliSummary.toolCalls, tokens: tokensOf(cliSummary.usage), costUsd: cliSummary.costUsd },
        `${where}: sessions --json`
      ).toEqual(batchPage)
      expect(four(cliTrace.totals), `${where}: trace --json`).toEqual(batchPage)
      // tool errors and where the cost came from, wherever they are shown
      expect([summary.toolErrors, cliSummary.toolErrors, trace.totals.toolErrors], `${where}: tool errors`).toEqual([
        metrics.toolErrors,
        metrics.toolErrors,
        metrics.toolErrors
      ])
      expect(
        [metrics.costSource, summary.costSource, trace.totals.costSource, cliTrace.totals.costSource],
        `${where}: cost source`
      ).toEqual(Array(4).fill(run.progress.costSource))
      expect(run.progress.tokens, where).toBeGreaterThan(0)
      expect(run.progress.costUsd, where).toBeGreaterThan(0)

      // Claude Code's own account: its result lines' turns add up to ours, its cost is ours
      const stream = (await readFile(join(dataDir, 'runs', run.id, 'stream.jsonl'), 'utf8'))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
      const results = stream.filter((m) => m.type === 'result')
      if (run.state === 'done') {
        expect(run.progress.costSource, where).toBe('claude-code')
        expect(run.progress.costUsd, `${where}: Claude Code's total_cost_usd`).toBeCloseTo(results[results.length - 1].total_cost_usd, 9)
        expect(run.progress.turns, `${where}: the num_turns of Claude Code's result lines`).toBe(
          results.reduce((n, r) => n + r.num_turns, 0)
        )
      }
    }
    expect(status.costUsd).toBeCloseTo(costs, 9)
    const by = (n: number) => runs.find((r) => r.number === n)!.progress
    // what the scenarios did: 3 responses and 2 tools; the sub-agent run's Agent call plus the helper's Bash call
    expect([by(1).turns, by(1).toolCalls]).toEqual([3, 2])
    expect(by(3).toolCalls).toBe(2)
    expect(deck.find((d) => d.number === 2)!.metrics!.toolErrors).toBeGreaterThanOrEqual(2)
    expect(by(4).turns).toBeGreaterThanOrEqual(2)
  }, 400_000)
})
