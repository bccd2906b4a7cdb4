/**
 * The Chromium that the playwright screenshot port shares between its shots: one browser at a time,
 * launched on first use. A browser that failed (crashed, or a page in it could not even be closed) is
 * retired: new shots get a fresh one, and the retired one is closed in the background, killed if
 * closing hangs. Launched as a server only for its kill().
 */
import type { Browser, BrowserServer } from 'playwright-core'
import { withTimeout } from '../../shared/async'

export interface Running {
  server: BrowserServer
  browser: Browser
}
export interface BrowserHandle {
  running: Promise<Running>
  users: number
  retired: boolean
}

export class SharedBrowser {
  private current: BrowserHandle | null = null
  private readonly closing = new Set<Promise<void>>()
  private readonly all = new Set<BrowserHandle>()

  constructor(private readonly launch: { executablePath: string; args: string[] }) {}

  private closeHandle(h: BrowserHandle): Promise<void> {
    this.all.delete(h)
    const done = h.running
      .then(async ({ server, browser }) => {
        const graceful = Promise.allSettled([browser.close(), server.close()])
        await withTimeout(graceful, 3000, 'closing the browser').catch(() => server.kill())
      })
      // a browser that never started, or whose kill failed, has nothing left to close
      .catch(() => {})
      .finally(() => this.closing.delete(done))
    this.closing.add(done)
    return done
  }

  /** The browser for one shot (started if need be); give it back with release(). */
  acquire(): BrowserHandle {
    if (!this.current || this.current.retired) {
      const running = import('playwright-core').then(async ({ chromium }) => {
        const server = await chromium.launchServer(this.launch)
        try {
          return { server, browser: await chromium.connect(server.wsEndpoint()) }
        } catch (err) {
          // the connect error is the one thrown; a kill that fails leaves nothing more to do
          await server.kill().catch(() => {})
          throw err
        }
      })
      const h: BrowserHandle = { running, users: 0, retired: false }
      // a launch that failed retires its handle (the shot waiting on it reports the error)
      running.catch(() => (h.retired = true))
      this.all.add(h)
      this.current = h
    }
    this.current.users++
    return this.current
  }

  /** A shot is done with its browser; `failed` retires it (closed once its last shot is done). */
  release(h: BrowserHandle, failed: boolean): void {
    h.users--
    if (failed) h.retired = true
    if (h.retired && h.users === 0 && this.all.has(h)) void this.closeHandle(h)
  }

  async close(): Promise<void> {
    this.current = null
    await Promise.all([...[...this.all].map((h) => this.closeHandle(h)), ...this.closing])
  }
}
