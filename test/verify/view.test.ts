/**
 * A verification's report reads each finished run's trace; one that cannot be read leaves that run
 * without figures (as before) and is kept in the log, with its error, for a bug report.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { Operations } from '../../src/main/operations/registry'
import type { BatchRunner } from '../../src/main/runs/runner'
import type { SkillService } from '../../src/main/skills/service'
import { openStore, type Store } from '../../src/main/store/store'
import { verifyContext } from '../../src/main/verify/context'
import { fullViewOf } from '../../src/main/verify/view'
import { emptyProgress, RunSettingsSchema, type Batch, type Run } from '../../src/shared/runs'
import { testVerification } from '../support/builders'

const stores: Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

describe("a verification's report", () => {
  it("logs a run's trace that cannot be read, and shows the run without figures", async () => {
    const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-verify-view-')))
    stores.push(store)
    const lines: Record<string, unknown>[] = []
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) })
    const ctx = {
      ...verifyContext({
        store,
        log,
        emit: () => {},
        operations: new Operations({ store }),
        runner: {} as BatchRunner,
        skills: {} as SkillService,
        readTrace: async () => {
          throw new Error('unused')
        },
        apiAccess: async () => {
          throw new Error('unused')
        },
        startAnalysis: async () => {
          throw new Error('unused')
        },
        configDir: '',
        env: {}
      }),
      facts: async () => {
        throw new Error('the session file is gone')
      }
    }
    const at = new Date().toISOString()
    const batchId = randomUUID()
    const run: Run = {
      id: randomUUID(),
      batchId,
      number: 1,
      prompt: 'a landing page',
      repeat: 1,
      state: 'done',
      sessionId: randomUUID(),
      progress: emptyProgress(),
      files: [],
      screenshots: [],
      imported: false
    }
    const settings = RunSettingsSchema.parse({})
    const batch: Batch = { id: batchId, name: 'v', createdAt: at, settings, runIds: [run.id] }
    await store.batches.add(batch, [run])
    const v = testVerification({
      skillId: 'skill',
      skillName: 'landing-pages',
      settings,
      batchId,
      arms: { [run.id]: { arm: 'with', variation: 0, repeat: 1 } }
    })
    await store.verifications.put(v)

    const view = await fullViewOf(ctx, v)
    expect(view.report).not.toBeNull()
    expect(view.report!.pairs[0].with).toMatchObject({ number: 1, use: null })
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: "a run's trace could not be read for the report",
        verificationId: v.id,
        runId: run.id,
        error: expect.objectContaining({ message: 'the session file is gone' })
      })
    ])
  })
})
