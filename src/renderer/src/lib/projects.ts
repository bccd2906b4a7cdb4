/** The project picker's names and groups (pure: unit-tested in test/renderer). */
import type { Project } from '@shared/trace'

export const projectLabel = (p: Project) => p.cwd ?? p.dir
export const projectName = (p: Project) => projectLabel(p).split(/[\\/]/).filter(Boolean).pop() ?? projectLabel(p)

/** The folders of one batch's runs, named by task, batch and run number (never by folder name). */
export interface RunGroup {
  key: string
  name: string
  rows: { project: Project; label: string }[]
}

/**
 * The app's own run folders, grouped by batch: "Landing page · Landing page #1", rows "Run 3 (done)".
 * A folder under the workspaces whose batch is gone, or that does not look like a run's, goes to
 * "Other run folders" (by its folder name, the only name it has).
 */
export function groupRunFolders(projects: Project[]): RunGroup[] {
  const groups = new Map<string, RunGroup & { latest: string }>()
  for (const p of projects) {
    const r = p.run
    const key = r?.batchId ?? ''
    const name = !r
      ? 'Other run folders'
      : r.batch
        ? [r.task, r.batch].filter(Boolean).join(' · ')
        : `A batch no longer in the app (${r.batchId.slice(0, 8)})`
    const g = groups.get(key) ?? { key, name, rows: [], latest: '' }
    const which = r?.number !== undefined ? `Run ${r.number}` : 'A run'
    g.rows.push({ project: p, label: r ? `${which}${r.state ? ` (${r.state})` : ''}` : projectName(p) })
    if ((p.lastActivity ?? '') > g.latest) g.latest = p.lastActivity ?? ''
    groups.set(key, g)
  }
  const num = (p: Project) => p.run?.number ?? Infinity
  return [...groups.values()]
    .sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : b.latest.localeCompare(a.latest)))
    .map(({ latest: _, ...g }) => ({
      ...g,
      rows: g.rows.sort(
        (a, b) =>
          num(a.project) - num(b.project) ||
          (a.project.run?.state === 'earlier attempt' ? 1 : 0) - (b.project.run?.state === 'earlier attempt' ? 1 : 0) ||
          a.label.localeCompare(b.label)
      )
    }))
}

/**
 * What the button that shows the run folders says it will show: the rows of the list, the folders of
 * runs, and a retried run's earlier attempts named apart ("20 run folders and 1 earlier attempt").
 */
export function runFoldersButton(runFolders: Project[]): string {
  const earlier = runFolders.filter((p) => p.run?.state === 'earlier attempt').length
  const runs = runFolders.length - earlier
  return `${runs} run folder${runs === 1 ? '' : 's'}${earlier ? ` and ${earlier} earlier attempt${earlier === 1 ? '' : 's'}` : ''}`
}
