/**
 * The preload's bridge over IPC, Electron-free so tests can drive it: only the contract's requests and
 * events pass, and every answer is a Reply (plain data, which contextBridge copies whole).
 */
import { channelOf, isEventName, isRequestName, type EventName, type RequestName } from '../shared/channels'
import type { Reply, Transport } from '../shared/contract'

/** The part of ipcRenderer the bridge uses. */
export interface IpcLike {
  invoke(channel: string, input: unknown): Promise<unknown>
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown
}

export function bridgeOverIpc(ipc: IpcLike): Transport {
  return {
    async request(name: RequestName, input: unknown): Promise<Reply> {
      if (!isRequestName(name)) return { ok: false, error: `unknown request: ${String(name).slice(0, 80)}`, code: 'not-found' }
      try {
        return (await ipc.invoke(channelOf(name), input)) as Reply
      } catch (err) {
        // main had no handler or the channel broke: still an answer, with a code
        return { ok: false, error: (err as Error)?.message || String(err), code: 'internal' }
      }
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      if (!isEventName(event)) throw new Error(`unknown event: ${String(event)}`)
      const wrapped = (_e: unknown, payload: unknown) => listener(payload)
      ipc.on(channelOf(event), wrapped)
      return () => void ipc.removeListener(channelOf(event), wrapped)
    }
  }
}
