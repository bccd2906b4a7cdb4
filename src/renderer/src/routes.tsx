/**
 * Every address of the app, typed (TanStack Router over the location hash, so addresses stay
 * `#/review/<batch>/<run>`). Links are `<Link to="/review/$batchId/$run" params={…}>` and navigation
 * is `useNavigate()`, both checked against this table by the compiler.
 *
 * The review deck and the trace are layout routes: moving to another run (or line, or file) keeps the deck
 * mounted, with its undo history and its unsaved state.
 */
import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  retainSearchParams,
  type RouterHistory
} from '@tanstack/react-router'
import { Layout, Welcome } from './App'
import { AnalyzePage } from './features/analyze'
import { BatchPage } from './components/BatchPage'
import { CompareView } from './features/compare'
import { Gallery, ReviewDeck } from './features/review'
import { SessionBrowser } from './components/SessionBrowser'
import { SkillList, SkillPage } from './features/skill'
import { TaskList, TaskPage } from './features/tasks'
import { TraceRoute } from './components/TraceView'
import { VerificationPage, VerifySetup } from './features/verify'
import { CandidatesPage, CandidatesSetup } from './features/candidates'
import { TriggersPage } from './features/triggers'
import { deckFrom } from './lib/deck-from'

/** A path parameter that is a number (a run, a line: 1 or more); anything else reads as 0 (none). */
const numberParam = <K extends string>(name: K) => ({
  parse: (raw: Record<K, string>) => {
    const n = Number(raw[name])
    return { [name]: Number.isInteger(n) && n > 0 ? n : 0 } as Record<K, number>
  },
  stringify: (p: Record<K, number>) => ({ [name]: String(p[name]) }) as Record<K, string>
})

/** An id from the address: letters, digits, "-" and "_" only, or nothing. */
const idParam = (x: unknown): string | undefined => (typeof x === 'string' && /^[\w-]{1,100}$/.test(x) ? x : undefined)

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: Welcome })

const indexRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Welcome })

const tasksRoute = createRoute({ getParentRoute: () => rootRoute, path: 'tasks', component: TaskList })
const taskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'task/$taskId',
  component: function TaskRoute() {
    const { taskId } = taskRoute.useParams()
    return <TaskPage taskId={taskId} />
  }
})
const batchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'batch/$batchId',
  component: function BatchRoute() {
    const { batchId } = batchRoute.useParams()
    return <BatchPage batchId={batchId} />
  }
})

const reviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'review/$batchId',
  validateSearch: (s: Record<string, unknown>): { from?: string } => (deckFrom(s.from) ? { from: s.from as string } : {}),
  search: { middlewares: [retainSearchParams(['from'])] },
  component: function ReviewRoute() {
    const { batchId } = reviewRoute.useParams()
    return <ReviewDeck batchId={batchId} />
  }
})
const reviewIndexRoute = createRoute({ getParentRoute: () => reviewRoute, path: '/' })
const reviewRunRoute = createRoute({ getParentRoute: () => reviewRoute, path: '$run', params: numberParam('run') })
const reviewLineRoute = createRoute({ getParentRoute: () => reviewRunRoute, path: 'line/$line', params: numberParam('line') })
/** a run at one of its output files (`#/review/<batch>/<run>/file/src/index.html`): where an analyst pointed */
const reviewFileRoute = createRoute({ getParentRoute: () => reviewRunRoute, path: 'file/$' })

const galleryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'gallery/$batchId',
  component: function GalleryRoute() {
    const { batchId } = galleryRoute.useParams()
    return <Gallery batchId={batchId} />
  }
})
const compareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'compare/$batchId/$a/$b',
  component: function CompareRoute() {
    const { batchId, a, b } = compareRoute.useParams()
    return <CompareView batchId={batchId} a={a} b={b} />
  }
})
const analyzeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'analyze/$batchId',
  component: function AnalyzeRoute() {
    const { batchId } = analyzeRoute.useParams()
    return <AnalyzePage batchId={batchId} />
  }
})

const skillsRoute = createRoute({ getParentRoute: () => rootRoute, path: 'skills', component: SkillList })
const skillRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'skill/$skillId',
  /** `rule`: the rule card to show (back from the deck an evidence badge opened) */
  validateSearch: (s: Record<string, unknown>): { rule?: string } => (idParam(s.rule) ? { rule: s.rule as string } : {}),
  component: function SkillRoute() {
    const { skillId } = skillRoute.useParams()
    const { rule } = skillRoute.useSearch()
    return <SkillPage skillId={skillId} rule={rule} />
  }
})

const verifyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verify/$skillId',
  component: function VerifyRoute() {
    const { skillId } = verifyRoute.useParams()
    return <VerifySetup key={skillId} skillId={skillId} />
  }
})
const verificationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verification/$verificationId',
  component: function VerificationRoute() {
    const { verificationId } = verificationRoute.useParams()
    return <VerificationPage verificationId={verificationId} />
  }
})

const candidatesFromSkillRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'make-candidates/skill/$skillId',
  component: function CandidatesFromSkillRoute() {
    const { skillId } = candidatesFromSkillRoute.useParams()
    return <CandidatesSetup key={skillId} skillId={skillId} />
  }
})
const candidatesFromBatchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'make-candidates/batch/$batchId',
  component: function CandidatesFromBatchRoute() {
    const { batchId } = candidatesFromBatchRoute.useParams()
    return <CandidatesSetup key={batchId} batchId={batchId} />
  }
})
const candidatesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'candidates/$verificationId',
  component: function CandidatesRoute() {
    const { verificationId } = candidatesRoute.useParams()
    return <CandidatesPage verificationId={verificationId} />
  }
})

const triggersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'triggers/$skillId',
  component: function TriggersRoute() {
    const { skillId } = triggersRoute.useParams()
    return <TriggersPage key={skillId} skillId={skillId} />
  }
})

const projectRoute = createRoute({ getParentRoute: () => rootRoute, path: 'project/$projectId' })
const projectIndexRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: '/',
  component: function ProjectRoute() {
    const { projectId } = projectRoute.useParams()
    return <SessionBrowser projectId={projectId} />
  }
})
const sessionRoute = createRoute({ getParentRoute: () => projectRoute, path: 'session/$sessionId', component: TraceRoute })
const sessionLineRoute = createRoute({ getParentRoute: () => sessionRoute, path: 'line/$line', params: numberParam('line') })

export const routeTree = rootRoute.addChildren([
  indexRoute,
  tasksRoute,
  taskRoute,
  batchRoute,
  reviewRoute.addChildren([reviewIndexRoute, reviewRunRoute.addChildren([reviewLineRoute, reviewFileRoute])]),
  galleryRoute,
  compareRoute,
  analyzeRoute,
  skillsRoute,
  skillRoute,
  verifyRoute,
  verificationRoute,
  candidatesFromSkillRoute,
  candidatesFromBatchRoute,
  candidatesRoute,
  triggersRoute,
  projectRoute.addChildren([projectIndexRoute, sessionRoute.addChildren([sessionLineRoute])])
])

export function createAppRouter(history: RouterHistory = createHashHistory()) {
  return createRouter({ routeTree, history, scrollRestoration: false })
}

export type AppRouter = ReturnType<typeof createAppRouter>

declare module '@tanstack/react-router' {
  interface Register {
    router: AppRouter
  }
}
