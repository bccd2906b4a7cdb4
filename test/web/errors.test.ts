/**
 * Error codes over HTTP: each code has its status, and the web client's thrown error keeps the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, ERROR_CODES, fail, type ApiFailure, type RequestName } from '../../src/shared/contract'
import { createEventHub, type Handlers } from '../../src/main/app/dispatch'
import { startWebServer, STATUS, type WebServer } from '../../src/main/web/server'
import { requestOverHttp } from '../../src/renderer/src/lib/web-client'

describe('error codes over HTTP', () => {
  let server: WebServer
  const base = () => `http://127.0.0.1:${server.port}`
  beforeAll(async () => {
    const handlers = {
      listProjects: async () => [],
      startBatch: async () => {
        throw fail('the batch is still running', 'busy')
      },
      generateVariations: async () => {
        throw fail('No Anthropic API key', 'no-api-key')
      },
      saveFeedback: async () => {
        throw Object.assign(new Error('Could not save: the disk is full'), { code: 'store-write-failed' })
      },
      getBatch: async () => {
        // a raw Node error: its code is not one of ours
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })
      },
      cancelRun: async () => {
        throw Object.assign(new Error('cancelled'), { name: 'AbortError' })
      }
    } as unknown as Handlers
    server = await startWebServer({ handlers, hub: createEventHub(), staticDir: '/nonexistent-t2s-static' })
  })
  afterAll(() => server.close())

  const post = async (name: string, body: unknown) => {
    const res = await fetch(`${base()}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace2skill-token': server.token },
      body: JSON.stringify(body)
    })
    return { status: res.status, body: (await res.json()) as { error: string; code?: string } }
  }

  it('gives every code a status of its own kind: only internal is a plain 500', () => {
    for (const code of ERROR_CODES) {
      expect(STATUS[code], code).toBeGreaterThanOrEqual(400)
      if (code !== 'internal') expect(STATUS[code], code).not.toBe(500)
    }
    expect(STATUS.internal).toBe(500)
  })

  it('answers an invalid payload 400 with its code, busy 409, a missing key 424, a failed write 507', async () => {
    const bad = await post('listProjects', { extra: 1 })
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid' } })
    expect(bad.body.error).toMatch(/invalid input for listProjects/)
    expect(await post('startBatch', { batchId: 'b' })).toEqual({ status: 409, body: { error: 'the batch is still running', code: 'busy' } })
    expect(await post('generateVariations', { taskId: 't', mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } })).toMatchObject({
      status: 424,
      body: { code: 'no-api-key' }
    })
    expect(await post('saveFeedback', { runId: 'r', label: 'good', text: '' })).toMatchObject({
      status: 507,
      body: { code: 'store-write-failed' }
    })
    expect(await post('deleteEverything', {})).toMatchObject({ status: 404, body: { code: 'not-found' } })
  })

  it('never passes a foreign code through: a raw ENOENT is internal (500), an abort is cancelled (409)', async () => {
    expect(await post('getBatch', { batchId: 'b' })).toMatchObject({
      status: 500,
      body: { code: 'internal', error: 'ENOENT: no such file' }
    })
    expect(await post('cancelRun', { runId: 'r' })).toMatchObject({ status: 409, body: { code: 'cancelled' } })
  })

  it("the web client's thrown error carries the code", async () => {
    const api = createApi({
      request: (name: RequestName, input: unknown) => requestOverHttp(server.token, name, input, { base: base() }),
      subscribe: () => () => {}
    })
    expect(await api.listProjects({})).toEqual([])
    const busy = (await api.startBatch({ batchId: 'b' }).catch((e) => e)) as ApiFailure
    expect(busy).toBeInstanceOf(Error)
    expect(busy.message).toBe('the batch is still running')
    expect(busy.code).toBe('busy')
    const invalid = (await api.listProjects({ extra: 1 } as never).catch((e) => e)) as ApiFailure
    expect(invalid.code).toBe('invalid')
    // a wrong token: refused by the bridge itself, still with a code
    const stranger = createApi({
      request: (name, input) => requestOverHttp('wrong', name, input, { base: base() }),
      subscribe: () => () => {}
    })
    expect(((await stranger.listProjects({}).catch((e) => e)) as ApiFailure).code).toBe('forbidden')
  })

  it('the web client gives a code to what is not the bridge answering: a proxy page, a dead server', async () => {
    const proxy = (async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })) as typeof fetch
    const reply = await requestOverHttp('t', 'listProjects', {}, { fetch: proxy })
    expect(reply).toEqual({ ok: false, error: '502 Bad Gateway', code: 'internal' })
    const dead = (async () => {
      throw new TypeError('fetch failed')
    }) as typeof fetch
    expect(await requestOverHttp('t', 'listProjects', {}, { fetch: dead })).toMatchObject({ ok: false, code: 'internal' })
  })
})
