/**
 * Long work (indexing now; runs and analysts later) runs as cancellable jobs with an id.
 */
import { randomUUID } from 'node:crypto'

export interface Job {
  id: string
  kind: string
  controller: AbortController
  done: Promise<void>
}

export class Jobs {
  private readonly jobs = new Map<string, Job>()

  start(kind: string, fn: (signal: AbortSignal, jobId: string) => Promise<void>): Job {
    const id = `${kind}-${randomUUID()}`
    const controller = new AbortController()
    const done = fn(controller.signal, id)
      .catch(() => {
        /* the job reports its own failure as an event */
      })
      .finally(() => this.jobs.delete(id))
    const job = { id, kind, controller, done }
    this.jobs.set(id, job)
    return job
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id)
    if (!job) return false
    job.controller.abort()
    return true
  }

  running(kind?: string): Job[] {
    return [...this.jobs.values()].filter((j) => !kind || j.kind === kind)
  }

  async cancelAll(): Promise<void> {
    const all = [...this.jobs.values()]
    all.forEach((j) => j.controller.abort())
    await Promise.all(all.map((j) => j.done))
  }
}
