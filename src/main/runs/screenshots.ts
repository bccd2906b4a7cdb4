/**
 * The screenshot port: agent-built HTML pages rendered to full-page PNGs, desktop (1280) and mobile
 * (390). Untrusted pages never reach the network and never read files outside their own workspace:
 * the page is served under a fake origin that only our route handler answers, from inside the
 * workspace; every other request is aborted (and Chromium runs with a dead proxy and no DNS, in case
 * anything slipped past). A page that hangs is cut off after a time limit.
 *
 * This implementation drives Chromium through playwright-core (web mode, CLI, tests); the Electron app
 * uses its own Chromium through the same interface (src/main/electron/screenshots.ts).
 */
import { mkdir, realpath, readFile, writeFile } from 'node:fs/promises'
import { extname, join, relative, resolve, sep } from 'node:path'
import { inflateSync } from 'node:zlib'
import type { Browser, BrowserContext } from 'playwright-core'

export interface ScreenshotRequest {
  htmlFile: string
  /** the workspace: the only folder the page may load files from */
  root: string
  outDir: string
  name: string
  widths?: { label: 'desktop' | 'mobile'; width: number }[]
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
}

export interface ScreenshotPort {
  capture(req: ScreenshotRequest): Promise<Shot[]>
  close(): Promise<void>
}

export const DEFAULT_WIDTHS: { label: 'desktop' | 'mobile'; width: number }[] = [
  { label: 'desktop', width: 1280 },
  { label: 'mobile', width: 390 }
]
export const MAX_HEIGHT = 16384
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
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND'
]

/** Width and height from a PNG's IHDR. */
export function pngSize(buf: Buffer): { width: number; height: number } {
  if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) }
}

/** True when every pixel of an 8-bit RGB/RGBA/grey PNG has the same value. */
export function isBlankPng(buf: Buffer): boolean {
  const { width, height } = pngSize(buf)
  const bitDepth = buf[24]
  const colorType = buf[25]
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 4 | 6]
  if (bitDepth !== 8 || !channels || buf[28] !== 0) return false // unusual formats: not judged blank
  const idat: Buffer[] = []
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len))
    if (type === 'IEND') break
    at += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  let prev = Buffer.alloc(stride)
  const line = Buffer.alloc(stride)
  let first: Buffer | null = null
  for (let y = 0; y < height; y++) {
    const off = y * (stride + 1)
    const filter = raw[off]
    for (let x = 0; x < stride; x++) {
      const v = raw[off + 1 + x]
      const a = x >= channels ? line[x - channels] : 0
      const b = prev[x]
      const c = x >= channels ? prev[x - channels] : 0
      let out: number
      if (filter === 0) out = v
      else if (filter === 1) out = v + a
      else if (filter === 2) out = v + b
      else if (filter === 3) out = v + ((a + b) >> 1)
      else {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
      }
      line[x] = out & 0xff
    }
    if (!first) first = Buffer.from(line.subarray(0, channels))
    for (let x = 0; x < stride; x += channels) if (line.compare(first, 0, channels, x, x + channels) !== 0) return false
    prev = Buffer.from(line)
  }
  return true
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${what} did not finish within ${ms} ms`)), ms)
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e))
    )
  })

export function playwrightScreenshots(opts: { executablePath?: string; launchArgs?: string[] } = {}): ScreenshotPort {
  // One browser at a time, shared by the shots in flight. A failed shot retires it: new shots get a
  // fresh browser, and the retired one closes once its last shot is done (never under another shot).
  type Handle = { browser: Promise<Browser>; users: number; retired: boolean }
  let current: Handle | null = null
  const all = new Set<Handle>()
  const closeHandle = async (h: Handle) => {
    all.delete(h)
    await withTimeout(h.browser.then((x) => x.close()), 5000, 'closing the browser').catch(() => {})
  }
  const acquire = (): Handle => {
    if (!current || current.retired) {
      const h: Handle = {
        browser: import('playwright-core').then(({ chromium }) =>
          chromium.launch({ executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: opts.launchArgs ?? CHROMIUM_ARGS })
        ),
        users: 0,
        retired: false
      }
      h.browser.catch(() => (h.retired = true))
      all.add(h)
      current = h
    }
    current.users++
    return current
  }
  const release = async (h: Handle, failed: boolean) => {
    h.users--
    if (failed) h.retired = true
    if (h.retired && h.users === 0) await closeHandle(h)
  }
  // Shots are taken one at a time, so a busy machine (runs still going) delays them in the queue, and
  // the time limit measures only the page itself.
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn)
    queue = next.catch(() => {})
    return next
  }

  async function one(req: ScreenshotRequest, root: string, page: string, w: { label: 'desktop' | 'mobile'; width: number }, timeoutMs: number): Promise<Shot> {
    const file = join(req.outDir, `${req.name}-${w.label}.png`)
    const blocked: string[] = []
    const base: Shot = { label: w.label, width: w.width, height: 0, file, bytes: 0, blank: true, timedOut: false, blockedRequests: blocked }
    let context: BrowserContext | null = null
    const handle = acquire()
    let failed = false
    try {
      const b = await withTimeout(handle.browser, 30_000, 'starting Chromium')
      context = await b.newContext({ viewport: { width: w.width, height: 800 }, serviceWorkers: 'block', acceptDownloads: false, deviceScaleFactor: 1 })
      await context.routeWebSocket(/.*/, (ws) => {
        blocked.push(ws.url())
        ws.close()
      })
      await context.route('**/*', async (route) => {
        const url = route.request().url()
        if (!url.startsWith(`${ORIGIN}/`)) {
          if (!url.startsWith('data:') && !url.startsWith('blob:')) blocked.push(url)
          return url.startsWith('data:') || url.startsWith('blob:') ? route.continue() : route.abort('blockedbyclient')
        }
        const rel = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, '')
        const target = resolve(root, rel)
        const real = await realpath(target).catch(() => null)
        if (!real || (real !== root && !real.startsWith(root + sep))) {
          blocked.push(url)
          return route.fulfill({ status: 404, body: '' })
        }
        const body = await readFile(real).catch(() => null)
        if (!body) return route.fulfill({ status: 404, body: '' })
        return route.fulfill({ status: 200, body, headers: { 'content-type': MIME[extname(real).toLowerCase()] ?? 'application/octet-stream' } })
      })
      const p = await context.newPage()
      try {
        await p.goto(`${ORIGIN}/${page.split(sep).map(encodeURIComponent).join('/')}`, { waitUntil: 'load', timeout: timeoutMs })
      } catch {
        base.timedOut = true
      }
      const height = await withTimeout(
        p.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)),
        Math.max(1000, timeoutMs / 2),
        'measuring the page'
      ).catch(() => 800)
      const clipHeight = Math.min(Math.max(1, height), MAX_HEIGHT)
      const png = await withTimeout(
        p.screenshot({ fullPage: clipHeight < MAX_HEIGHT, clip: clipHeight >= MAX_HEIGHT ? { x: 0, y: 0, width: w.width, height: MAX_HEIGHT } : undefined, timeout: timeoutMs, animations: 'disabled' }),
        timeoutMs + 1000,
        'the screenshot'
      )
      await mkdir(req.outDir, { recursive: true })
      await writeFile(file, png)
      const size = pngSize(png)
      return { ...base, width: size.width, height: size.height, bytes: png.length, blank: isBlankPng(png) }
    } catch (err) {
      // A wedged page (an endless script) can take the browser with it: the next shot gets a fresh one.
      failed = true
      return { ...base, error: `page did not finish rendering within ${timeoutMs} ms (${(err as Error).message.split('\n')[0]})` }
    } finally {
      if (context) await withTimeout(context.close(), 3000, 'closing the page').catch(() => (failed = true))
      await release(handle, failed)
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
        if (shot.error && /has been closed|crashed|disconnected/i.test(shot.error) && !shot.timedOut) shot = await exclusive(() => one(req, root, page, w, timeoutMs))
        shots.push(shot)
      }
      return shots
    },
    async close() {
      current = null
      await Promise.all([...all].map(closeHandle))
    }
  }
}
