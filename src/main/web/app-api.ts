/**
 * The running app's API for the command line: the web mode's server (127.0.0.1, a random token, the
 * contract) and, beside the data folder's lock, the file that says where it answers (./endpoint.ts).
 * `trace2skill web` serves the page too; the desktop app serves the API only.
 */
import type { EventHub, Handlers } from '../app/dispatch'
import { publishEndpoint } from './endpoint'
import { startWebServer, type WebServer } from './server'

export async function serveAppApi(o: {
  handlers: Handlers
  hub: EventHub
  dataDir: string
  /** who serves, for people: "the desktop app", "`trace2skill web`" */
  what: string
  staticDir?: string
  port?: number
}): Promise<WebServer> {
  const server = await startWebServer({ handlers: o.handlers, hub: o.hub, staticDir: o.staticDir, port: o.port })
  const remove = await publishEndpoint(o.dataDir, { url: `http://127.0.0.1:${server.port}`, token: server.token, what: o.what }).catch(
    async (err) => {
      await server.close()
      throw err
    }
  )
  return {
    ...server,
    async close() {
      remove()
      await server.close()
    }
  }
}
