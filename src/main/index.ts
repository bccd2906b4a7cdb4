/**
 * The Electron shell: window, security, IPC wiring and Electron-only adapters. Everything else is
 * the Electron-free core in ../app, ../traces and ../store.
 */
import { app, BrowserWindow, dialog } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { VERSION } from '../shared/version'
import { claudeConfigDir, dataDir } from './app/paths'
import { createService, type Service } from './app/service'
import { wireIpc } from './electron/ipc'
import { keychainSecrets } from './electron/secrets'
import { electronScreenshots } from './electron/screenshots'
import { applyGlobalSecurity } from './electron/security'
import { createMainWindow } from './electron/window'
import { serveAppApi } from './web/app-api'
import type { WebServer } from './web/server'

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..')
let win: BrowserWindow | null = null
let service: Service | null = null
/** the contract on 127.0.0.1 with a token, for the command line's writing commands while this app holds the data folder */
let api: WebServer | null = null

// Every renderer sandboxed, including windows not made by createMainWindow (the Electron checklist).
app.enableSandbox()
// No renderer of this app needs WebRTC or QUIC: no UDP leaves by them, whatever a page does (the
// screenshot window also sets this per page, and removes the APIs).
app.commandLine.appendSwitch('webrtc-ip-handling-policy', 'disable_non_proxied_udp')
app.commandLine.appendSwitch('force-webrtc-ip-handling-policy')
app.commandLine.appendSwitch('disable-quic')

if (!app.requestSingleInstanceLock()) app.quit()

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore()
    win.focus()
  }
})

app.whenReady().then(async () => {
  applyGlobalSecurity()
  const data = dataDir(process.env, app.getPath('userData'))
  try {
    service = await startService(data)
  } catch (err) {
    // e.g. `trace2skill web` or `run` holds the data folder: say who, and do not start a second writer
    dialog.showErrorBox('trace2skill cannot start', (err as Error).message)
    app.exit(1)
    return
  }
  // the same local API as web mode (no page): `trace2skill run`, `grade`... go through this app
  api = await serveAppApi({ handlers: service.handlers, hub: service.hub, dataDir: data, what: 'the desktop app' }).catch((err) => {
    console.warn(`trace2skill: the command line cannot reach this app: ${(err as Error).message}`)
    return null
  })
  const created = createMainWindow(outDir)
  win = created.win
  wireIpc(service.handlers, service.hub, () => win, created.rendererUrl)
  win.on('closed', () => (win = null))
})

function startService(data: string): Promise<Service> {
  return createService({
    owner: 'the desktop app',
    configDir: claudeConfigDir(),
    dataDir: data,
    screenshots: electronScreenshots(),
    secrets: keychainSecrets(data),
    mode: 'electron',
    version: VERSION,
    watch: true,
    indexOnStart: true,
    summaryWorker: join(outDir, 'main', 'summary-worker.js'),
    imageWorker: join(outDir, 'main', 'image-worker.js'),
    pickFolder: async () => {
      const options: Electron.OpenDialogOptions = { properties: ['openDirectory'] }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    }
  })
}

app.on('window-all-closed', () => app.quit())

let quitting = false
app.on('before-quit', (e) => {
  if (quitting || !service) return
  e.preventDefault()
  quitting = true
  void Promise.resolve(api?.close())
    .catch(() => {})
    .then(() => service!.dispose())
    .finally(() => app.quit())
})
