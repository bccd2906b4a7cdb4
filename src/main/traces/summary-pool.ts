/**
 * Summaries on worker threads: the cold index of thousands of sessions uses every core. Falls back to
 * the calling thread when no worker script is available (tests run from source).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { summarizeFile, type FileSummary, type SummaryCheckpoint } from './summary'

export type Summarize = (file: string, prev?: SummaryCheckpoint) => Promise<FileSummary>

export interface SummaryPool {
  summarize: Summarize
  /** how many summaries may usefully run at once */
  concurrency: number
  close(): Promise<void>
}

export function inThreadPool(): SummaryPool {
  return { summarize: summarizeFile, concurrency: 4, close: async () => {} }
}

export function workerPool(script: string | URL, size = Math.max(1, Math.min(availableParallelism(), 4))): SummaryPool {
  const pending = new Map<number, { ok: (s: FileSummary) => void; fail: (e: Error) => void; worker: Worker }>()
  const load = new Map<Worker, number>()
  let nextId = 0
  const spawnWorker = () => {
    const w = new Worker(script)
    w.unref()
    load.set(w, 0)
    w.on('message', (m: { id: number; summary?: FileSummary; error?: string }) => {
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      load.set(w, (load.get(w) ?? 1) - 1)
      if (m.summary) p.ok(m.summary)
      else p.fail(new Error(m.error ?? 'summary failed'))
    })
    w.on('error', (err) => {
      // A dead worker fails its own jobs; a fresh one takes its place.
      for (const [id, p] of pending) {
        if (p.worker !== w) continue
        pending.delete(id)
        p.fail(err)
      }
      load.delete(w)
      if (!closed) spawnWorker()
    })
  }
  let closed = false
  for (let i = 0; i < size; i++) spawnWorker()
  return {
    concurrency: size * 2,
    summarize(file, prev) {
      const [w] = [...load.entries()].sort((a, b) => a[1] - b[1])[0]
      const id = nextId++
      load.set(w, (load.get(w) ?? 0) + 1)
      return new Promise((ok, fail) => {
        pending.set(id, { ok, fail, worker: w })
        w.postMessage({ id, file, prev })
      })
    },
    async close() {
      closed = true
      await Promise.all([...load.keys()].map((w) => w.terminate()))
    }
  }
}
