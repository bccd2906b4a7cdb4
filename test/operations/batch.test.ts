/**
 * A batch is an operation: its settings are kept with it, and cancelling the operation ends every claude
 * of the batch and the runs still queued. A fake `claude` that waits until it is ended: no model.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Run } from '../../src/shared/runs'

describe('a batch as an operation', () => {
  let dir: string
  let service: Service
  let fake: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-op-batch-'))
    fake = join(dir, 'slow-claude')
    // says it started, then waits to be ended
    await writeFile(fake, `#!/bin/sh\nprintf '{"type":"system","subtype":"init","session_id":"x"}\\n'\nexec sleep 300\n`)
    await chmod(fake, 0o755)
    service = await createService({
      configDir: join(dir, 'config'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: { PATH: process.env.PATH }
    })
  })
  afterAll(async () => {
    await service?.dispose()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('cancelling the operation ends the running runs and the queued ones; its record keeps the settings and says cancelled', async () => {
    const task = await service.handlers.saveTask({ name: 'Slow', text: 'Wait.' })
    await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'easy', prompt: 'Wait.' }] })
    const settings = {
      concurrency: 1,
      maxTurns: 3,
      claudePath: fake,
      timeoutMs: 60_000,
      permission: 'accept-edits' as const,
      allowedTools: ['Read'],
      repeats: 2
    }
    const batch = await service.handlers.createBatch({ taskId: task.id, settings })
    await service.handlers.startBatch({ batchId: batch.id })
    const [op] = service.operations.running('batch', batch.id)
    expect(op).toBeDefined()
    expect(op.params).toMatchObject({ settings: { claudePath: fake } })
    // the first run is running (one at a time), the second one queued
    for (;;) {
      const { runs } = await service.handlers.getBatch({ batchId: batch.id })
      if ((runs as Run[]).some((r) => r.state === 'running' && r.pid)) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(service.operations.cancel(op.id)).toBe(true)
    const rec = await op.done
    expect(rec.state).toBe('cancelled')
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    expect((runs as Run[]).map((r) => r.state).sort()).toEqual(['cancelled', 'cancelled'])
    expect(await service.store.operations.get(op.id)).toMatchObject({ kind: 'batch', subject: batch.id, state: 'cancelled' })
  }, 60_000)
})
