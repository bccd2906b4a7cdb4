/**
 * Live updates: chokidar watches the Claude Code projects folder (and opened folders) and reports
 * session files that appeared, grew or vanished, debounced per file. chokidar 4+ takes no globs, so
 * the filter is a function.
 */
import { watch, type FSWatcher } from 'chokidar'

export interface SessionWatcher {
  add(dir: string): void
  close(): Promise<void>
  ready: Promise<void>
}

export function watchSessions(
  dirs: string[],
  onChange: (files: string[]) => void,
  opts: { debounceMs?: number; usePolling?: boolean } = {}
): SessionWatcher {
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  const flush = () => {
    timer = null
    const files = [...pending]
    pending.clear()
    if (files.length) onChange(files)
  }
  const touch = (file: string) => {
    if (!file.endsWith('.jsonl')) return
    pending.add(file)
    if (!timer) timer = setTimeout(flush, opts.debounceMs ?? 150)
  }
  const watcher: FSWatcher = watch(dirs, {
    ignoreInitial: true,
    depth: 4,
    usePolling: opts.usePolling,
    interval: 200,
    ignored: (path, stats) => !!stats?.isFile() && !path.endsWith('.jsonl')
  })
  watcher.on('add', touch).on('change', touch).on('unlink', touch)
  watcher.on('error', () => {
    /* an unreadable folder must not take the app down; the next index reports it */
  })
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  return {
    ready,
    add: (dir) => void watcher.add(dir),
    async close() {
      if (timer) clearTimeout(timer)
      await watcher.close()
    }
  }
}
