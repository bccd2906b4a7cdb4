/**
 * The Electron security baseline, applied to every window and session the app creates.
 * Imports electron: part of the thin shell only.
 */
import { app, session, shell, type BrowserWindow, type Session, type WebContents } from 'electron'
import { pathToFileURL } from 'node:url'

/** Is this frame URL one of ours? (the built renderer file, or the dev server in `electron-vite dev`) */
export function isAppUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url)
    const r = new URL(rendererUrl)
    if (r.protocol === 'file:') return u.protocol === 'file:' && u.pathname === r.pathname
    return u.origin === r.origin
  } catch {
    return false
  }
}

export function rendererUrlFor(file: string): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(file).href
}

export function hardenSession(s: Session): void {
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  s.setPermissionCheckHandler(() => false)
  s.setDevicePermissionHandler(() => false)
  s.on('will-download', (event) => event.preventDefault())
}

export function hardenContents(contents: WebContents, rendererUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

export function applyGlobalSecurity(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
  hardenSession(session.defaultSession)
}

export const secureWebPreferences = (preload: string) =>
  ({
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false
  }) satisfies Electron.WebPreferences

export type { BrowserWindow }
