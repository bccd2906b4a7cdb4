/**
 * How a command reaches the core: through the contract, in this process (the CLI holds the data
 * folder, or opened it read-only), or through the running app that holds it (its API on 127.0.0.1,
 * with the token it wrote in the data folder; its events stream for progress). The commands speak only
 * this: the same requests and events either way, so what the CLI does through the app is what it
 * would do alone.
 */
import { apiFailure, fail } from '../../shared/contract'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { isEventName, type EventName, type RequestName } from '../../shared/contract'
import { dispatch } from '../app/dispatch'
import type { Service } from '../app/service'
import type { AppEndpoint } from '../web/endpoint'
import { TOKEN_HEADER } from '../web/server'

export type EventListener = (event: EventName, payload: unknown) => void

export interface Client {
  /** a request through the contract; a failure throws its message, with its code */
  call<T>(name: RequestName, input: unknown): Promise<T>
  /** every event pushed (a batch's runs, an analysis, a verification); returns the unsubscribe */
  on(listener: EventListener): () => void
  /** the running app this goes through, or null (this process) */
  app: AppEndpoint | null
  /** ready to receive events (the app's stream connected): subscribe, await this, then start work */
  ready(): Promise<void>
  close(): Promise<void>
}

/** A failed reply, here or from the app: the contract's one shape of it (its message, its code when it is one of ours). */
const failure = (error: unknown, code: unknown) => apiFailure({ error, code })

/** The core in this process. */
export function localClient(service: Service): Client {
  return {
    async call<T>(name: RequestName, input: unknown) {
      const reply = await dispatch(service.handlers, name, input)
      if (!reply.ok) throw failure(reply.error, reply.code)
      return reply.value as T
    },
    on: (listener) => service.hub.subscribe((event, payload) => listener(event, payload)),
    app: null,
    ready: async () => {},
    close: async () => {}
  }
}

/** One HTTP request to the app: its status and body. */
function send(
  app: AppEndpoint,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown
): Promise<{ res: IncomingMessage; text: () => Promise<string> }> {
  const url = new URL(path, app.url)
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          [TOKEN_HEADER]: app.token,
          ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {})
        }
      },
      (res) =>
        resolve({
          res,
          text: async () => {
            const chunks: Buffer[] = []
            for await (const c of res) chunks.push(c as Buffer)
            return Buffer.concat(chunks).toString('utf8')
          }
        })
    )
    req.on('error', reject)
    req.end(data)
  })
}

/**
 * The running app, through its API. Its events come over one stream (server-sent events), opened at
 * once; a stream that drops is opened again (the commands also ask for the state itself, so nothing
 * depends on an event that was missed).
 */
export async function remoteClient(app: AppEndpoint): Promise<Client> {
  const listeners = new Set<EventListener>()
  let closed = false
  let stream: IncomingMessage | null = null
  let connected: Promise<void>

  const connect = (): Promise<void> =>
    send(app, 'GET', '/api/events').then(({ res }) => {
      if (res.statusCode !== 200) {
        res.resume()
        throw new Error(`the app refused its event stream (HTTP ${res.statusCode})`)
      }
      stream = res
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n')
          if (!data) continue
          try {
            const { event, payload } = JSON.parse(data) as { event: unknown; payload: unknown }
            if (isEventName(event)) for (const l of listeners) l(event, payload)
          } catch {
            /* not ours: skipped */
          }
        }
      })
      res.on('close', () => {
        stream = null
        // an app that does not take the stream again is gone: the next request says so ('does not answer')
        if (!closed) connected = new Promise((r) => setTimeout(r, 500)).then(connect).catch(() => {})
      })
    })

  connected = connect()
  await connected
  return {
    async call<T>(name: RequestName, input: unknown) {
      const { res, text } = await send(app, 'POST', `/api/${name}`, input ?? {}).catch((err: Error) => {
        throw fail(`the app (${app.what}, pid ${app.pid}) does not answer: ${err.message}`, 'busy')
      })
      const body = await text()
      let reply: { value?: unknown; error?: unknown; code?: unknown }
      try {
        reply = JSON.parse(body)
      } catch {
        throw failure(`the app answered HTTP ${res.statusCode} without JSON`, 'internal')
      }
      if (res.statusCode !== 200) throw failure(reply.error, reply.code)
      return reply.value as T
    },
    on(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    app,
    ready: () => connected,
    async close() {
      closed = true
      listeners.clear()
      stream?.destroy()
    }
  }
}
