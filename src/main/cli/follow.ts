/**
 * Following one long piece of work the CLI started (a batch, an analysis, a verification, its
 * explanations) to its end, in one place: its events while it runs, Ctrl+C cancelling it in the app
 * (once it has an id; a second Ctrl+C stops the CLI at once, see index.ts), and the subscription and
 * the live line let go however it ends.
 */
import type { Client, EventListener } from './client'
import type { CliIo } from './common'

export interface Follow {
  io: CliIo
  client: Client
  /** each event the app pushes while the work runs */
  onEvent: EventListener
  /** starts the work; its id */
  start: () => Promise<string>
  /** asks the app to cancel it */
  cancel: (id: string) => Promise<unknown>
  /** what is said on stderr when Ctrl+C cancels it */
  cancelling?: (id: string) => string
  /** resolves when the work has ended */
  ended: (id: string) => Promise<void>
  /** once it has ended: what its last events had not said yet */
  after?: (id: string) => Promise<void>
  /** the live line at the foot of stderr, stopped at the end */
  live?: { stop(): void }
}

/** Runs `start`, follows it to its end, and gives its id. */
export async function follow(o: Follow): Promise<string> {
  let id: string | undefined
  let stopRequested = false
  let finished = false
  const off = o.client.on(o.onEvent)
  const cancel = () => {
    if (!id || finished) return
    if (o.cancelling) o.io.err(o.cancelling(id))
    // a cancel that fails leaves the work going (in the app, when it is the app's): said, not hidden
    void o.cancel(id).catch((err: Error) => o.io.err(`warning: could not cancel ${id}: ${err.message.split('\n')[0]}`))
  }
  void o.io.untilStopped?.then(() => {
    stopRequested = true
    cancel()
  })
  try {
    await o.client.ready()
    id = await o.start()
    if (stopRequested) cancel()
    await o.ended(id)
    await o.after?.(id)
    return id
  } finally {
    finished = true
    off()
    o.live?.stop()
  }
}
