/**
 * Waiting for a verification (tests, the CLI) is waiting on its operations: its own (writing variations,
 * explaining pairs) and its batch's (the runs), through the registry's whenSettled. The runner is never
 * asked (its idle polled every 50 ms); a stub runner here throws if it is.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Operations } from '../../src/main/operations/registry'
import type { BatchRunner } from '../../src/main/runs/runner'
import type { SkillService } from '../../src/main/skills/service'
import { openStore, type Store } from '../../src/main/store/store'
import { createVerifyService } from '../../src/main/verify/service'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { Verification } from '../../src/shared/verify'

const stores: Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** A promise and the function that settles it. */
const gate = () => {
  let open!: () => void
  const p = new Promise<void>((r) => (open = r))
  return { p, open }
}
/** Let every callback already queued run (no clock involved). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
}

async function setup() {
  const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-verify-idle-')))
  stores.push(store)
  const operations = new Operations({ store })
  const asked: string[] = []
  const runner = {
    idle: async () => {
      asked.push('idle')
      throw new Error('the runner was polled')
    }
  } as unknown as BatchRunner
  const verify = createVerifyService({
    store,
    emit: () => {},
    operations,
    runner,
    skills: {} as SkillService,
    readTrace: async () => {
      throw new Error('no trace here')
    },
    apiAccess: async () => {
      throw new Error('no model here')
    },
    startAnalysis: async () => {
      throw new Error('no analysis here')
    },
    configDir: '',
    env: {}
  })
  const at = new Date().toISOString()
  const v: Verification = {
    id: randomUUID(),
    skillId: 'skill',
    skillName: 'landing-pages',
    version: { id: 'v1', number: 1 },
    against: null,
    source: 'fresh',
    heldOut: true,
    learnedFrom: [],
    repeats: 1,
    settings: RunSettingsSchema.parse({}),
    variations: [],
    arms: {},
    phase: 'generating',
    explanations: {},
    createdAt: at,
    updatedAt: at
  }
  await store.verifications.put(v)
  return { store, operations, verify, v, asked }
}

describe('verify.idle', () => {
  it('waits for writing the variations, then for the runs of the batch it started, without asking the runner', async () => {
    const { store, operations, verify, v, asked } = await setup()
    const batchId = randomUUID()
    const writing = gate()
    const runs = gate()
    // as makeBatch does: the batch's operation starts before the one writing the variations ends
    const generate = operations.start({ kind: 'verify', subject: v.id, params: { step: 'generate' } }, async () => {
      await writing.p
      await store.verifications.update(v.id, (d) => Object.assign(d.verification, { batchId, phase: 'created' }))
      operations.start({ kind: 'batch', subject: batchId }, () => runs.p)
    })
    let idle = false
    const waiting = verify.idle(v.id).then(() => void (idle = true))

    await settle()
    expect(idle).toBe(false)
    writing.open()
    await generate.done
    await settle()
    expect(operations.running('batch', batchId)).toHaveLength(1)
    expect(idle, 'the runs are still going').toBe(false)

    runs.open()
    await waiting
    expect(idle).toBe(true)
    expect(operations.running()).toEqual([])
    expect(asked).toEqual([])
  })

  it('waits again for work started meanwhile (pairs explained while the runs end)', async () => {
    const { store, operations, verify, v, asked } = await setup()
    const batchId = randomUUID()
    await store.verifications.update(v.id, (d) => Object.assign(d.verification, { batchId, phase: 'created' }))
    const runs = gate()
    const explaining = gate()
    operations.start({ kind: 'batch', subject: batchId }, async () => {
      await runs.p
      operations.start({ kind: 'verify', subject: v.id, params: { step: 'explain' } }, () => explaining.p)
    })
    let idle = false
    const waiting = verify.idle(v.id).then(() => void (idle = true))

    runs.open()
    await settle()
    expect(operations.running('verify', v.id)).toHaveLength(1)
    expect(idle, 'the pairs are being explained').toBe(false)

    explaining.open()
    await waiting
    expect(operations.running()).toEqual([])
    expect(asked).toEqual([])
  })

  it('is settled at once for a verification with nothing running', async () => {
    const { verify, v, asked } = await setup()
    await verify.idle(v.id)
    expect(asked).toEqual([])
  })
})
