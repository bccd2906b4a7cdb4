/**
 * Web mode: the same `window.api` contract over HTTP, for remote dev boxes and browser tests.
 * Listens on 127.0.0.1 only; a Host or Origin that is not our loopback address is refused.
 * The built renderer (public code) is served to anyone who passes those checks; every /api/ request
 * needs the random token in the `x-trace2skill-token` header, and only there: never a cookie (cookies
 * are not scoped by port, so every other web app on 127.0.0.1 would receive it) and never the query
 * (URLs end up in histories and logs). A browser sends that header only from our own page: another
 * origin can set it only after a CORS preflight, which is never granted, and a no-cors request cannot
 * carry it. The `?token=` of the printed URL is read by the page itself, which then drops it from the
 * address bar.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { extname, join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { ErrorCode } from '../../shared/contract'
import { dispatch, type EventHub, type Handlers } from '../app/dispatch'
import { isAllowedOrigin, isInside, isLoopbackHost, isSameOriginFetch, sameToken } from '../app/guards'

// the largest request (a skill saved with its text and rules) stays well under this
const MAX_BODY = 8 * 1024 * 1024
export const TOKEN_HEADER = 'x-trace2skill-token'

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

/** The HTTP status of each error code (a closed set: a new code does not typecheck until it has one). */
export const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  'not-found': 404,
  forbidden: 403,
  // the request was fine; the machine or the moment is not (nothing was changed)
  busy: 409,
  'data-dir-busy': 409,
  'read-only': 409,
  'preset-unavailable': 409,
  flagged: 409,
  cancelled: 409,
  // something this request depends on is missing: an API key, Claude Code or its login (not 401, which is our token's)
  'no-api-key': 424,
  'claude-missing': 424,
  'claude-login': 424,
  // the model answered, but not what was asked
  'bad-answer': 502,
  'store-write-failed': 507,
  internal: 500
}

export interface WebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** The token of an API request: from its header, nowhere else. */
function tokenOf(req: IncomingMessage): string | null {
  const header = req.headers[TOKEN_HEADER]
  return typeof header === 'string' && header ? header : null
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 })
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw Object.assign(new Error('request body is not JSON'), { status: 400 })
  }
}

export async function startWebServer(opts: {
  handlers: Handlers
  hub: EventHub
  /** the built renderer; absent, the API only (the desktop app serves it for the command line) */
  staticDir?: string
  port?: number
  token?: string
}): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const staticDir = opts.staticDir === undefined ? null : resolve(opts.staticDir)
  let port = 0
  const streams = new Set<ServerResponse>()

  const server = createServer(async (req, res) => {
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('x-frame-options', 'DENY')
    res.setHeader('referrer-policy', 'no-referrer')
    res.setHeader('cross-origin-opener-policy', 'same-origin')
    res.setHeader('cross-origin-resource-policy', 'same-origin')
    if (!isLoopbackHost(req.headers.host, port) || !isAllowedOrigin(req.headers.origin, port)) {
      return send(res, 403, { error: 'refused: not a loopback host or origin' })
    }
    let url: URL
    let path: string
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
      path = decodeURIComponent(url.pathname)
    } catch {
      return send(res, 400, { error: 'malformed URL: a bad %-escape in the path' })
    }

    try {
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        // Fetch metadata, where the browser sends it: only our own page may call the API.
        if (!isSameOriginFetch(req.headers['sec-fetch-site'])) {
          return send(res, 403, { error: 'refused: not from the trace2skill page', code: 'forbidden' })
        }
        if (!sameToken(tokenOf(req), token)) {
          return send(res, 401, { error: 'missing or wrong token: open the URL trace2skill printed', code: 'forbidden' })
        }
        if (url.pathname === '/api/events') {
          if (req.method !== 'GET') return send(res, 405, { error: 'use GET' })
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
          res.write(': connected\n\n')
          streams.add(res)
          const unsubscribe = opts.hub.subscribe((event, payload) => res.write(`data: ${JSON.stringify({ event, payload })}\n\n`))
          const ping = setInterval(() => res.write(': ping\n\n'), 15000)
          req.on('close', () => {
            clearInterval(ping)
            unsubscribe()
            streams.delete(res)
          })
          return
        }
        if (req.method !== 'POST') return send(res, 405, { error: 'use POST', code: 'invalid' })
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
          return send(res, 415, { error: 'send application/json', code: 'invalid' })
        const input = await readBody(req)
        const reply = await dispatch(opts.handlers, path.slice(5), input)
        if (reply.ok) return send(res, 200, { value: reply.value })
        return send(res, STATUS[reply.code ?? 'internal'], { error: reply.error, code: reply.code ?? 'internal' })
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' })
      if (!staticDir) return send(res, 404, { error: 'no page here: this server answers the API only' })
      // Static files of the built renderer.
      let file = resolve(join(staticDir, path))
      if (!isInside(file, staticDir)) return send(res, 403, { error: 'refused' })
      let st = await stat(file).catch(() => null)
      if (!st || st.isDirectory()) {
        file = join(staticDir, 'index.html')
        st = await stat(file).catch(() => null)
        if (!st) return send(res, 500, { error: `renderer not built: run npm run build (looked in ${staticDir})` })
      }
      const headers: Record<string, string> = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': String(st.size),
        'cache-control': 'no-store'
      }
      if (file.endsWith('.html')) headers['content-security-policy'] = CSP
      res.writeHead(200, headers)
      if (req.method === 'HEAD') return res.end()
      createReadStream(file).pipe(res)
    } catch (err) {
      const e = err as Error & { status?: number }
      if (!res.headersSent) send(res, e.status ?? 500, { error: e.message, code: e.status ? 'invalid' : 'internal' })
      else res.end()
    }
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok())
  })
  port = (server.address() as AddressInfo).port
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      for (const s of streams) s.end()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
    }
  }
}
