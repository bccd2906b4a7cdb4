/**
 * Screenshots prepared on worker threads: decoding, cropping, scaling and encoding a page (jimp, pure
 * JS) takes 0.7-3 s of CPU each, which on the main thread would stall the Electron main process or the
 * web server for seconds while an analysis starts or an analyst views a screenshot. Workers start when
 * first needed, each does one screenshot at a time, the rest wait in order. Falls back to the calling
 * thread when no worker script is available (tests run from source).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { prepareScreenshot, type PreparedImage, type PrepareOptions } from './images'

export type PrepareImage = (png: Buffer, opts?: PrepareOptions) => Promise<PreparedImage>

export interface ImagePool {
  prepare: PrepareImage
  /** how many screenshots may usefully be prepared at once */
  concurrency: number
  close(): Promise<void>
}

export function inThreadImages(): ImagePool {
  return { prepare: prepareScreenshot, concurrency: 1, close: async () => {} }
}

interface Job {
  png: Buffer
  opts?: PrepareOptions
  ok: (image: PreparedImage) => void
  fail: (err: Error) => void
}

export function imageWorkerPool(script: string | URL, size = Math.max(1, Math.min(availableParallelism(), 4))): ImagePool {
  const queue: Job[] = []
  const idle: Worker[] = []
  const busy = new Map<Worker, Job>()
  let closed = false

  const spawnWorker = (): Worker => {
    const w = new Worker(script)
    w.on('message', (m: { image?: PreparedImage; error?: string }) => {
      const job = busy.get(w)
      if (!job) return
      busy.delete(w)
      if (m.image) job.ok(m.image)
      else job.fail(new Error(m.error ?? 'preparing the screenshot failed'))
      release(w)
    })
    // A dead worker fails its own job; a fresh one is started when a job needs it.
    const lost = (err: Error): void => {
      const job = busy.get(w)
      busy.delete(w)
      const i = idle.indexOf(w)
      if (i >= 0) idle.splice(i, 1)
      job?.fail(new Error(`preparing the screenshot failed: ${err.message}`, { cause: err }))
      pump()
    }
    w.on('error', lost)
    w.on('exit', (code) => lost(new Error(`the screenshot worker stopped (exit code ${code})`)))
    return w
  }
  /** An idle worker does not keep the process alive; a busy one does (its caller is waiting). */
  const release = (w: Worker): void => {
    w.unref()
    idle.push(w)
    pump()
  }
  const pump = (): void => {
    while (queue.length && !closed) {
      const w = idle.pop() ?? (busy.size < size ? spawnWorker() : undefined)
      if (!w) return
      const job = queue.shift()!
      busy.set(w, job)
      w.ref()
      // a copy goes to the worker: the caller's buffer stays usable
      w.postMessage({ png: new Uint8Array(job.png.buffer, job.png.byteOffset, job.png.byteLength), opts: job.opts })
    }
  }

  return {
    concurrency: size,
    prepare(png, opts) {
      if (closed) return Promise.reject(new Error('the screenshot workers are closed'))
      // the same checks as prepareScreenshot, before anything is copied to a worker
      if (!Buffer.isBuffer(png)) return prepareScreenshot(png, opts)
      return new Promise((ok, fail) => {
        queue.push({ png, opts, ok, fail })
        pump()
      })
    },
    async close() {
      closed = true
      const err = new Error('the screenshot workers are closed')
      for (const job of queue.splice(0)) job.fail(err)
      for (const job of busy.values()) job.fail(err)
      const all = [...idle.splice(0), ...busy.keys()]
      busy.clear()
      await Promise.all(all.map((w) => w.terminate()))
    }
  }
}
