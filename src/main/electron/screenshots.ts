/**
 * The screenshot port in the desktop app: Electron's own Chromium, a hidden sandboxed window with no
 * preload and a throw-away session of its own, which cancels every request that is not a file inside
 * the run's workspace. A page that hangs is cut off after a time limit.
 */
import { BrowserWindow, session } from 'electron'
import { randomUUID } from 'node:crypto'
import { mkdir, realpath, writeFile } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { DEFAULT_WIDTHS, isBlankPng, MAX_HEIGHT, pngSize, type ScreenshotPort, type ScreenshotRequest, type Shot } from '../runs/screenshots'

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${what} did not finish within ${ms} ms`)), ms)
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e))
    )
  })

export function electronScreenshots(): ScreenshotPort {
  async function one(req: ScreenshotRequest, root: string, html: string, w: { label: 'desktop' | 'mobile'; width: number }, timeoutMs: number): Promise<Shot> {
    const file = join(req.outDir, `${req.name}-${w.label}.png`)
    const blocked: string[] = []
    const base: Shot = { label: w.label, width: w.width, height: 0, file, bytes: 0, blank: true, timedOut: false, blockedRequests: blocked }
    const ses = session.fromPartition(`screenshots-${randomUUID()}`, { cache: false })
    ses.setPermissionRequestHandler((_wc, _p, cb) => cb(false))
    ses.setPermissionCheckHandler(() => false)
    ses.webRequest.onBeforeRequest((details, cb) => {
      const url = details.url
      if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('devtools:')) return cb({})
      if (url.startsWith('file:')) {
        let path: string
        try {
          path = fileURLToPath(url)
        } catch {
          blocked.push(url)
          return cb({ cancel: true })
        }
        // Lexical check here (the callback is synchronous); links are resolved for the page itself below.
        if (path === root || path.startsWith(root + sep)) return cb({})
      }
      blocked.push(url)
      cb({ cancel: true })
    })
    const win = new BrowserWindow({
      show: false,
      width: w.width,
      height: 800,
      useContentSize: true,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, session: ses, javascript: true, webSecurity: true, images: true, spellcheck: false, backgroundThrottling: false }
    })
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
    win.webContents.on('will-navigate', (e) => e.preventDefault())
    try {
      try {
        await withTimeout(win.loadURL(pathToFileURL(html).href), timeoutMs, 'loading the page')
      } catch {
        base.timedOut = true
      }
      const height = await withTimeout(
        win.webContents.executeJavaScript('Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)') as Promise<number>,
        Math.max(1000, timeoutMs / 2),
        'measuring the page'
      ).catch(() => 800)
      const h = Math.min(Math.max(1, Number(height) || 800), MAX_HEIGHT)
      win.setContentSize(w.width, h)
      const image = await withTimeout(win.webContents.capturePage({ x: 0, y: 0, width: w.width, height: h }), timeoutMs, 'the screenshot')
      const png = image.toPNG()
      await mkdir(req.outDir, { recursive: true })
      await writeFile(file, png)
      const size = pngSize(png)
      return { ...base, width: size.width, height: size.height, bytes: png.length, blank: isBlankPng(png) }
    } catch (err) {
      return { ...base, error: `page did not finish rendering within ${timeoutMs} ms (${(err as Error).message})` }
    } finally {
      if (!win.isDestroyed()) win.destroy()
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
      for (const w of req.widths ?? DEFAULT_WIDTHS) shots.push(await one(req, root, html, w, timeoutMs))
      return shots
    },
    async close() {}
  }
}
