/**
 * The screenshot port: agent-built HTML pages rendered to full-page PNGs, desktop (1280) and mobile
 * (390). Pages are untrusted. They never reach the network and never read files outside their own
 * workspace, in layers:
 *
 * - the page is served under a fake origin that only our route handler answers, with files whose real
 *   path (every symbolic link resolved) is inside the workspace; every other request is aborted and
 *   listed (`decideWorkspaceRequest` in workspace-request.ts, shared with the Electron port);
 * - a guard runs in every frame before the page's own scripts (`PAGE_GUARD_SOURCE` in page-guard.ts):
 *   WebRTC and WebTransport, which do not go through the request filter (UDP, QUIC), are removed, and so
 *   is `window.open`; each attempt is reported back and listed as blocked;
 * - Chromium itself sends no UDP for WebRTC (`disable_non_proxied_udp`), speaks no QUIC, resolves no
 *   name and has only a dead proxy for everything (loopback included), in case anything slipped past.
 *
 * Each page gets one time limit per width for everything (load, measuring, the screenshot); a page
 * that runs past it is cut off, its renderer closed, and the browser killed if even that hangs, so an
 * endless script never holds the queue. Pages taller than MAX_HEIGHT are shot down to MAX_HEIGHT and
 * say so (`pageHeight`, `note`).
 *
 * Two implementations: playwright-core's Chromium (playwright-screenshots.ts: web mode, CLI, tests)
 * and the Electron app's own Chromium (src/main/electron/screenshots.ts). This module holds what they
 * share: the port, its limits and the shot's notes.
 */

// the PNG checks are the port's too (the analysts read shots' sizes through here)
import { join } from 'node:path'

export { pngSize } from './png'

export interface ScreenshotRequest {
  htmlFile: string
  /** the workspace: the only folder the page may load files from */
  root: string
  outDir: string
  name: string
  widths?: { label: 'desktop' | 'mobile'; width: number }[]
  /** the time limit per width, for everything the page does (default 10 s) */
  timeoutMs?: number
}

export interface Shot {
  label: 'desktop' | 'mobile'
  width: number
  height: number
  file: string
  bytes: number
  blank: boolean
  timedOut: boolean
  blockedRequests: string[]
  error?: string
  /** the page's full height in CSS px, when it is taller than the shot (which then stops at MAX_HEIGHT) */
  pageHeight?: number
  /** one line for people, e.g. that the page was cut at MAX_HEIGHT */
  note?: string
}

export interface ScreenshotPort {
  capture(req: ScreenshotRequest): Promise<Shot[]>
  close(): Promise<void>
}

export const DEFAULT_WIDTHS: { label: 'desktop' | 'mobile'; width: number }[] = [
  { label: 'desktop', width: 1280 },
  { label: 'mobile', width: 390 }
]
/** Chromium's largest texture: taller pages are shot down to here. */
export const MAX_HEIGHT = 16384
/** At most this many blocked requests are listed per shot (a page can make millions). */
export const MAX_BLOCKED = 200

/** Adds a blocked request to a shot's list, capped at MAX_BLOCKED entries of at most 500 characters. */
/** A shot before it is taken, at one width: its file, nothing blocked yet, and blank until the page is drawn (what a failure gives). */
export function blankShot(req: ScreenshotRequest, w: { label: 'desktop' | 'mobile'; width: number }): Shot {
  const file = join(req.outDir, `${req.name}-${w.label}.png`)
  return { label: w.label, width: w.width, height: 0, file, bytes: 0, blank: true, timedOut: false, blockedRequests: [] }
}

export function noteBlocked(list: string[], entry: string): void {
  if (list.length < MAX_BLOCKED) list.push(entry.length > 500 ? `${entry.slice(0, 500)}…` : entry)
  else if (list.length === MAX_BLOCKED) list.push('… and more, not listed')
}

/** The note on a shot cut at MAX_HEIGHT. */
export function tallPageNote(pageHeight: number): string {
  return `page is ${pageHeight.toLocaleString('en-US')} px tall; the first ${MAX_HEIGHT.toLocaleString('en-US')} px are shown`
}
