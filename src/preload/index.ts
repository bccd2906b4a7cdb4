/**
 * The sandboxed preload: exposes one narrow bridge, `window.t2s`, never ipcRenderer. It carries only
 * the contract's requests and events; the renderer builds `window.api` over it (src/renderer/src/api.ts).
 * A failed request comes back as a plain `{ ok: false, error, code }` reply, never as a thrown Error:
 * Electron's contextBridge copies only an Error's message, so the code would be lost on the way.
 * Bundled into one CommonJS file (see electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { bridgeOverIpc } from './bridge'

contextBridge.exposeInMainWorld('t2s', bridgeOverIpc(ipcRenderer))
