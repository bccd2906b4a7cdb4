/**
 * "Running" counts only runs whose claude is alive. A run whose claude has exited while its outputs
 * are collected (files, screenshots, its session archived) is "collecting outputs", counted apart:
 * real `claude -p` runs at concurrency 1, the screenshots of run 1 held until the test lets them go,
 * so run 2 runs while run 1 collects.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { ScreenshotPort } from '../../src/main/runs/screenshots'
import type { BatchStatus } from '../../src/shared/contract'
import type { Run } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const waitFor = async <T>(fn: () => T | undefined, ms = 120_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('running and collecting outputs', () => {
  let server: ModelServer
  let service: Service
  let letGo: () => void = () => {}
  const held = new Promise<void>((r) => (letGo = r))
  let shooting = 0
  const statuses: BatchStatus[] = []
  const runs = new Map<number, Run>()

  beforeAll(async () => {
    server = await startModelServer(scenarioScript())
    const configDir = await mkdtemp(join(tmpdir(), 't2s-collect-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-collect-data-'))
    // screenshots that wait for the test: the run stays in its collecting stage until then
    const screenshots: ScreenshotPort = {
      capture: async () => {
        shooting++
        await held
        return []
      },
      close: async () => {}
    }
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url), screenshots })
    service.hub.subscribe((event, payload) => {
      if (event === 'batchProgress') statuses.push(structuredClone(payload as BatchStatus))
      if (event === 'runProgress') {
        const r = structuredClone((payload as { run: Run }).run)
        runs.set(r.number, r)
      }
    })
  })
  afterAll(async () => {
    letGo()
    await service?.dispose()
    await server?.close()
  })

  it('counts a run whose claude has exited as collecting outputs, not running', async () => {
    const task = await service.handlers.saveTask({ name: 'Collect', text: 'Build a landing page.' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [1, 2].map((i) => ({ difficulty: 'normal' as const, prompt: prompt('write-file', `variation ${i}`) }))
    })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: {
        concurrency: 1,
        maxTurns: 10,
        claudePath: CLAUDE_BIN,
        timeoutMs: 120_000,
        permission: 'accept-edits',
        allowedTools: ['Read', 'Write', 'Bash'],
        repeats: 1
      }
    })
    await service.handlers.startBatch({ batchId: batch.id })
    // run 1's claude has exited and its screenshots are held; run 2 has taken the one slot
    await waitFor(() => (shooting >= 1 ? true : undefined))
    const second = await waitFor(() => (runs.get(2)?.state === 'running' ? runs.get(2) : undefined))
    expect(second.collecting).toBeFalsy()
    expect(runs.get(1)).toMatchObject({ state: 'running', collecting: true })
    const now = (await service.handlers.getBatch({ batchId: batch.id })).status
    expect(now).toMatchObject({ running: 1, collecting: 1, queued: 0 })

    letGo()
    await service.runner.idle(batch.id)
    const { status, runs: final } = await service.handlers.getBatch({ batchId: batch.id })
    expect(status).toMatchObject({ total: 2, done: 2, running: 0, collecting: 0 })
    expect(final.every((r) => !r.collecting)).toBe(true)
    // never more runs counted as running than may run at once, nor more than claude processes alive
    expect(statuses.filter((s) => s.running > 1)).toEqual([])
    expect(statuses.some((s) => s.collecting === 1)).toBe(true)
  })
})
