/**
 * The renderer as the app mounts it (the query cache, the hotkey registry, the typed routes), in
 * jsdom, at an address, over a mocked `window.api`: every request is a vi.fn, answered by the
 * handlers a test gives (a request nobody answers rejects, so it shows up as an error, not a hang).
 */
import { configure, render } from '@testing-library/react'
import { createMemoryHistory, RouterProvider } from '@tanstack/react-router'
import { vi, type Mock } from 'vitest'
import { requestNames, type Api, type RequestInput, type RequestName, type RequestOutput } from '../../src/shared/contract'
import { Providers } from '../../src/renderer/src/App'
import { createQueryClient } from '../../src/renderer/src/data/queries'
import { createAppRouter } from '../../src/renderer/src/routes'

// findBy and waitFor wait for what the page shows, not for a time: the first render of a file (its
// imports, CodeMirror) on a busy machine can take far more than the default second
configure({ asyncUtilTimeout: 30_000 })

export type Handlers = { [N in RequestName]?: (input: RequestInput<N>) => RequestOutput<N> | Promise<RequestOutput<N>> }
export type ApiMock = { [N in RequestName]: Mock<(input: RequestInput<N>) => Promise<RequestOutput<N>>> } & { on: Mock }

/** What the frame of every page asks for (the sidebar's project list, the app's info). */
const FRAME: Handlers = {
  getAppInfo: () => ({ version: '0.0.0', mode: 'web', configDir: '/home/me/.claude', dataDir: '/home/me/.trace2skill', notices: [] }),
  listProjects: () => []
}

export function mockApi(handlers: Handlers): ApiMock {
  const all: Handlers = { ...FRAME, ...handlers }
  const api: Record<string, Mock> = { on: vi.fn(() => () => {}) }
  for (const name of requestNames) {
    const h = all[name] as ((input: unknown) => unknown) | undefined
    api[name] = vi.fn(async (input: unknown) => {
      if (!h) throw new Error(`not mocked: ${name}`)
      return h(input)
    })
  }
  Object.defineProperty(window, 'api', { value: api as unknown as Api, configurable: true, writable: true })
  return api as unknown as ApiMock
}

/** The app at `path` (`/review/b1`), over `window.api` as mocked. */
export function renderApp(path: string) {
  const client = createQueryClient()
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }))
  const view = render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>
  )
  return { ...view, client, router, pathname: () => router.state.location.pathname }
}
