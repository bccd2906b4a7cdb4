/** The main window, created with the security baseline. */
import { BrowserWindow } from 'electron'
import { join } from 'node:path'
import { hardenContents, rendererUrlFor, secureWebPreferences } from './security'

export function createMainWindow(outDir: string): { win: BrowserWindow; rendererUrl: string } {
  const rendererUrl = rendererUrlFor(join(outDir, 'renderer', 'index.html'))
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'trace2skill',
    backgroundColor: '#0f1115',
    webPreferences: secureWebPreferences(join(outDir, 'preload', 'index.cjs'))
  })
  hardenContents(win.webContents, rendererUrl)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(rendererUrl)
  return { win, rendererUrl }
}
