/**
 * The screenshot port (src/main/runs/screenshots.ts) on playwright-core's Chromium: web mode, the CLI
 * and the tests. The Electron app uses its own Chromium through the same port
 * (src/main/electron/screenshots.ts).
 */
import { randomUUID } from 'node:crypto'
import { mkdir, realpath, writeFile } from 'node:fs/promises'
import { extname, relative, sep } from 'node:path'
import type { BrowserContext, Route } from 'playwright-core'
import PQueue from 'p-queue'
import { DeadlineError, withTimeout } from '../../shared/async'
import {
  blankShot,
  DEFAULT_WIDTHS,
  MAX_HEIGHT,
  noteBlocked,
  tallPageNote,
  type ScreenshotPort,
  type ScreenshotRequest,
  type Shot
} from './screenshots'
import { pageGuardScript } from './page-guard'
import { decideWorkspaceRequest, readWorkspaceFile, type WorkspaceDecision } from './workspace-request'
import { isBlankPng, pngSize } from './png'
import { SharedBrowser } from './playwright-browser'

const ORIGIN = 'http://workspace.invalid'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf'
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  // Defense in depth: nothing that escapes the route handler can resolve a name or reach a host.
  // `<-loopback>` takes loopback OUT of the implicit bypass list: 127.0.0.1 goes to the dead proxy too.
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  // WebRTC (STUN/TURN over UDP, mDNS host candidates) and QUIC never pass the route handler or the
  // proxy. `disable_non_proxied_udp` leaves WebRTC only TCP through the (dead) proxy; Debian's
  // Chromium honours the first switch, Chrome's policy override is the second.
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--disable-quic',
  '--disable-blink-features=WebTransport'
]

const MEASURE = () => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)

/** Answers a page's request: a workspace file under ORIGIN, data: and blob: through, anything else aborted and listed. */
async function answer(route: Route, root: string, blocked: string[]): Promise<void> {
  const url = route.request().url()
  const d = await decideWorkspaceRequest(url, root, { origin: ORIGIN }).catch((): WorkspaceDecision => ({
    action: 'block',
    reason: 'error'
  }))
  // a route that cannot be answered any more belongs to a page already closed
  if (d.action === 'pass') return route.continue().catch(() => {})
  if (d.action === 'block') noteBlocked(blocked, url)
  const body = d.action === 'serve' ? await readWorkspaceFile(d.path) : null
  if (!body) return route.fulfill({ status: 404, body: '' }).catch(() => {})
  const type = MIME[extname(d.action === 'serve' ? d.path : '').toLowerCase()] ?? 'application/octet-stream'
  return route.fulfill({ status: 200, body, headers: { 'content-type': type } }).catch(() => {})
}

interface ShotContext {
  browsers: SharedBrowser
  /** the prefix of the guard's reports on the console */
  marker: string
  /** the guard script, made once for the marker */
  guard: string
}

/** One shot of a page at one width, within one time limit for everything; never throws. */
async function shoot(
  c: ShotContext,
  req: ScreenshotRequest,
  root: string,
  page: string,
  w: { label: 'desktop' | 'mobile'; width: number },
  timeoutMs: number
): Promise<Shot> {
  const base = blankShot(req, w)
  const { file, blockedRequests: blocked } = base
  let context: BrowserContext | null = null
  const handle = c.browsers.acquire()
  let failed = false
  let deadline = Infinity
  try {
    const { browser } = await withTimeout(handle.running, 30_000, 'starting Chromium')
    // One limit for everything the page does at this width; the load gets all but a reserve, so a
    // page that never finishes loading is still shot as it stands.
    deadline = Date.now() + timeoutMs
    const left = () => deadline - Date.now()
    const inTime = <T>(p: Promise<T>, what: string) => withTimeout(p, left(), what, DeadlineError)
    const reserve = Math.min(3000, Math.max(500, timeoutMs / 4))
    const opening = browser.newContext({
      viewport: { width: w.width, height: 800 },
      serviceWorkers: 'block',
      acceptDownloads: false,
      deviceScaleFactor: 1
    })
    context = await inTime(opening, 'opening a context').catch((err) => {
      void opening.then((late) => late.close()).catch(() => {}) // one that comes too late is closed when it comes
      throw err
    })
    context.on('console', (msg) => {
      if (msg.type() !== 'debug') return
      const text = msg.text()
      if (text.startsWith(c.marker)) noteBlocked(blocked, text.slice(c.marker.length))
    })
    await inTime(context.addInitScript({ content: c.guard }), 'installing the guard')
    await inTime(
      context.routeWebSocket(/.*/, (ws) => {
        noteBlocked(blocked, ws.url())
        ws.close()
      }),
      'installing the filter'
    )
    await inTime(
      context.route('**/*', (route) => answer(route, root, blocked)),
      'installing the filter'
    )
    const p = await inTime(context.newPage(), 'opening the page')
    try {
      await p.goto(`${ORIGIN}/${page.split(sep).map(encodeURIComponent).join('/')}`, {
        waitUntil: 'load',
        timeout: Math.max(1, left() - reserve)
      })
    } catch {
      base.timedOut = true
    }
    let pageHeight = 800
    try {
      pageHeight = Math.max(1, Math.ceil(Number(await inTime(p.evaluate(MEASURE), 'measuring the page')) || 800))
    } catch (err) {
      if (err instanceof DeadlineError) throw err // the page's script never yields: no screenshot either
    }
    const clipped = pageHeight > MAX_HEIGHT
    const png = await inTime(
      p.screenshot({
        fullPage: true,
        clip: clipped ? { x: 0, y: 0, width: w.width, height: MAX_HEIGHT } : undefined,
        timeout: Math.max(1, left()),
        animations: 'disabled'
      }),
      'the screenshot'
    )
    await mkdir(req.outDir, { recursive: true })
    await writeFile(file, png)
    const size = pngSize(png)
    const tall = clipped ? { pageHeight, note: tallPageNote(pageHeight) } : {}
    return { ...base, ...tall, width: size.width, height: size.height, bytes: png.length, blank: isBlankPng(png) }
  } catch (err) {
    const late = err instanceof DeadlineError || (err as Error).name === 'TimeoutError' || Date.now() >= deadline
    if (late) base.timedOut = true
    else failed = true // the browser died under us (or would not start): the next shot gets a fresh one
    const why = (err as Error).message.split('\n')[0]
    return { ...base, error: late ? `page did not finish rendering within ${timeoutMs} ms (${why})` : `screenshot failed: ${why}` }
  } finally {
    // Closing the context ends the page's renderer, wedged or not; if even that hangs, kill the browser.
    if (
      context &&
      !(await withTimeout(context.close(), 2000, 'closing the page').then(
        () => true,
        () => false
      ))
    ) {
      failed = true
      // a browser that cannot even be killed is left to the port's close()
      await handle.running.then(({ server }) => withTimeout(server.kill(), 2000, 'killing the browser')).catch(() => {})
    }
    c.browsers.release(handle, failed)
  }
}

export function playwrightScreenshots(opts: { executablePath?: string; launchArgs?: string[] } = {}): ScreenshotPort {
  const browsers = new SharedBrowser({
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: opts.launchArgs ?? CHROMIUM_ARGS
  })
  const marker = `t2s-blocked-${randomUUID()}:`
  const c: ShotContext = { browsers, marker, guard: pageGuardScript(marker) }
  // Shots are taken one at a time, so a busy machine (runs still going) delays them in the queue, and
  // the time limit measures only the page itself.
  const queue = new PQueue({ concurrency: 1 })
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => queue.add(fn)

  return {
    async capture(req) {
      const timeoutMs = req.timeoutMs ?? 10_000
      const root = await realpath(req.root)
      const html = await realpath(req.htmlFile)
      if (!html.startsWith(root + sep)) throw new Error(`refused: ${req.htmlFile} is outside its workspace`)
      const page = relative(root, html)
      const shots: Shot[] = []
      for (const w of req.widths ?? DEFAULT_WIDTHS) {
        let shot = await exclusive(() => shoot(c, req, root, page, w, timeoutMs))
        // A browser that died under us (not the page running out of time) gets one more try.
        if (shot.error && !shot.timedOut && /has been closed|crashed|disconnected/i.test(shot.error))
          shot = await exclusive(() => shoot(c, req, root, page, w, timeoutMs))
        shots.push(shot)
      }
      return shots
    },
    close() {
      return browsers.close()
    }
  }
}
