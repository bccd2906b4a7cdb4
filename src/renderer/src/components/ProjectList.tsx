/** The project picker: every project Claude Code has sessions for, plus "open any folder". */
import { useMemo, useState } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import type { Project } from '@shared/trace'
import { useApi, useApiMutation } from '../data/queries'
import { fmtBytes, fmtRelative, fmtTime } from '../lib/format'
import { groupRunFolders, projectLabel, projectName, runFoldersButton } from '../lib/projects'
import { ErrorLine } from './ErrorLine'
import { FolderInput } from './FolderInput'

export function ProjectList({ selected, configDir, dataDir }: { selected?: string; configDir?: string; dataDir?: string }) {
  // kept current by projectsChanged (data/cache.ts)
  const projects = useApi('listProjects', {})
  const openFolder = useApiMutation('openFolder')
  const pickFolder = useApiMutation('pickFolder')
  const navigate = useNavigate()
  const [filter, setFilter] = useState('')
  const [showRuns, setShowRuns] = useState(false)
  const [typed, setTyped] = useState<string | null>(null)
  const [openError, setOpenError] = useState<string | null>(null)

  const [shown, runs] = useMemo(() => {
    const q = filter.trim().toLowerCase()
    // a run folder is also found by its task, batch and run number
    const words = (p: Project) =>
      [projectLabel(p), p.run?.task, p.run?.batch, p.run?.number !== undefined ? `run ${p.run.number}` : ''].join(' ').toLowerCase()
    const list = (projects.data ?? []).filter((p) => !q || words(p).includes(q))
    // the app's own runs work in folders under its data dir: keep them apart from the person's projects
    const root = dataDir ? `${dataDir.replace(/[\\/]+$/, '')}` : null
    const isRun = (p: Project) =>
      !!p.run || (!!root && !!p.cwd && (p.cwd.startsWith(`${root}/workspaces/`) || p.cwd.startsWith(`${root}\\workspaces\\`)))
    return [list.filter((p) => !isRun(p)), list.filter(isRun)]
  }, [projects.data, filter, dataDir])
  const groups = useMemo(() => (showRuns ? groupRunFolders(runs) : []), [runs, showRuns])

  const open = async (path: string) => {
    setOpenError(null)
    try {
      const p = await openFolder.mutateAsync({ path })
      setTyped(null)
      void navigate({ to: '/project/$projectId', params: { projectId: p.id } })
    } catch (err) {
      setOpenError((err as Error).message)
    }
  }
  const pick = async () => {
    setOpenError(null)
    try {
      const { path } = await pickFolder.mutateAsync({})
      if (path) await open(path)
      else setTyped('')
    } catch (err) {
      setOpenError((err as Error).message)
    }
  }

  return (
    <nav className="projects" aria-label="Projects">
      <div className="projects-tools">
        <input
          className="filter"
          placeholder="Filter projects"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter projects"
        />
        <button
          data-testid="open-folder"
          onClick={() => void pick()}
          title="Open a folder of session files, or a folder you ran Claude Code in"
        >
          Open folder…
        </button>
      </div>
      {typed !== null ? (
        <form
          className="typed-path"
          onSubmit={(e) => {
            e.preventDefault()
            if (typed.trim()) void open(typed.trim())
          }}
        >
          <FolderInput
            autoFocus
            choose={false}
            placeholder="/absolute/path/to/folder"
            value={typed}
            onChange={setTyped}
            aria-label="Folder path"
            onKeyDown={(e) => e.key === 'Escape' && setTyped(null)}
          />
          <button type="submit">Open</button>
        </form>
      ) : null}
      {openError ? <ErrorLine error={openError} /> : null}
      {projects.error ? <ErrorLine error={projects.error.message} retry={() => void projects.refetch()} /> : null}
      {projects.isPending ? <div className="muted pad">Looking for sessions…</div> : null}
      {projects.data && projects.data.length === 0 ? (
        <div className="empty">
          No Claude Code sessions found in <code>{configDir ?? '~/.claude'}</code>. Run Claude Code in a project, or open a folder of
          session files.
        </div>
      ) : null}
      <ul>
        {shown.map((p) => (
          <li key={p.id}>
            <Link
              to="/project/$projectId"
              params={{ projectId: p.id }}
              activeProps={{}}
              className={`project-row${p.id === selected ? ' selected' : ''}`}
              data-testid="project-row"
              aria-current={p.id === selected ? 'page' : undefined}
            >
              <span className="project-name">{projectName(p)}</span>
              <span className="project-path" title={p.dir}>
                {projectLabel(p)}
              </span>
              <span className="project-meta">
                {p.sessions} session{p.sessions === 1 ? '' : 's'} ·{' '}
                <span title={fmtTime(p.lastActivity)}>{fmtRelative(p.lastActivity)}</span> · {fmtBytes(p.bytes)}
                {p.opened ? ' · opened' : ''}
              </span>
            </Link>
          </li>
        ))}
        {groups.map((g) => (
          <li key={g.key} className="run-group" data-testid="run-group">
            <div className="run-group-name" data-testid="run-group-name">
              {g.name}
            </div>
            <ul>
              {g.rows.map(({ project: p, label }) => (
                <li key={p.id}>
                  <Link
                    to="/project/$projectId"
                    params={{ projectId: p.id }}
                    activeProps={{}}
                    className={`project-row run-folder-row${p.id === selected ? ' selected' : ''}`}
                    data-testid="run-folder-row"
                    aria-current={p.id === selected ? 'page' : undefined}
                    title={projectLabel(p)}
                  >
                    <span className="project-name">{label}</span>
                    <span className="project-meta">
                      {p.sessions} session{p.sessions === 1 ? '' : 's'} ·{' '}
                      <span title={fmtTime(p.lastActivity)}>{fmtRelative(p.lastActivity)}</span> · {fmtBytes(p.bytes)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {runs.length ? (
        <button
          className="ghost runs-toggle"
          onClick={() => setShowRuns((v) => !v)}
          data-testid="toggle-run-projects"
          title="Sessions of the runs trace2skill started, one folder per run"
        >
          {showRuns ? 'Hide' : 'Show'} {runFoldersButton(runs)} made by trace2skill
        </button>
      ) : null}
    </nav>
  )
}
