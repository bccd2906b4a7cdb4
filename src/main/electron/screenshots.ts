/**
 * The screenshot port in the desktop app: Electron's own Chromium, a hidden sandboxed window with a
 * throw-away session of its own. The same layers as the playwright port (src/main/runs/playwright-screenshots.ts):
 *
 * - every request goes through `decideWorkspaceRequest`: only files whose real path (links resolved,
 *   asynchronously, before the request is let through) is inside the run's workspace; the rest is
 *   cancelled and listed;
 * - the page guard runs in every frame before the page's scripts, from a sandboxed preload that exposes
 *   nothing (contextBridge.executeInMainWorld): no WebRTC, no WebTransport, no window.open, each attempt
 *   listed through console messages;
 * - Chromium sends no WebRTC UDP (`setWebRTCIPHandlingPolicy('disable_non_proxied_udp')`), and the
 *   session has only a dead proxy (loopback included), so TCP and DNS lookups for names go nowhere;
 *   WebTransport is switched off in Blink (workers too); downloads are cancelled.
 *
 * One time limit per width for everything; a page past it has its renderer killed and its window
 * destroyed. Pages taller than MAX_HEIGHT are shot down to MAX_HEIGHT with a note.
 */
import { BrowserWindow, session } from 'electron'
import { electronGuardPreload } from './guard-preload'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import PQueue from 'p-queue'
import { DeadlineError, withTimeout as within } from '../../shared/async'
import {
  blankShot,
  DEFAULT_WIDTHS,
  MAX_HEIGHT,
  noteBlocked,
  tallPageNote,
  type ScreenshotPort,
  type ScreenshotRequest,
  type Shot
} from '../runs/screenshots'
import { decideWorkspaceRequest } from '../runs/workspace-request'
import { isBlankPng, pngSize } from '../runs/png'

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => within(p, ms, what, DeadlineError)

export function electronScreenshots(): ScreenshotPort {
  const marker = `t2s-blocked-${randomUUID()}:`
  // The preload is written once, into a folder only we can write (mkdtemp: 0700).
  let preloadDir: Promise<string> | null = null
  const preloadFile = async () => {
    preloadDir ??= mkdtemp(join(tmpdir(), 't2s-shot-guard-')).then(async (dir) => {
      await writeFile(join(dir, 'guard.js'), electronGuardPreload(marker), { mode: 0o600 })
      return dir
    })
    return join(await preloadDir, 'guard.js')
  }
  // One at a time, as in the playwright port: the limit measures only the page.
  const queue = new PQueue({ concurrency: 1 })
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => queue.add(fn)

  async function one(
    req: ScreenshotRequest,
    root: string,
    html: string,
    w: { label: 'desktop' | 'mobile'; width: number },
    timeoutMs: number
  ): Promise<Shot> {
    const base = blankShot(req, w)
    const { file, blockedRequests: blocked } = base
    const preload = await preloadFile()
    const ses = session.fromPartition(`screenshots-${randomUUID()}`, { cache: false })
    ses.setPermissionRequestHandler((_wc, _p, cb) => cb(false))
    ses.setPermissionCheckHandler(() => false)
    ses.on('will-download', (e, item) => {
      e.preventDefault()
      noteBlocked(blocked, `download ${item.getURL().slice(0, 200)}`)
    })
    ses.webRequest.onBeforeRequest((details, cb) => {
      const url = details.url
      if (url.startsWith('devtools:')) return cb({})
      // Electron lets the callback come later: the links on the path are resolved first.
      decideWorkspaceRequest(url, root).then(
        (d) => {
          if (d.action === 'block') noteBlocked(blocked, url)
          cb(d.action === 'pass' || d.action === 'serve' ? {} : { cancel: true })
        },
        () => {
          noteBlocked(blocked, url)
          cb({ cancel: true })
        }
      )
    })
    const deadline = Date.now() + timeoutMs
    const left = () => deadline - Date.now()
    const reserve = Math.min(3000, Math.max(500, timeoutMs / 4))
    // A dead proxy for everything, loopback included: what is not a request (WebRTC over TCP, DNS for
    // names, QUIC) has nowhere to go either.
    await withTimeout(
      ses.setProxy({ mode: 'fixed_servers', proxyRules: 'http://127.0.0.1:9', proxyBypassRules: '<-loopback>' }),
      left(),
      'setting up the session'
    ).catch(() => {})
    const win = new BrowserWindow({
      show: false,
      width: w.width,
      height: 800,
      useContentSize: true,
      // macOS keeps windows within the screen otherwise, and tall pages are shot by resizing the window
      enableLargerThanScreen: true,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        // only makes the (sandboxed, exposing nothing) guard preload run in every frame
        nodeIntegrationInSubFrames: true,
        preload,
        session: ses,
        javascript: true,
        webSecurity: true,
        images: true,
        spellcheck: false,
        backgroundThrottling: false,
        disableBlinkFeatures: 'WebTransport'
      }
    })
    const wc = win.webContents
    wc.setWebRTCIPHandlingPolicy('disable_non_proxied_udp')
    wc.setWindowOpenHandler(({ url }) => {
      noteBlocked(blocked, `window.open ${url}`)
      return { action: 'deny' }
    })
    wc.on('will-navigate', (e) => e.preventDefault())
    wc.on('console-message', (e) => {
      if (e.level === 'debug' && e.message.startsWith(marker)) noteBlocked(blocked, e.message.slice(marker.length))
    })
    try {
      try {
        await withTimeout(win.loadURL(pathToFileURL(html).href), Math.max(1, left() - reserve), 'loading the page')
      } catch {
        base.timedOut = true
      }
      let pageHeight = 800
      try {
        const h = await withTimeout(
          wc.executeJavaScript(
            'Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)'
          ) as Promise<number>,
          left(),
          'measuring the page'
        )
        pageHeight = Math.max(1, Math.ceil(Number(h) || 800))
      } catch (err) {
        if (err instanceof DeadlineError) throw err // a script that never yields: no screenshot either
      }
      const h = Math.min(pageHeight, MAX_HEIGHT)
      win.setContentSize(w.width, h)
      const image = await withTimeout(wc.capturePage({ x: 0, y: 0, width: w.width, height: h }), left(), 'the screenshot')
      const png = image.toPNG()
      await mkdir(req.outDir, { recursive: true })
      await writeFile(file, png)
      const size = pngSize(png)
      const tall = pageHeight > MAX_HEIGHT ? { pageHeight, note: tallPageNote(pageHeight) } : {}
      return { ...base, ...tall, width: size.width, height: size.height, bytes: png.length, blank: isBlankPng(png) }
    } catch (err) {
      const late = err instanceof DeadlineError || Date.now() >= deadline
      if (late) base.timedOut = true
      const why = (err as Error).message.split('\n')[0]
      return { ...base, error: late ? `page did not finish rendering within ${timeoutMs} ms (${why})` : `screenshot failed: ${why}` }
    } finally {
      // A wedged renderer is killed outright (it is this throw-away session's alone), then the window goes.
      if (!win.isDestroyed()) {
        if (base.timedOut && !wc.isDestroyed()) wc.forcefullyCrashRenderer()
        win.destroy()
      }
      void ses.clearStorageData().catch(() => {})
    }
  }
  return {
    async capture(req) {
      const timeoutMs = req.timeoutMs ?? 10_000
      const root = await realpath(req.root)
      const html = await realpath(req.htmlFile)
      if (!html.startsWith(root + sep)) throw new Error(`refused: ${req.htmlFile} is outside its workspace`)
      const shots: Shot[] = []
      for (const w of req.widths ?? DEFAULT_WIDTHS) shots.push(await exclusive(() => one(req, root, html, w, timeoutMs)))
      return shots
    },
    async close() {
      const dir = preloadDir
      preloadDir = null
      if (dir) await rm(await dir, { recursive: true, force: true }).catch(() => {})
    }
  }
}
