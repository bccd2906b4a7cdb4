/**
 * The page guard as a sandboxed Electron preload (webPreferences.preload, with
 * nodeIntegrationInSubFrames so it runs in every frame): contextBridge.executeInMainWorld runs it
 * synchronously in the page's world before the page's scripts. Nothing is exposed to the page. This
 * file only builds that preload's source and imports nothing from Electron, so a test can run the same
 * source in Chromium with a stand-in `require` (test/runs/screenshots-leaks.test.ts).
 */
import { PAGE_GUARD_SOURCE } from '../runs/page-guard'

export function electronGuardPreload(marker: string): string {
  return `require('electron').contextBridge.executeInMainWorld({ func: ${PAGE_GUARD_SOURCE}, args: [${JSON.stringify(marker)}] });\n`
}
