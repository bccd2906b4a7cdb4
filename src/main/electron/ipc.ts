/**
 * IPC wiring: one handler per contract request, each checking that the sender is our own window's
 * main frame before the payload is even validated. Pushed events go only to that window.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { channelOf, requestNames } from '../../shared/contract'
import { dispatch, type EventHub, type Handlers } from '../app/dispatch'
import { isAppUrl } from './security'

export function wireIpc(handlers: Handlers, hub: EventHub, getWindow: () => BrowserWindow | null, rendererUrl: string): () => void {
  const trusted = (e: IpcMainInvokeEvent): boolean => {
    const win = getWindow()
    const frame = e.senderFrame
    return (
      !!win &&
      !win.isDestroyed() &&
      e.sender === win.webContents &&
      !!frame &&
      frame === win.webContents.mainFrame &&
      isAppUrl(frame.url, rendererUrl)
    )
  }
  for (const name of requestNames) {
    ipcMain.handle(channelOf(name), async (e, input) => {
      if (!trusted(e)) return { ok: false, error: 'refused: request from an untrusted frame', code: 'forbidden' }
      return dispatch(handlers, name, input)
    })
  }
  const unsubscribe = hub.subscribe((event, payload) => {
    const win = getWindow()
    if (win && !win.isDestroyed()) win.webContents.send(channelOf(event), payload)
  })
  return () => {
    unsubscribe()
    for (const name of requestNames) ipcMain.removeHandler(channelOf(name))
  }
}
