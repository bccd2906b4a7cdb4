import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventHub, type Handlers } from '../../src/main/app/dispatch'
import { startWebServer, type WebServer } from '../../src/main/web/server'

/** A raw HTTP request, so Host and Origin can be anything. */
function raw(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

describe('web bridge', () => {
  let server: WebServer
  const hub = createEventHub()
  const calls: unknown[] = []
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-web-'))
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>')
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)')
    const handlers = {
      listProjects: async (input: unknown) => {
        calls.push(input)
        return [{ id: 'p', dir: '/x', sessions: 1, bytes: 2, opened: false }]
      },
      listSessions: async () => {
        throw Object.assign(new Error('no such project: nope'), { code: 'not-found' })
      }
    } as unknown as Handlers
    server = await startWebServer({ handlers, hub, staticDir: dir })
  })
  afterAll(() => server.close())

  const host = () => ({ host: `127.0.0.1:${server.port}` })
  const json = () => ({ ...host(), 'content-type': 'application/json', 'x-trace2skill-token': server.token })

  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`))
    expect(server.token.length).toBeGreaterThanOrEqual(24)
  })

  it('refuses requests without the token (401), even for the page', async () => {
    expect((await raw(server.port, '/', { headers: host() })).status).toBe(401)
    expect((await raw(server.port, '/api/listProjects', { method: 'POST', headers: { ...host(), 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
    expect((await raw(server.port, '/?token=wrong', { headers: host() })).status).toBe(401)
  })

  it('refuses a foreign Host or Origin (DNS rebinding, cross-site) even with the token', async () => {
    expect((await raw(server.port, `/?token=${server.token}`, { headers: { host: 'evil.example' } })).status).toBe(403)
    const r = await raw(server.port, '/api/listProjects', { method: 'POST', headers: { ...json(), origin: 'http://evil.example' }, body: '{}' })
    expect(r.status).toBe(403)
    expect(calls).toHaveLength(0)
  })

  it('serves the page with the token, a CSP and an HttpOnly cookie that then opens the assets', async () => {
    const page = await raw(server.port, `/?token=${server.token}`, { headers: host() })
    expect(page.status).toBe(200)
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'")
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toContain('HttpOnly')
    const asset = await raw(server.port, '/assets/app.js', { headers: { ...host(), cookie: cookie.split(';')[0] } })
    expect(asset.status).toBe(200)
    expect(asset.body).toBe('console.log(1)')
  })

  it('answers contract requests, and validates them first', async () => {
    const ok = await raw(server.port, '/api/listProjects', { method: 'POST', headers: json(), body: '{}' })
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body).value[0].id).toBe('p')
    const bad = await raw(server.port, '/api/listProjects', { method: 'POST', headers: json(), body: '{"extra":1}' })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body).error).toMatch(/invalid input for listProjects/)
    const unknown = await raw(server.port, '/api/deleteEverything', { method: 'POST', headers: json(), body: '{}' })
    expect(unknown.status).toBe(404)
    const missing = await raw(server.port, '/api/listSessions', { method: 'POST', headers: json(), body: '{"projectId":"nope"}' })
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.body).error).toBe('no such project: nope')
    const notJson = await raw(server.port, '/api/listProjects', { method: 'POST', headers: json(), body: '{' })
    expect(notJson.status).toBe(400)
    expect(calls).toHaveLength(1)
  })

  it('pushes events over server-sent events', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: host() }, (res) => {
        let buf = ''
        res.on('data', (c) => {
          buf += c
          if (buf.includes('projectsChanged')) {
            resolve(buf)
            req.destroy()
          }
        })
        setTimeout(() => hub.emit('projectsChanged', {}), 50)
      })
      req.on('error', reject)
      req.end()
    })
    expect(got).toContain('data: {"event":"projectsChanged","payload":{}}')
  })
})
