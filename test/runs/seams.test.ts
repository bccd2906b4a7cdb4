/**
 * The runner's seams are real: a batch runs through a second, test-only AgentDriver (a toy agent, not
 * Claude Code) and a second, test-only RunBackend (plain child processes, not the local backend's
 * process groups), with progress, answers, files, numbers, cancel and crash recovery all going through
 * them (test/support/toy-seams.ts). No model, no claude.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RunSettingsSchema, type Run } from '../../src/shared/runs'
import { Operations } from '../../src/main/operations/registry'
import { BatchRunner } from '../../src/main/runs/runner'
import { planRuns } from '../../src/main/runs/queued'
import { openStore, type Store } from '../../src/main/store/store'
import { plainBackend, toyDriver } from '../support/toy-seams'

const stores: Store[] = []
afterEach(async () => void (await Promise.all(stores.splice(0).map((s) => s.close()))))

async function setup(prompts: string[], concurrency = 2) {
  const root = await mkdtemp(join(tmpdir(), 't2s-seams-'))
  const store = await openStore(join(root, 'data'))
  stores.push(store)
  const driver = toyDriver()
  const backend = plainBackend(root)
  const events: { event: string; payload: unknown }[] = []
  const operations = new Operations({ store })
  const runner = new BatchRunner({
    store,
    emit: (event, payload) => void events.push({ event, payload }),
    driver,
    backend,
    env: { PATH: process.env.PATH },
    operations
  })
  const batchId = randomUUID()
  const settings = RunSettingsSchema.parse({ permission: 'accept-edits', concurrency, timeoutMs: 60_000 })
  const runs = planRuns(
    batchId,
    prompts.map((prompt) => ({ prompt })),
    settings
  )
  await store.batches.add({ id: batchId, name: 'toy', createdAt: new Date().toISOString(), settings, runIds: runs.map((r) => r.id) }, runs)
  const runsNow = async () => store.batches.runsOf((await store.batches.get(batchId))!)
  return { store, driver, backend, events, operations, runner, batchId, runsNow }
}

describe('the runner through a second agent driver and a second run backend', () => {
  it('runs a batch: the driver launches and reads the agent, the backend readies, starts and collects', async () => {
    const { runner, batchId, backend, events, operations, runsNow } = await setup(['abc', 'hello'])
    await runner.start(batchId)
    await operations.whenSettled('batch', batchId)
    const runs = await runsNow()
    expect(runs.map((r) => r.state)).toEqual(['done', 'done'])
    // the toy's answer, read by its monitor; its file, listed by the plain backend
    expect(runs.map((r) => r.result)).toEqual(['cba', 'olleh'])
    expect(runs[0].files.map((f) => f.path)).toEqual(['answer.txt'])
    expect(await readFile(join(runs[1].workspace!, 'answer.txt'), 'utf8')).toBe('olleh')
    // its numbers are those of the session the driver found (the toy's), as every screen shows them
    expect(runs[0].progress).toMatchObject({ turns: 9, toolCalls: 9, tokens: 90, costUsd: 0.09 })
    expect(runs[0].projectId).toBe('toy-project')
    // the backend's identity of the process is what was recorded while it ran, and cleared at the end
    expect(runs[0].pid).toBeUndefined()
    // each run: readied, started, swept, its place disposed, collected
    expect(backend.calls.filter((c) => c === 'prepare')).toHaveLength(2)
    expect(backend.calls.filter((c) => c === 'collect')).toHaveLength(2)
    expect(backend.calls.filter((c) => c === 'dispose')).toHaveLength(2)
    // live progress went out from the toy's own lines (3 steps)
    const live = events.filter((e) => e.event === 'runProgress').map((e) => (e.payload as { run: Run }).run.progress.turns)
    expect(Math.max(...live)).toBeGreaterThanOrEqual(3)
  })

  it('a cancel reaches the backend, which ends the agent; a batch that cannot start says why through the driver', async () => {
    const { runner, batchId, backend, runsNow, operations } = await setup(['wait for it'], 1)
    await runner.start(batchId)
    for (;;) {
      const [r] = await runsNow()
      if (r.state === 'running' && r.pid) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(await runner.cancelBatch(batchId)).toBe(1)
    await operations.whenSettled('batch', batchId)
    const [r] = await runsNow()
    expect(r.state).toBe('cancelled')
    expect(backend.calls).toContain('end')
    expect(backend.calls.at(-1)).toBe('collect')
  })

  it('after a crash, the backend is asked to end what a run left, with what it recorded', async () => {
    const { store, batchId, driver, runsNow } = await setup(['left running'])
    const [run] = await runsNow()
    await store.batches.update(batchId, (d) => void Object.assign(d.runs[run.id], { state: 'running', pid: 999_999, pidStartedAt: 42 }))
    const backend = plainBackend(tmpdir())
    const next = new BatchRunner({ store, emit: () => {}, driver, backend, env: {} })
    expect(await next.recover()).toBe(1)
    expect(backend.recovered).toEqual([expect.objectContaining({ sessionId: run.sessionId, pid: 999_999, pidStartedAt: 42 })])
    expect((await runsNow())[0]).toMatchObject({ state: 'interrupted' })
  })
})
