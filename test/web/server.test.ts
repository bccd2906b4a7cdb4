import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventHub, type Handlers } from '../../src/main/app/dispatch'
import { checkClaude } from '../../src/main/agents/claude-code/check'
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
  let dir = ''
  let script = ''
  let marker = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-web-'))
    // a "claude" that leaves a marker when it runs: the proof that a request started a process
    marker = join(dir, 'ran')
    script = join(dir, 'fake-claude.sh')
    await writeFile(script, `#!/bin/sh\necho ran > '${marker}'\necho 9.9.9\n`)
    await chmod(script, 0o755)
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
      },
      checkClaude: async ({ path }: { path?: string }) => checkClaude(path || 'claude')
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

  it('refuses API requests without the token header (401)', async () => {
    expect(
      (
        await raw(server.port, '/api/listProjects', {
          method: 'POST',
          headers: { ...host(), 'content-type': 'application/json' },
          body: '{}'
        })
      ).status
    ).toBe(401)
    const wrong = { ...host(), 'content-type': 'application/json', 'x-trace2skill-token': 'wrong' }
    expect((await raw(server.port, '/api/listProjects', { method: 'POST', headers: wrong, body: '{}' })).status).toBe(401)
    expect(calls).toHaveLength(0)
  })

  it('refuses a foreign Host or Origin (DNS rebinding, cross-site) even with the token', async () => {
    expect((await raw(server.port, `/?token=${server.token}`, { headers: { host: 'evil.example' } })).status).toBe(403)
    expect((await raw(server.port, '/', { headers: { host: `evil.example:${server.port}` } })).status).toBe(403)
    const r = await raw(server.port, '/api/listProjects', {
      method: 'POST',
      headers: { ...json(), origin: 'http://evil.example' },
      body: '{}'
    })
    expect(r.status).toBe(403)
    // another app on the same machine is another origin, even on 127.0.0.1
    const port = await raw(server.port, '/api/listProjects', {
      method: 'POST',
      headers: { ...json(), origin: `http://127.0.0.1:${server.port + 1}` },
      body: '{}'
    })
    expect(port.status).toBe(403)
    expect(calls).toHaveLength(0)
  })

  it('serves the page and its assets without a token (public code), with a CSP, and sets no cookie', async () => {
    for (const path of ['/', `/?token=${server.token}`, '/?token=wrong', '/some/route']) {
      const page = await raw(server.port, path, { headers: host() })
      expect(page.status, path).toBe(200)
      expect(page.body).toContain('<title>t</title>')
      expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'")
      expect(page.headers['set-cookie'], path).toBeUndefined()
    }
    const asset = await raw(server.port, '/assets/app.js', { headers: host() })
    expect(asset.status).toBe(200)
    expect(asset.body).toBe('console.log(1)')
    expect(asset.headers['set-cookie']).toBeUndefined()
    expect((await raw(server.port, '/..%2f..%2f..%2fetc%2fpasswd', { headers: host() })).status).toBe(403)
  })

  it('takes the token from the header only: what a browser sends to another port (a cookie) or a URL with it starts no process', async () => {
    const body = JSON.stringify({ path: script })
    const base = { ...host(), 'content-type': 'application/json' }
    // the cookie older versions set: cookies are not scoped by port, so every local web app got it
    const cookie = await raw(server.port, '/api/checkClaude', {
      method: 'POST',
      headers: { ...base, cookie: `t2s_token=${server.token}` },
      body
    })
    expect(cookie.status).toBe(401)
    // the token in the query of an API call (URLs end up in logs and histories)
    const query = await raw(server.port, `/api/checkClaude?token=${server.token}`, { method: 'POST', headers: base, body })
    expect(query.status).toBe(401)
    expect(existsSync(marker)).toBe(false)
    // GET never runs a request, even with the header
    const get = await raw(server.port, `/api/checkClaude?path=${encodeURIComponent(script)}`, {
      headers: { ...base, 'x-trace2skill-token': server.token }
    })
    expect(get.status).toBe(405)
    expect(existsSync(marker)).toBe(false)
    expect(calls).toHaveLength(0)
  })

  it('a cross-origin no-cors request (text/plain, other Origin, old cookie) cannot trigger anything', async () => {
    const body = JSON.stringify({ path: script })
    const other = `http://127.0.0.1:${server.port + 1}`
    const cookie = `t2s_token=${server.token}`
    // what fetch(url, { mode: 'no-cors', method: 'POST', credentials: 'include', headers: { 'content-type': 'text/plain' } }) sends
    const noCors = await raw(server.port, '/api/checkClaude', {
      method: 'POST',
      headers: {
        ...host(),
        origin: other,
        'content-type': 'text/plain',
        cookie,
        'sec-fetch-site': 'same-site',
        'sec-fetch-mode': 'no-cors'
      },
      body
    })
    expect([401, 403, 415]).toContain(noCors.status)
    // the same without an Origin header (a form or an old browser): still refused
    const form = await raw(server.port, '/api/checkClaude', {
      method: 'POST',
      headers: { ...host(), 'content-type': 'text/plain', cookie },
      body
    })
    expect([401, 415]).toContain(form.status)
    // even holding the token, a text/plain body is not a contract request (a simple request needs no preflight)
    const plain = await raw(server.port, '/api/checkClaude', {
      method: 'POST',
      headers: { ...host(), 'content-type': 'text/plain', 'x-trace2skill-token': server.token },
      body
    })
    expect(plain.status).toBe(415)
    // a request the browser says came from another site is refused even if it somehow carries the header
    const site = await raw(server.port, '/api/checkClaude', { method: 'POST', headers: { ...json(), 'sec-fetch-site': 'same-site' }, body })
    expect(site.status).toBe(403)
    // a CORS preflight is never granted
    const pre = await raw(server.port, '/api/checkClaude', {
      method: 'OPTIONS',
      headers: {
        ...host(),
        origin: other,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-trace2skill-token'
      }
    })
    expect(pre.status).toBeGreaterThanOrEqual(400)
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
    expect(existsSync(marker)).toBe(false)
  })

  it('the right header runs the request (and so the process)', async () => {
    const r = await raw(server.port, '/api/checkClaude', {
      method: 'POST',
      headers: { ...json(), 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ path: script })
    })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body).value).toMatchObject({ ok: true, version: '9.9.9' })
    expect(existsSync(marker)).toBe(true)
  })

  it('answers 400, not 500, to a malformed %-escape in the path', async () => {
    expect((await raw(server.port, '/%E0%A4%A', { headers: host() })).status).toBe(400)
    expect((await raw(server.port, '/assets/%zz.js', { headers: host() })).status).toBe(400)
    const api = await raw(server.port, '/api/%zz', { method: 'POST', headers: json(), body: '{}' })
    expect(api.status).toBe(400)
    expect(JSON.parse(api.body).error).toMatch(/malformed/)
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

  const stream = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
        let buf = ''
        if (res.statusCode !== 200) {
          res.on('data', (c) => (buf += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: buf }))
          return
        }
        res.on('data', (c) => {
          buf += c
          if (buf.includes('projectsChanged')) {
            resolve({ status: 200, body: buf })
            req.destroy()
          }
        })
        setTimeout(() => hub.emit('projectsChanged', {}), 50)
      })
      req.on('error', reject)
      req.end()
    })

  it('pushes events over server-sent events, to the token header only', async () => {
    const got = await stream('/api/events', { ...host(), 'x-trace2skill-token': server.token })
    expect(got.body).toContain('data: {"event":"projectsChanged","payload":{}}')
    expect((await stream(`/api/events?token=${server.token}`, host())).status).toBe(401)
    expect((await stream('/api/events', { ...host(), cookie: `t2s_token=${server.token}` })).status).toBe(401)
  })
})
