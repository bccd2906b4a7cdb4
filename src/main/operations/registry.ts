/**
 * Every long piece of work (indexing, a batch of runs, an analysis and its merge) runs as an operation:
 * an id, a kind, what it works on, its parameters (kept in the store, so a retry or a restart uses the
 * same ones), one AbortController whose signal goes down to every model call and child process, and how
 * it ended. At start-up, operations a stopped app left running become interrupted, each kind's own
 * recovery running first. The app, web mode and the CLI share one registry through createService.
 * Electron-free.
 */
import { errorFields, silentLog, type Log } from '../log/log'
import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import type { Operation, OperationKind, OperationState } from '../../shared/operations'
import type { Store } from '../store/store'
import { Coalescer } from './coalesce'

/** How the store's write of a record of progress and the screens' events are spaced, per operation. */
export const STORE_EVERY_MS = 1000
export const EVENT_EVERY_MS = 100

export interface OperationSpec {
  kind: OperationKind
  /** what it works on (a batch id, an analysis id) */
  subject?: string
  params?: Record<string, unknown>
  /** a part of a larger operation (a merge of its analysis): cancelling the parent cancels it too */
  parent?: LiveOperation
  /** an id of its own choosing (default: `<kind>-<uuid>`) */
  id?: string
  /** keep a record in the store (default); false for work with nothing to resume or retry (indexing) */
  persist?: boolean
}

/** How the work ended; without one: cancelled when its signal was aborted, else done. */
export type Outcome = { state: Exclude<OperationState, 'running' | 'interrupted'>; error?: string } | void

export interface LiveOperation {
  readonly id: string
  readonly kind: OperationKind
  readonly subject?: string
  readonly params: Readonly<Record<string, unknown>>
  /** aborted when the operation (or its parent) is cancelled: pass it to every model call and process */
  readonly signal: AbortSignal
  /** resolves once the work has ended and its final state is recorded; never rejects */
  readonly done: Promise<Operation>
  /** a coalescer of this operation's progress events (at most one per EVENT_EVERY_MS); dropped at the end */
  events<T>(send: (value: T) => void, ms?: number): Coalescer<T>
}

export interface OperationsOptions {
  /** where records are kept; absent (or a read-only store): in memory only */
  store?: Pick<Store, 'operations' | 'readOnly'>
  /** where a failed operation's error (with its stack) and a record that could not be saved are kept */
  log?: Log
}

interface Entry {
  op: LiveOperation
  record: Operation
  controller: AbortController
  coalescers: Coalescer<unknown>[]
}

export class Operations {
  private readonly live = new Map<string, Entry>()
  private readonly recoveries = new Map<OperationKind, () => Promise<unknown>>()

  constructor(private readonly o: OperationsOptions = {}) {}

  private get log(): Log {
    return (this.o.log ??= silentLog())
  }

  private get repo() {
    return this.o.store && !this.o.store.readOnly ? this.o.store.operations : undefined
  }

  /** Start `work` as an operation; it runs at once. */
  start(spec: OperationSpec, work: (op: LiveOperation) => Promise<Outcome>): LiveOperation {
    const id = spec.id ?? `${spec.kind}-${randomUUID()}`
    const controller = new AbortController()
    // every part listens to it (each analyst of each group, each run of a batch): no limit
    setMaxListeners(0, controller.signal)
    let detach = () => {}
    if (spec.parent) {
      const parent = spec.parent.signal
      const onAbort = () => controller.abort()
      if (parent.aborted) controller.abort()
      else parent.addEventListener('abort', onAbort, { once: true })
      detach = () => parent.removeEventListener('abort', onAbort)
    }
    const record: Operation = {
      id,
      kind: spec.kind,
      ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
      ...(spec.parent ? { parentId: spec.parent.id } : {}),
      params: { ...(spec.params ?? {}) },
      state: 'running',
      startedAt: new Date().toISOString()
    }
    const coalescers: Coalescer<unknown>[] = []
    let resolveDone!: (o: Operation) => void
    const done = new Promise<Operation>((r) => (resolveDone = r))
    const op: LiveOperation = {
      id,
      kind: spec.kind,
      subject: spec.subject,
      params: record.params,
      signal: controller.signal,
      done,
      events: <T>(send: (value: T) => void, ms = EVENT_EVERY_MS) => {
        const c = new Coalescer<T>(ms, send)
        coalescers.push(c as Coalescer<unknown>)
        return c
      }
    }
    const entry: Entry = { op, record, controller, coalescers }
    this.live.set(id, entry)
    const repo = spec.persist === false ? undefined : this.repo
    const added = repo
      ?.add(record)
      .catch((e) => this.log.error({ operation: id, error: errorFields(e) }, 'an operation could not be recorded'))
    void (async () => {
      let outcome: Outcome
      try {
        outcome = await work(op)
      } catch (err) {
        if (!controller.signal.aborted) this.log.error({ operation: id, kind: spec.kind, error: errorFields(err) }, 'an operation failed')
        outcome = controller.signal.aborted
          ? { state: 'cancelled' }
          : { state: 'failed', error: ((err as Error)?.message ?? String(err)).split('\n')[0] }
      }
      for (const c of coalescers) c.cancel()
      const end = outcome ?? { state: controller.signal.aborted ? 'cancelled' : 'done' }
      Object.assign(record, { state: end.state, endedAt: new Date().toISOString() }, end.error ? { error: end.error } : {})
      await added
      await repo
        ?.set(id, { state: record.state, endedAt: record.endedAt, ...(record.error ? { error: record.error } : {}) })
        .catch((e) => this.log.error({ operation: id, error: errorFields(e) }, 'how an operation ended could not be saved'))
      this.live.delete(id)
      detach()
      resolveDone({ ...record })
    })()
    return op
  }

  /** Cancel an operation (and the parts of it); false when it is not running here. */
  cancel(id: string): boolean {
    const e = this.live.get(id)
    if (!e) return false
    e.controller.abort()
    return true
  }

  get(id: string): LiveOperation | undefined {
    return this.live.get(id)?.op
  }

  /** Running operations, of one kind and subject if given (oldest first). */
  running(kind?: OperationKind, subject?: string): LiveOperation[] {
    return [...this.live.values()]
      .map((e) => e.op)
      .filter((op) => (!kind || op.kind === kind) && (subject === undefined || op.subject === subject))
  }

  /**
   * Resolves once no operation of this kind (on this subject, if given) is running here: the one way to
   * wait for long work (a batch's runs, an analysis, a verification), instead of polling each domain.
   * Work started while waiting (a retry joining a batch) is waited for too.
   */
  async whenSettled(kind: OperationKind, subject?: string): Promise<void> {
    for (let ops = this.running(kind, subject); ops.length; ops = this.running(kind, subject)) await Promise.all(ops.map((op) => op.done))
  }

  /** The parameters an earlier operation on this subject was started with (a retry, after a restart too). */
  async lastParams(kind: OperationKind, subject: string): Promise<Record<string, unknown> | undefined> {
    const mine = this.running(kind, subject).pop()
    if (mine) return mine.params
    const store = this.o.store?.operations
    for (const id of store?.about(subject, kind) ?? []) {
      const rec = await store!.get(id)
      if (rec) return rec.params
    }
    return undefined
  }

  /**
   * At start-up: each kind's own recovery (registered with `onRecover`, in that order: runs and analyses a
   * stopped app left in flight), then every operation still recorded as running becomes interrupted.
   */
  async recover(): Promise<Operation[]> {
    for (const fn of this.recoveries.values()) await fn()
    const repo = this.repo
    if (!repo) return []
    const out: Operation[] = []
    for (const id of repo.running()) {
      if (this.live.has(id)) continue
      await repo
        .set(id, { state: 'interrupted', endedAt: new Date().toISOString(), error: 'interrupted: the app stopped' })
        .catch((e) => this.log.error({ operation: id, error: errorFields(e) }, 'an interrupted operation could not be marked so'))
      const rec = await repo.get(id)
      if (rec) out.push(rec)
    }
    // old records only take room: a failed prune is tried again at the next start
    await repo.prune().catch((e) => this.log.warn({ error: errorFields(e) }, 'old operation records could not be pruned'))
    return out
  }

  /** What a kind does at start-up about its work a stopped app left in flight (run by `recover`, before the records are marked). */
  onRecover(kind: OperationKind, fn: () => Promise<unknown>): void {
    this.recoveries.set(kind, fn)
  }

  /** Cancel everything and wait for it to end (the service's dispose). */
  async cancelAll(): Promise<void> {
    const all = [...this.live.values()]
    for (const e of all) e.controller.abort()
    await Promise.all(all.map((e) => e.op.done))
  }
}
