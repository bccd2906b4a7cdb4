import type { ReactNode } from 'react'
import { QueryClientProvider, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { Link, Outlet, useRouterState } from '@tanstack/react-router'
import { Help } from './components/Help'
import { ProjectList } from './components/ProjectList'
import { StatusBar } from './components/StatusBar'
import { BadView, Boundary } from './components/Boundary'
import { useApi } from './data/queries'
import { ShortcutsProvider, useHelp, useShortcut } from './lib/hotkeys'

/** What every view needs around it: the query cache and the hotkey registry (the router goes inside). */
export function Providers({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <QueryClientProvider client={client}>
      <ShortcutsProvider>{children}</ShortcutsProvider>
    </QueryClientProvider>
  )
}

const STEP_ROUTES = ['tasks', 'task', 'batch', 'review', 'gallery', 'compare', 'analyze']

/** The frame of every page: the sidebar (navigation, projects, the keys), notices, the page, the help. */
export function Layout() {
  const info = useApi('getAppInfo', {})
  const help = useHelp()
  const pathname = useRouterState({ select: (s) => s.location.pathname })
  // what the page shows now: the matched routes (they change with the page drawn, not before it, as the address does)
  const shown = useRouterState({ select: (s) => s.matches.map((m) => m.id).join('|') })
  const client = useQueryClient()
  // A view broke on its data: that data is not kept, so coming back to the page asks again.
  // (The broken view's queries lose their observers as it unmounts, just after this.)
  const dropBrokenData = () => setTimeout(() => client.removeQueries({ type: 'inactive' }), 0)
  const projectId = useRouterState({
    select: (s) => (s.matches[s.matches.length - 1]?.params as { projectId?: string } | undefined)?.projectId
  })
  const section = pathname.split('/')[1] ?? ''
  useShortcut('app.help', (e) => {
    e.preventDefault()
    help.toggle()
  })

  return (
    <div className="app">
      <aside className="sidebar">
        <Link className="brand" to="/" activeProps={{}}>
          trace2skill
        </Link>
        <nav className="mainnav">
          <Link to="/tasks" data-testid="nav-tasks" activeProps={{}} className={STEP_ROUTES.includes(section) ? 'active' : ''}>
            Tasks &amp; runs
          </Link>
          <Link
            to="/skills"
            data-testid="nav-skills"
            activeProps={{}}
            className={['skills', 'skill', 'verify', 'verification', 'triggers'].includes(section) ? 'active' : ''}
          >
            Skills
          </Link>
        </nav>
        <div className="side-label">Claude Code projects</div>
        <Boundary resetKeys={[pathname]} fallback={(error) => <BadView error={error} />}>
          <ProjectList selected={projectId} configDir={info.data?.configDir} dataDir={info.data?.dataDir} />
        </Boundary>
        <button className="ghost help-button" onClick={help.show} aria-label="Keyboard shortcuts">
          ? Shortcuts
        </button>
      </aside>
      <main className="main">
        <Boundary fallback={() => null}>
          <StatusBar initialNotices={info.data?.notices} />
        </Boundary>
        <Boundary resetKeys={[shown]} onError={dropBrokenData} fallback={(error) => <BadView error={error} />}>
          <Outlet />
        </Boundary>
      </main>
      {help.open ? <Help /> : null}
    </div>
  )
}

export function Welcome() {
  const info = useApi('getAppInfo', {})
  return (
    <div className="welcome">
      <h1>Pick a project</h1>
      <p>
        Every project Claude Code has sessions for is on the left, by the folder it ran in. Open one to browse its sessions, search what was
        said, and read each run as a timeline of turns and tool calls.
      </p>
      {info.data ? (
        <p className="muted">
          Reading sessions from <code>{info.data.configDir}</code>; the app keeps its own data in <code>{info.data.dataDir}</code>.
        </p>
      ) : null}
    </div>
  )
}
