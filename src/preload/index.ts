/**
 * The sandboxed preload: exposes exactly the contract's methods as `window.api`, never ipcRenderer.
 * Bundled into one CommonJS file (see electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { channelOf, createApi, type EventName, type RequestName } from '../shared/contract'

const api = createApi({
  async invoke(name: RequestName, input: unknown) {
    const reply = (await ipcRenderer.invoke(channelOf(name), input)) as { ok: true; value: unknown } | { ok: false; error: string }
    if (!reply.ok) throw new Error(reply.error)
    return reply.value
  },
  subscribe(event: EventName, listener: (payload: unknown) => void) {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channelOf(event), wrapped)
    return () => void ipcRenderer.removeListener(channelOf(event), wrapped)
  }
})

contextBridge.exposeInMainWorld('api', api)
