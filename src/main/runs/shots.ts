/** A finished run's HTML outputs rendered to PNG (a few per run), through the app's ScreenshotPort. Electron-free. */
import { basename, join } from 'node:path'
import type { Run } from '../../shared/runs'
import type { ScreenshotPort } from './screenshots'

const MAX_SHOTS_PER_RUN = 4

export async function shootRun(
  port: ScreenshotPort,
  o: { dataDir: string; runId: string; workspace: string; files: Run['files'] }
): Promise<Run['screenshots']> {
  const html = o.files.filter((f) => f.status !== 'deleted' && /\.html?$/i.test(f.path)).slice(0, MAX_SHOTS_PER_RUN)
  const out: Run['screenshots'] = []
  for (const f of html) {
    const name = basename(f.path).replace(/[^A-Za-z0-9._-]/g, '_')
    const shots = await port
      .capture({
        htmlFile: join(o.workspace, f.path),
        root: o.workspace,
        outDir: join(o.dataDir, 'runs', o.runId, 'screenshots'),
        name: `${out.length + 1}-${name}`
      })
      // a page that could not be rendered says why, in place of its shots
      .catch((err: Error) => [
        {
          label: 'desktop' as const,
          width: 0,
          height: 0,
          file: '',
          bytes: 0,
          blank: true,
          timedOut: false,
          blockedRequests: [],
          error: err.message
        }
      ])
    out.push({ html: f.path, shots })
  }
  return out
}
