/**
 * Issue 18, security item 5, end to end: web mode with a session whose sub-agent folder holds a FIFO,
 * a link to /dev/zero and a meta.json linked to /dev/zero. Before, each getTrace took one of the four
 * threads Node reads files on for ever; after five of them the server answered nothing, not even `/`.
 * Now every getTrace answers (the good sub-agent, the others named in warnings) and `/` answers
 * throughout. The server runs in a child process with a deadline, so a hang fails the test.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lastJson, runChild, startChild, src } from '../support/child'

const SESSION = '55555555-5555-4555-8555-555555555555'
const PROJECT = '-tmp-special-project'
const line = (o: unknown) => JSON.stringify(o) + '\n'
const user = (text: string) => line({ type: 'user', message: { role: 'user', content: text }, timestamp: '2026-01-01T00:00:00Z' })

/** An HTTP request to the child's server; a reply, or `null` after `giveUpMs` (a server that hangs). */
function ask(port: number, path: string, giveUpMs: number, body?: { token: string; input: unknown }) {
  return new Promise<{ status: number; body: string } | null>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json', 'x-trace2skill-token': body.token } : {}
      },
      (res) => {
        let text = ''
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      }
    )
    req.setTimeout(giveUpMs, () => {
      req.destroy()
      resolve(null)
    })
    req.on('error', () => resolve(null))
    req.end(body ? JSON.stringify(body.input) : undefined)
  })
}

describe('web mode with hostile sub-agent files', () => {
  it('getTrace answers every time and the server keeps answering /', { timeout: 300_000 }, async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-special-cfg-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-special-data-'))
    const staticDir = await mkdtemp(join(tmpdir(), 't2s-special-static-'))
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>still here</title>')
    const project = join(configDir, 'projects', PROJECT)
    const sub = join(project, SESSION, 'subagents')
    await mkdir(sub, { recursive: true })
    await writeFile(join(project, `${SESSION}.jsonl`), user('a session with hostile sub-agents'))
    await writeFile(join(sub, 'agent-good.jsonl'), user('a good sub-agent'))
    execFileSync('mkfifo', [join(sub, 'agent-fifo.jsonl')])
    await symlink('/dev/zero', join(sub, 'agent-zero.jsonl'))
    await writeFile(join(sub, 'agent-meta.jsonl'), user('its meta never ends'))
    await symlink('/dev/zero', join(sub, 'agent-meta.meta.json'))

    const child = startChild(
      `const { createService } = await import(${src('src/main/app/service.ts')})
      const { startWebServer } = await import(${src('src/main/web/server.ts')})
      const service = await createService({ configDir: ${JSON.stringify(configDir)}, dataDir: ${JSON.stringify(dataDir)}, mode: 'web', version: 'test' })
      const server = await startWebServer({ handlers: service.handlers, hub: service.hub, staticDir: ${JSON.stringify(staticDir)} })
      console.log(JSON.stringify({ port: server.port, token: server.token }))
      setInterval(() => {}, 1000)`,
      { deadlineMs: 280_000 }
    )
    try {
      const m = await child.waitFor(/\{"port":(\d+),"token":"([^"]+)"\}/)
      if (!m) throw new Error(`the server did not start: ${(await child.result).stderr.slice(-2000)}`)
      const [port, token] = [Number(m[1]), m[2]]
      // more calls at once than Node has threads for file reads (four)
      const replies = await Promise.all(
        Array.from({ length: 6 }, () => ask(port, '/api/getTrace', 60_000, { token, input: { sessionId: SESSION } }))
      )
      // once they have answered (or been given up on): the page
      const page = await ask(port, '/', 60_000)
      expect(page, 'the server no longer answers /').not.toBeNull()
      expect(page!.status).toBe(200)
      expect(page!.body).toContain('still here')
      for (const reply of replies) {
        expect(reply, 'getTrace never answered').not.toBeNull()
        expect(reply!.status).toBe(200)
        const t = JSON.parse(reply!.body).value as { subagents: { agentId: string }[]; warnings: { file: string; message: string }[] }
        expect(t.subagents.map((s) => s.agentId)).toEqual(['good', 'meta'])
        expect(t.warnings.map((w) => [w.file.split('/').pop(), w.message])).toEqual([
          ['agent-fifo.jsonl', 'not a regular file (a FIFO): not read'],
          ['agent-zero.jsonl', 'a symbolic link: not followed'],
          ['agent-meta.meta.json', 'a symbolic link: not followed']
        ])
      }
      // and still, after them
      expect((await ask(port, '/', 60_000))?.status).toBe(200)
    } finally {
      child.kill()
    }
  })
})

describe("a run's screenshots folder holding what is not a PNG file", () => {
  it('a FIFO or a link to /dev/zero is refused at once; a real PNG is served', { timeout: 200_000 }, async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-special-cfg-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-special-data-'))
    const shots = join(dataDir, 'runs', 'r1', 'screenshots')
    await mkdir(shots, { recursive: true })
    execFileSync('mkfifo', [join(shots, 'fifo.png')])
    await symlink('/dev/zero', join(shots, 'zero.png'))
    // a 1x1 PNG
    await writeFile(
      join(shots, 'real.png'),
      Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
    )
    const run = {
      id: 'r1',
      batchId: 'b1',
      variationId: 'v1',
      number: 1,
      repeat: 1,
      difficulty: 'normal',
      prompt: 'p',
      sessionId: SESSION,
      state: 'done',
      progress: { turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, elapsedMs: 0 },
      files: [],
      screenshots: [],
      imported: false
    }
    const batch = {
      id: 'b1',
      name: 'b',
      createdAt: '2026-01-01T00:00:00.000Z',
      settings: { permission: 'sandboxed', allowedTools: [], maxTurns: 1, concurrency: 1, repeats: 1, timeoutMs: 1000 },
      runIds: ['r1']
    }
    const r = await runChild(
      `const { createService } = await import(${src('src/main/app/service.ts')})
      const { dispatch } = await import(${src('src/main/app/dispatch.ts')})
      const service = await createService({ configDir: ${JSON.stringify(configDir)}, dataDir: ${JSON.stringify(dataDir)}, mode: 'web', version: 'test' })
      await service.store.batches.add(${JSON.stringify(batch)}, [${JSON.stringify(run)}])
      const out = {}
      for (const name of ['fifo.png', 'zero.png', 'real.png']) {
        const r = await dispatch(service.handlers, 'getScreenshot', { runId: 'r1', file: ${JSON.stringify(shots)} + '/' + name })
        out[name] = r.ok ? r.value.dataUrl.slice(0, 22) : r.code
      }
      console.log(JSON.stringify(out))
      process.exit(0)`,
      { deadlineMs: 180_000 }
    )
    expect(r.hung, 'hung').toBe(false)
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    expect(lastJson(r)).toEqual({ 'fifo.png': 'not-found', 'zero.png': 'not-found', 'real.png': 'data:image/png;base64,' })
  })
})
