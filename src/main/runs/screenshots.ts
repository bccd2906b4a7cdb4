/**
 * The screenshot port: agent-built HTML pages rendered to full-page PNGs, desktop (1280) and mobile
 * (390). Pages are untrusted. They never reach the network and never read files outside their own
 * workspace, in layers:
 *
 * - the page is served under a fake origin that only our route handler answers, with files whose real
 *   path (every symbolic link resolved) is inside the workspace; every other request is aborted and
 *   listed (`decideWorkspaceRequest`, shared with the Electron port);
 * - a guard runs in every frame before the page's own scripts (`PAGE_GUARD_SOURCE`): WebRTC and
 *   WebTransport, which do not go through the request filter (UDP, QUIC), are removed, and so is
 *   `window.open`; each attempt is reported back and listed as blocked;
 * - Chromium itself sends no UDP for WebRTC (`disable_non_proxied_udp`), speaks no QUIC, resolves no
 *   name and has only a dead proxy for everything (loopback included), in case anything slipped past.
 *
 * Each page gets one time limit per width for everything (load, measuring, the screenshot); a page
 * that runs past it is cut off, its renderer closed, and the browser killed if even that hangs, so an
 * endless script never holds the queue. Pages taller than MAX_HEIGHT are shot down to MAX_HEIGHT and
 * say so (`pageHeight`, `note`).
 *
 * This implementation drives Chromium through playwright-core (web mode, CLI, tests); the Electron app
 * uses its own Chromium through the same interface (src/main/electron/screenshots.ts).
 */
import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdir, open, realpath, stat, writeFile } from 'node:fs/promises'
import { dirname, extname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, BrowserServer } from 'playwright-core'
import PQueue from 'p-queue'
import { PNG } from 'pngjs'
import { DeadlineError, withTimeout } from '../../shared/async'

export interface ScreenshotRequest {
  htmlFile: string
  /** the workspace: the only folder the page may load files from */
  root: string
  outDir: string
  name: string
  widths?: { label: 'desktop' | 'mobile'; width: number }[]
  /** the time limit per width, for everything the page does (default 10 s) */
  timeoutMs?: number
}

export interface Shot {
  label: 'desktop' | 'mobile'
  width: number
  height: number
  file: string
  bytes: number
  blank: boolean
  timedOut: boolean
  blockedRequests: string[]
  error?: string
  /** the page's full height in CSS px, when it is taller than the shot (which then stops at MAX_HEIGHT) */
  pageHeight?: number
  /** one line for people, e.g. that the page was cut at MAX_HEIGHT */
  note?: string
}

export interface ScreenshotPort {
  capture(req: ScreenshotRequest): Promise<Shot[]>
  close(): Promise<void>
}

export const DEFAULT_WIDTHS: { label: 'desktop' | 'mobile'; width: number }[] = [
  { label: 'desktop', width: 1280 },
  { label: 'mobile', width: 390 }
]
/** Chromium's largest texture: taller pages are shot down to here. */
export const MAX_HEIGHT = 16384
/** At most this many blocked requests are listed per shot (a page can make millions). */
export const MAX_BLOCKED = 200
/** Workspace files larger than this are not served to a page. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024
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

/** Adds a blocked request to a shot's list, capped at MAX_BLOCKED entries of at most 500 characters. */
export function noteBlocked(list: string[], entry: string): void {
  if (list.length < MAX_BLOCKED) list.push(entry.length > 500 ? `${entry.slice(0, 500)}…` : entry)
  else if (list.length === MAX_BLOCKED) list.push('… and more, not listed')
}

/** The note on a shot cut at MAX_HEIGHT. */
export function tallPageNote(pageHeight: number): string {
  return `page is ${pageHeight.toLocaleString('en-US')} px tall; the first ${MAX_HEIGHT.toLocaleString('en-US')} px are shown`
}

/**
 * The guard: plain JavaScript, run in every frame of an untrusted page before any of its own scripts
 * (as a function of one argument, the marker). It removes what reaches the network without a request
 * the filter sees: every WebRTC interface (RTCPeerConnection and the rest, so none can be rebuilt) and
 * WebTransport; and window.open (no popups, which only cost processes). Calling one of them throws
 * NotSupportedError and reports `<marker>webrtc <ice servers>` (or `webtransport <url>`,
 * `window.open <url>`) through the console.debug it kept, which the port lists as blocked. A page can
 * print such a line itself: that only adds an entry to its own list.
 *
 * Frames created by script (about:blank, srcdoc, data:, popups) get the guard too; workers have no
 * WebRTC, and WebTransport is also switched off in Chromium (`--disable-blink-features`, only exposed
 * in secure contexts anyway), while Chromium's WebRTC policy (above) holds if the guard is ever bypassed.
 */
export const PAGE_GUARD_SOURCE = `function (marker) {
  'use strict';
  var g = window, con = console, debug = console.debug, apply = Reflect.apply, S = String, DE = DOMException;
  var defineProperty = Object.defineProperty, names = Object.getOwnPropertyNames(g);
  function report(what) {
    try { apply(debug, con, [marker + S(what).slice(0, 500)]); } catch (e) {}
  }
  function iceServers(cfg) {
    var out = [];
    try {
      var servers = cfg && cfg.iceServers;
      for (var i = 0; servers && i < servers.length && i < 8; i++) {
        var u = servers[i] && servers[i].urls;
        if (typeof u === 'string') out.push(u);
        else for (var j = 0; u && j < u.length && j < 8; j++) out.push(S(u[j]));
      }
    } catch (e) {}
    return out.join(' ') || '(no servers)';
  }
  function define(name, value) {
    try { defineProperty(g, name, { value: value, writable: true, configurable: true, enumerable: false }); } catch (e) {}
  }
  function refuse(name, describe) {
    var f = function () {
      report(describe(arguments));
      throw new DE(name + ' is switched off while the page is screenshotted', 'NotSupportedError');
    };
    try { defineProperty(f, 'name', { value: name }); } catch (e) {}
    return f;
  }
  for (var k = 0; k < names.length; k++) {
    var n = names[k];
    if (!/^(webkit)?RTC|^WebTransport|^(TCP|UDP|TCPServer|Multicast)Socket$/.test(n)) continue;
    if (n === 'RTCPeerConnection' || n === 'webkitRTCPeerConnection') define(n, refuse(n, function (a) { return 'webrtc ' + iceServers(a[0]); }));
    else if (n === 'WebTransport') define(n, refuse(n, function (a) { return 'webtransport ' + S(a[0]); }));
    else {
      try { delete g[n]; } catch (e) {}
      if (n in g) define(n, undefined);
    }
  }
  define('open', function open(url) { report('window.open ' + (url === undefined ? '' : S(url))); return null; });
}`

/** The guard as a script for one page load (`context.addInitScript`). */
export function pageGuardScript(marker: string): string {
  return `(${PAGE_GUARD_SOURCE})(${JSON.stringify(marker)});`
}

export type WorkspaceDecision =
  /** data: and blob: URLs: made in memory, nothing leaves */
  | { action: 'pass' }
  /** a regular file (or folder) whose real path is inside the workspace */
  | { action: 'serve'; path: string }
  /** inside the workspace, but no such file: not an escape, not listed */
  | { action: 'missing' }
  /** anything else: the network, a path out, a link out, a device or FIFO */
  | { action: 'block'; reason: string }

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)

/**
 * May an untrusted page load this URL? Only files whose REAL path (every symbolic link on the way
 * resolved) is inside the workspace, and only regular files and folders. With `origin`, URLs under it
 * map to the workspace (the playwright port); without, `file:` URLs do (the Electron port).
 */
export async function decideWorkspaceRequest(url: string, root: string, opts: { origin?: string } = {}): Promise<WorkspaceDecision> {
  if (/^(data|blob):/i.test(url)) return { action: 'pass' }
  const block = (reason: string): WorkspaceDecision => ({ action: 'block', reason })
  let realRoot: string
  try {
    realRoot = await realpath(root)
  } catch {
    return block('no workspace')
  }
  let path: string
  try {
    if (opts.origin !== undefined) {
      if (!url.startsWith(`${opts.origin}/`)) return block('network')
      path = resolve(realRoot, decodeURIComponent(new URL(url).pathname).replace(/^\/+/, ''))
    } else {
      if (!/^file:/i.test(url)) return block('network')
      path = resolve(fileURLToPath(url))
    }
  } catch {
    return block('malformed')
  }
  if (path.includes('\0')) return block('malformed')
  if (!inside(path, realRoot)) return block('outside the workspace')
  let real: string
  try {
    real = await realpath(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return block(`unreadable (${code})`)
    // Missing: harmless only if the nearest folder that exists is really inside the workspace.
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const realDir = await realpath(dir).catch(() => null)
      if (realDir) return inside(realDir, realRoot) ? { action: 'missing' } : block('a link out of the workspace')
      if (dir === dirname(dir)) return block('outside the workspace')
    }
  }
  if (!inside(real, realRoot)) return block('a link out of the workspace')
  const st = await stat(real).catch(() => null)
  if (!st || !(st.isFile() || st.isDirectory())) return block('not a regular file')
  return { action: 'serve', path: real }
}

/**
 * Reads a file that decideWorkspaceRequest allowed, without following a link swapped in since, without
 * blocking on a FIFO, and only up to MAX_FILE_BYTES. Null when it is not a regular file (any more).
 */
export async function readWorkspaceFile(path: string): Promise<Buffer | null> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null)
  if (!fh) return null
  try {
    const st = await fh.stat()
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null
    return await fh.readFile()
  } catch {
    return null
  } finally {
    await fh.close().catch(() => {})
  }
}

/** Width and height from a PNG's IHDR. */
export function pngSize(buf: Buffer): { width: number; height: number } {
  if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) }
}

/** True when every pixel of an 8-bit RGB/RGBA/grey PNG has the same value. */
export function isBlankPng(buf: Buffer): boolean {
  const { width, height } = pngSize(buf)
  const [bitDepth, colorType, , , interlace] = buf.subarray(24, 29)
  if (bitDepth !== 8 || ![0, 2, 4, 6].includes(colorType) || interlace !== 0) return false // unusual formats: not judged blank
  if (!width || !height) return true
  // pngjs gives RGBA (grey spread to RGB, alpha 255 where the PNG has none): equal pixels stay equal, different ones differ
  const { data } = PNG.sync.read(buf, { checkCRC: false })
  const first = data.readUInt32LE(0)
  for (let at = 4; at < data.length; at += 4) if (data.readUInt32LE(at) !== first) return false
  return true
}

const MEASURE = () => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)

export function playwrightScreenshots(opts: { executablePath?: string; launchArgs?: string[] } = {}): ScreenshotPort {
  // One browser at a time, shared by the shots (taken one at a time). A browser that failed (crashed,
  // or a page in it could not even be closed) is retired: new shots get a fresh one, and the retired one
  // is closed in the background, killed if closing hangs. Launched as a server only for its kill().
  type Running = { server: BrowserServer; browser: Browser }
  type Handle = { running: Promise<Running>; users: number; retired: boolean }
  let current: Handle | null = null
  const closing = new Set<Promise<void>>()
  const all = new Set<Handle>()
  const marker = `t2s-blocked-${randomUUID()}:`
  const guard = pageGuardScript(marker)

  const closeHandle = (h: Handle): Promise<void> => {
    all.delete(h)
    const done = h.running
      .then(async ({ server, browser }) => {
        const graceful = Promise.allSettled([browser.close(), server.close()])
        await withTimeout(graceful, 3000, 'closing the browser').catch(() => server.kill())
      })
      .catch(() => {})
      .finally(() => closing.delete(done))
    closing.add(done)
    return done
  }
  const acquire = (): Handle => {
    if (!current || current.retired) {
      const running = import('playwright-core').then(async ({ chromium }) => {
        const server = await chromium.launchServer({
          executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: opts.launchArgs ?? CHROMIUM_ARGS
        })
        try {
          return { server, browser: await chromium.connect(server.wsEndpoint()) }
        } catch (err) {
          await server.kill().catch(() => {})
          throw err
        }
      })
      const h: Handle = { running, users: 0, retired: false }
      running.catch(() => (h.retired = true))
      all.add(h)
      current = h
    }
    current.users++
    return current
  }
  const release = (h: Handle, failed: boolean) => {
    h.users--
    if (failed) h.retired = true
    if (h.retired && h.users === 0 && all.has(h)) void closeHandle(h)
  }
  // Shots are taken one at a time, so a busy machine (runs still going) delays them in the queue, and
  // the time limit measures only the page itself.
  const queue = new PQueue({ concurrency: 1 })
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => queue.add(fn)

  async function one(
    req: ScreenshotRequest,
    root: string,
    page: string,
    w: { label: 'desktop' | 'mobile'; width: number },
    timeoutMs: number
  ): Promise<Shot> {
    const file = join(req.outDir, `${req.name}-${w.label}.png`)
    const blocked: string[] = []
    const base: Shot = { label: w.label, width: w.width, height: 0, file, bytes: 0, blank: true, timedOut: false, blockedRequests: blocked }
    let context: BrowserContext | null = null
    const handle = acquire()
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
        void opening.then((c) => c.close()).catch(() => {}) // one that comes too late is closed when it comes
        throw err
      })
      context.on('console', (msg) => {
        if (msg.type() !== 'debug') return
        const text = msg.text()
        if (text.startsWith(marker)) noteBlocked(blocked, text.slice(marker.length))
      })
      await inTime(context.addInitScript({ content: guard }), 'installing the guard')
      await inTime(
        context.routeWebSocket(/.*/, (ws) => {
          noteBlocked(blocked, ws.url())
          ws.close()
        }),
        'installing the filter'
      )
      await inTime(
        context.route('**/*', async (route) => {
          const url = route.request().url()
          const d = await decideWorkspaceRequest(url, root, { origin: ORIGIN }).catch((): WorkspaceDecision => ({
            action: 'block',
            reason: 'error'
          }))
          if (d.action === 'pass') return route.continue().catch(() => {})
          if (d.action === 'block') noteBlocked(blocked, url)
          const body = d.action === 'serve' ? await readWorkspaceFile(d.path) : null
          if (!body) return route.fulfill({ status: 404, body: '' }).catch(() => {})
          const type = MIME[extname(d.action === 'serve' ? d.path : '').toLowerCase()] ?? 'application/octet-stream'
          return route.fulfill({ status: 200, body, headers: { 'content-type': type } }).catch(() => {})
        }),
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
        await handle.running.then(({ server }) => withTimeout(server.kill(), 2000, 'killing the browser')).catch(() => {})
      }
      release(handle, failed)
    }
  }

  return {
    async capture(req) {
      const timeoutMs = req.timeoutMs ?? 10_000
      const root = await realpath(req.root)
      const html = await realpath(req.htmlFile)
      if (!html.startsWith(root + sep)) throw new Error(`refused: ${req.htmlFile} is outside its workspace`)
      const page = relative(root, html)
      const shots: Shot[] = []
      for (const w of req.widths ?? DEFAULT_WIDTHS) {
        let shot = await exclusive(() => one(req, root, page, w, timeoutMs))
        // A browser that died under us (not the page running out of time) gets one more try.
        if (shot.error && !shot.timedOut && /has been closed|crashed|disconnected/i.test(shot.error))
          shot = await exclusive(() => one(req, root, page, w, timeoutMs))
        shots.push(shot)
      }
      return shots
    },
    async close() {
      current = null
      await Promise.all([...[...all].map(closeHandle), ...closing])
    }
  }
}
