/**
 * The registry of long work: records kept in the store, one signal for an operation and its parts,
 * recovery at start-up, and progress coalesced (fake timers: nothing here waits on a real clock).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Coalescer } from '../../src/main/operations/coalesce'
import { Operations } from '../../src/main/operations/registry'
import { rulesByGroup } from '../../src/main/skills/rules/groups'
import { openStore, type Store } from '../../src/main/store/store'
import { createService } from '../../src/main/app/service'
import type { AnalystRule } from '../../src/shared/skills'

const stores: Store[] = []
const store = async () => {
  const s = await openStore(await mkdtemp(join(tmpdir(), 't2s-ops-')))
  stores.push(s)
  return s
}
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** A promise and the function that settles it. */
const gate = () => {
  let open!: () => void
  const p = new Promise<void>((r) => (open = r))
  return { p, open }
}

describe('operations', () => {
  it('keeps what an operation was started with and how it ended', async () => {
    const s = await store()
    const ops = new Operations({ store: s })
    const op = ops.start({ kind: 'analysis', subject: 'a1', params: { via: 'claude-cli', claudePath: '/opt/claude' } }, async () => {})
    expect(ops.running('analysis', 'a1')).toEqual([op])
    const rec = await op.done
    expect(rec).toMatchObject({ kind: 'analysis', subject: 'a1', state: 'done' })
    expect(await s.operations.get(op.id)).toMatchObject({ state: 'done', params: { claudePath: '/opt/claude' } })
    expect(ops.running()).toEqual([])
    // a retry (after a restart too) finds the parameters again
    expect(await new Operations({ store: s }).lastParams('analysis', 'a1')).toEqual({ via: 'claude-cli', claudePath: '/opt/claude' })
  })

  it('one signal: cancelling an operation aborts it and its parts; failures keep their reason', async () => {
    const s = await store()
    const ops = new Operations({ store: s })
    const inside = gate()
    let child: ReturnType<Operations['start']> | undefined
    const parent = ops.start({ kind: 'analysis', subject: 'a2' }, async (op) => {
      child = ops.start(
        { kind: 'merge', subject: 'a2', parent: op },
        (m) => new Promise((_, reject) => m.signal.addEventListener('abort', () => reject(new Error('aborted'))))
      )
      inside.open()
      await child.done
    })
    await inside.p
    expect(ops.cancel(parent.id)).toBe(true)
    expect((await parent.done).state).toBe('cancelled')
    expect(await child!.done).toMatchObject({ state: 'cancelled', parentId: parent.id })
    expect(ops.cancel(parent.id)).toBe(false)
    const failing = ops.start({ kind: 'index' }, async () => {
      throw new Error('disk on fire\nand more')
    })
    expect(await failing.done).toMatchObject({ state: 'failed', error: 'disk on fire' })
  })

  it('at start-up, each kind recovers first, then operations left running become interrupted', async () => {
    const s = await store()
    await s.operations.add({
      id: 'op-left',
      kind: 'batch',
      subject: 'b1',
      params: {},
      state: 'running',
      startedAt: new Date().toISOString()
    })
    const order: string[] = []
    const ops = new Operations({ store: s })
    ops.onRecover('batch', async () => void order.push('batch'))
    ops.onRecover('analysis', async () => void order.push('analysis'))
    const got = await ops.recover()
    expect(order).toEqual(['batch', 'analysis'])
    expect(got.map((o) => [o.id, o.state])).toEqual([['op-left', 'interrupted']])
    expect(s.operations.running()).toEqual([])
  })

  it('whenSettled waits for every operation of a kind and subject, work that joins while waiting too, without polling', async () => {
    const ops = new Operations()
    const first = gate()
    const second = gate()
    ops.start({ kind: 'batch', subject: 'b1' }, () => first.p)
    ops.start({ kind: 'batch', subject: 'b2' }, () => new Promise(() => {}))
    let settled = false
    const waiting = ops.whenSettled('batch', 'b1').then(() => (settled = true))
    await Promise.resolve()
    // a second piece of work on the same subject starts before the first ends: it is waited for too
    ops.start({ kind: 'batch', subject: 'b1' }, () => second.p)
    first.open()
    await new Promise((r) => setImmediate(r))
    expect(settled).toBe(false)
    second.open()
    await waiting
    expect(settled).toBe(true)
    // nothing running: at once
    await ops.whenSettled('analysis', 'none')
  })

  it('the service (app, web and CLI alike) recovers at start-up through the registry', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-ops-'))
    const s = await openStore(dataDir)
    await s.operations.add({
      id: 'op-crashed',
      kind: 'analysis',
      subject: 'gone',
      params: {},
      state: 'running',
      startedAt: new Date().toISOString()
    })
    await s.close()
    const service = await createService({
      configDir: await mkdtemp(join(tmpdir(), 't2s-ops-claude-')),
      dataDir,
      mode: 'web',
      version: 'test'
    })
    try {
      expect(await service.store.operations.get('op-crashed')).toMatchObject({ state: 'interrupted' })
      // indexing is an operation too, cancelled by its id
      const { jobId } = await service.handlers.startIndex({})
      expect(service.operations.get(jobId)?.kind).toBe('index')
      await service.operations.get(jobId)?.done
    } finally {
      await service.dispose()
    }
  })

  it('progress is coalesced: the first at once, then at most one per interval, the last one kept; cancel drops it', () => {
    vi.useFakeTimers()
    const sent: number[] = []
    const c = new Coalescer<number>(100, (n) => sent.push(n))
    c.push(1)
    c.push(2)
    c.push(3)
    expect(sent).toEqual([1])
    vi.advanceTimersByTime(100)
    expect(sent).toEqual([1, 3])
    c.push(4)
    c.flush()
    expect(sent).toEqual([1, 3, 4])
    c.push(5)
    c.cancel()
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual([1, 3, 4])
  })
})

describe("a rule's origin is a field", () => {
  const r = (id: string, group?: number): AnalystRule => ({
    id,
    analyst: 'error',
    rule: 'x',
    evidence: [1],
    priority: 'high',
    reason: 'r',
    ...(group ? { group } : {})
  })
  it('groups rules by their group field, not by what their id looks like', () => {
    const by = rulesByGroup([r('a', 1), r('b', 2), r('c', 1), r('g3-error-1'), r('L1-g4-1')])
    expect([...by].map(([g, list]) => [g, list.map((x) => x.id)])).toEqual([
      [1, ['a', 'c']],
      [2, ['b']]
    ])
  })
})
