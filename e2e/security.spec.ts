/**
 * The web mode's token: read from the printed URL once, then only in memory (and this tab's
 * sessionStorage) and in a request header. Never in the address bar after load, never a cookie, never
 * sent to another origin; a page on another port cannot make the server start a process.
 */
import { chmod, copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, ROOT, startWeb, test } from './fixtures'

const FIXTURE_SESSION = join(ROOT, 'test', 'fixtures', 'cli-2.1.330', '4eb0f224-a19d-446d-aeaa-fa64d85123bd.jsonl')

test('the token leaves the address bar, sets no cookie, survives a reload, and the events stream works', async ({ page, context }) => {
  const config = await mkdtemp(join(tmpdir(), 't2s-e2e-sec-'))
  await mkdir(join(config, 'projects', '-home-dev-one'), { recursive: true })
  await copyFile(FIXTURE_SESSION, join(config, 'projects', '-home-dev-one', '11111111-1111-4111-8111-111111111111.jsonl'))
  const data = await mkdtemp(join(tmpdir(), 't2s-e2e-secdata-'))
  const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  const token = new URL(url).searchParams.get('token')!
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const sentToken: string[] = []
  page.on('request', (r) => {
    if (r.url().includes(token) && !r.isNavigationRequest()) sentToken.push(r.url())
    if (r.headers().cookie?.includes(token)) sentToken.push(`cookie: ${r.url()}`)
  })
  try {
    await page.goto(url)
    await expect(page.getByTestId('project-row')).toHaveCount(1)
    expect(page.url()).not.toContain(token)
    expect(new URL(page.url()).search).toBe('')
    expect(await context.cookies()).toEqual([])

    await page.getByTestId('project-row').click()
    await expect(page.getByTestId('session-row')).toHaveCount(1)
    const at = page.url()
    await page.reload()
    await expect(page).toHaveURL(at)
    await expect(page.getByTestId('session-row')).toHaveCount(1)

    // a project that appears on disk shows up live: pushed over the events stream
    await mkdir(join(config, 'projects', '-home-dev-two'), { recursive: true })
    await copyFile(FIXTURE_SESSION, join(config, 'projects', '-home-dev-two', '22222222-2222-4222-8222-222222222222.jsonl'))
    await expect(page.getByTestId('project-row')).toHaveCount(2, { timeout: 15_000 })

    // the API needs the header: the bare origin, a cookie or the query are refused
    const origin = new URL(url).origin
    expect((await page.request.post(`${origin}/api/listProjects`, { data: {} })).status()).toBe(401)
    expect((await page.request.post(`${origin}/api/listProjects?token=${token}`, { data: {} })).status()).toBe(401)
    expect((await page.request.post(`${origin}/api/listProjects`, { data: {}, headers: { cookie: `t2s_token=${token}` } })).status()).toBe(
      401
    )
    expect((await page.request.post(`${origin}/api/listProjects`, { data: {}, headers: { 'x-trace2skill-token': token } })).status()).toBe(
      200
    )
    // the page itself is public code
    expect((await page.request.get(`${origin}/`)).status()).toBe(200)

    expect(sentToken).toEqual([])
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
  }
})

test('a page on another port cannot make the server start a process, even with the old cookie', async ({ page, context, app }) => {
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-csrf-'))
  const marker = join(dir, 'ran')
  const script = join(dir, 'fake-claude.sh')
  await writeFile(script, `#!/bin/sh\necho ran > '${marker}'\necho 9.9.9\n`)
  await chmod(script, 0o755)
  const token = new URL(app.url).searchParams.get('token')!
  const target = new URL(app.url).origin

  // another local web app, on another port of 127.0.0.1: what does the browser send it?
  const received: string[] = []
  const evil = createServer((req, res) => {
    received.push(`${req.url} ${req.headers.cookie ?? ''} ${req.headers.referer ?? ''}`)
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><title>other app</title>')
  })
  await new Promise<void>((ok) => evil.listen(0, '127.0.0.1', ok))
  const evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
  try {
    // the person opens trace2skill, then another local app in the same browser
    await page.goto(app.url)
    await expect(page.getByTestId('project-row').first()).toBeVisible()
    await page.goto(evilOrigin)
    await page.goto(`${evilOrigin}/other`)
    expect(received.length).toBeGreaterThan(0)
    for (const r of received) expect(r).not.toContain(token)

    // what older versions left in the browser: a cookie for 127.0.0.1, which every port receives
    await context.addCookies([{ name: 't2s_token', value: token, domain: '127.0.0.1', path: '/' }])
    await page.goto(evilOrigin)
    const results = await page.evaluate(
      async ({ target, script, token }) => {
        const body = JSON.stringify({ path: script })
        const out: string[] = []
        const attempt = async (what: string, init: RequestInit, path = '/api/checkClaude') => {
          try {
            const r = await fetch(target + path, { method: 'POST', credentials: 'include', body, ...init })
            out.push(`${what}: ${r.type} ${r.status}`)
          } catch (e) {
            out.push(`${what}: ${(e as Error).name}`)
          }
        }
        await attempt('no-cors text/plain', { mode: 'no-cors', headers: { 'content-type': 'text/plain' } })
        await attempt(
          'no-cors query token',
          { mode: 'no-cors', headers: { 'content-type': 'text/plain' } },
          `/api/checkClaude?token=${token}`
        )
        await attempt('cors json', { mode: 'cors', headers: { 'content-type': 'application/json' } })
        await attempt('cors with the header', {
          mode: 'cors',
          headers: { 'content-type': 'application/json', 'x-trace2skill-token': token }
        })
        return out
      },
      { target, script, token }
    )
    // nothing readable came back, and nothing ran
    for (const r of results) expect(r).toMatch(/opaque 0|TypeError/)
    await new Promise((r) => setTimeout(r, 500))
    expect(existsSync(marker)).toBe(false)

    // the same request from the app's own page runs (so the marker would have shown a leak)
    await page.goto(app.url)
    await expect(page.getByTestId('project-row').first()).toBeVisible()
    const check = await page.evaluate((path) => window.api.checkClaude({ path }), script)
    expect(check).toMatchObject({ ok: true, version: '9.9.9' })
    expect(existsSync(marker)).toBe(true)
  } finally {
    evil.close()
  }
})
