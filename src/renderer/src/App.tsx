import { useEffect, useState } from 'react'
import type { AppInfo } from '@shared/contract'
import { api } from './api'
import { Help } from './components/Help'
import { ProjectList } from './components/ProjectList'
import { SessionBrowser } from './components/SessionBrowser'
import { StatusBar } from './components/StatusBar'
import { TraceView } from './components/TraceView'
import { TaskList, TaskPage } from './components/Tasks'
import { BatchPage } from './components/BatchPage'
import { Gallery, ReviewDeck } from './components/Review'
import { CompareView } from './components/Compare'
import { AnalyzePage } from './components/Analyze'
import { SkillList, SkillPage } from './components/Skill'
import { BadView, Boundary } from './components/Boundary'
import { go, typing, useAsync, useHashRoute } from './lib/hooks'

export function App() {
  const route = useHashRoute()
  const info = useAsync<AppInfo>(() => api().getAppInfo({}), [])
  const [help, setHelp] = useState(false)
  const projectId = route[0] === 'project' ? route[1] : undefined
  const sessionId = route[0] === 'project' && route[2] === 'session' ? route[3] : undefined
  // a view that breaks starts over when the route changes
  const at = route.join('/')

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e)) return
      if (e.key === '?' && route[0] !== 'review') setHelp((h) => !h) // the review deck shows its own keys
      else if (e.key === 'Escape') setHelp(false)
      else if (e.key === 'Backspace' && projectId && sessionId) go('project', projectId)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [projectId, sessionId, route[0]])

  return (
    <div className="app">
      <aside className="sidebar">
        <a className="brand" href="#/">
          trace2skill
        </a>
        <nav className="mainnav">
          <a href="#/tasks" data-testid="nav-tasks" className={['tasks', 'task', 'batch', 'review', 'gallery', 'compare', 'analyze'].includes(route[0]) ? 'active' : ''}>
            Tasks &amp; runs
          </a>
          <a href="#/skills" data-testid="nav-skills" className={route[0] === 'skills' || route[0] === 'skill' ? 'active' : ''}>
            Skills
          </a>
        </nav>
        <div className="side-label">Claude Code projects</div>
        <Boundary resetKeys={[at]} fallback={(error) => <BadView error={error} />}>
          <ProjectList selected={projectId} configDir={info.data?.configDir} dataDir={info.data?.dataDir} />
        </Boundary>
        <button className="ghost help-button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
          ? Shortcuts
        </button>
      </aside>
      <main className="main">
        <Boundary fallback={() => null}>
          <StatusBar initialNotices={info.data?.notices ?? []} />
        </Boundary>
        <Boundary resetKeys={[at]} fallback={(error) => <BadView error={error} />}>
          {route[0] === 'tasks' ? (
            <TaskList />
          ) : route[0] === 'task' && route[1] ? (
            <TaskPage taskId={route[1]} />
          ) : route[0] === 'review' && route[1] ? (
            <ReviewDeck batchId={route[1]} start={route[2] ? Number(route[2]) : undefined} line={route[3] === 'line' && route[4] ? Number(route[4]) : undefined} />
          ) : route[0] === 'analyze' && route[1] ? (
            <AnalyzePage batchId={route[1]} />
          ) : route[0] === 'skill' && route[1] ? (
            <SkillPage skillId={route[1]} />
          ) : route[0] === 'skills' ? (
            <SkillList />
          ) : route[0] === 'compare' && route[1] && route[2] && route[3] ? (
            <CompareView batchId={route[1]} a={route[2]} b={route[3]} />
          ) : route[0] === 'gallery' && route[1] ? (
            <Gallery batchId={route[1]} />
          ) : route[0] === 'batch' && route[1] ? (
            <BatchPage batchId={route[1]} />
          ) : projectId && sessionId ? (
            <>
              <div className="crumbs">
                <a href={`#/project/${encodeURIComponent(projectId)}`}>← Sessions</a>
              </div>
              <TraceView projectId={projectId} sessionId={sessionId} line={route[4] === 'line' && route[5] ? Number(route[5]) : undefined} />
            </>
          ) : projectId ? (
            <SessionBrowser projectId={projectId} />
          ) : (
            <div className="welcome">
              <h1>Pick a project</h1>
              <p>
                Every project Claude Code has sessions for is on the left, by the folder it ran in. Open one to browse its sessions, search what was said, and read
                each run as a timeline of turns and tool calls.
              </p>
              {info.data ? (
                <p className="muted">
                  Reading sessions from <code>{info.data.configDir}</code>; the app keeps its own data in <code>{info.data.dataDir}</code>.
                </p>
              ) : null}
            </div>
          )}
        </Boundary>
      </main>
      {help ? <Help onClose={() => setHelp(false)} /> : null}
    </div>
  )
}
