/**
 * Issue 9 end to end: a session nested 10k-100k levels deep goes through the service, search, the
 * summary worker and the built CLI; ids from outside are validated and looked up, never used as
 * paths (traversal, absolute paths, %2e%2e, NUL, backslashes, `__proto__`), and the legit ids work.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { dispatch } from '../../src/main/app/dispatch'
import { summarizeFile } from '../../src/main/traces/summary'
import { workerPool } from '../../src/main/traces/summary-pool'
import { REPO } from '../support/claude-harness'
import { cli } from '../support/cli'

const WORKER = join(REPO, 'out', 'main', 'summary-worker.js')

const DEEP = '11111111-1111-4111-8111-111111111111'
const PLAIN = '22222222-2222-4222-8222-222222222222'
const SECRET = '33333333-3333-4333-8333-333333333333'
const PROJECT = '-tmp-hostile-project'
const TS = '2026-01-01T00:00:00Z'
const line = (o: unknown) => JSON.stringify(o) + '\n'
const user = (text: string) =>
  line({ type: 'user', message: { role: 'user', content: text }, timestamp: TS, cwd: '/tmp/hostile', sessionId: 'x' })
const usage = '{"input_tokens":100,"output_tokens":10}'
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n)

describe('hostile sessions and hostile ids', () => {
  let configDir: string
  let dataDir: string
  let service: Service
  let secretFile: string
  const env = () => ({ CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir })
  const call = (name: string, input: unknown) => dispatch(service.handlers, name, input)

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 't2s-hostile-cfg-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-hostile-data-'))
    const project = join(configDir, 'projects', PROJECT)
    await mkdir(project, { recursive: true })
    const N = 10_000
    await writeFile(
      join(project, `${DEEP}.jsonl`),
      user('hostile deep session') +
        `{"type":"assistant","message":{"id":"m1","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"t1","name":"Write","input":{"file_path":"needle.txt","content":${deepObject(N)}}}],"usage":${usage}},"timestamp":"${TS}"}\n` +
        `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"json","value":${deepArray(N)}}]}]},"toolUseResult":${deepArray(N)},"timestamp":"${TS}"}\n` +
        `{"type":"assistant","message":{"id":"m2","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"t2","name":"Agent","input":{"description":"d","prompt":"sub prompt"}}],"usage":${usage}},"timestamp":"${TS}"}\n`
    )
    const sub = join(project, DEEP, 'subagents')
    await mkdir(sub, { recursive: true })
    await writeFile(join(sub, 'agent-a8c94204ceff97979.jsonl'), user('sub prompt'))
    await writeFile(join(sub, 'agent-a8c94204ceff97979.meta.json'), deepObject(100_000))
    await writeFile(join(project, `${PLAIN}.jsonl`), user('a plain session'))
    // a session file outside every project: no id may reach it
    await mkdir(join(configDir, 'secret'), { recursive: true })
    secretFile = join(configDir, 'secret', `${SECRET}.jsonl`)
    await writeFile(secretFile, user('TOP SECRET outside every project'))
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
  })
  afterAll(() => service?.dispose())

  describe('deep nesting', () => {
    it('getTrace returns the trace with warnings and placeholders', async () => {
      const r = await call('getTrace', { sessionId: DEEP })
      expect(r.ok).toBe(true)
      const t = r.ok ? (r.value as { warnings: { line: number; message: string }[]; subagents: { meta: unknown }[] }) : null
      expect(t!.warnings.filter((w) => /nested deeper than 100 levels/.test(w.message)).map((w) => w.line)).toEqual([2, 3, 1])
      expect(() => JSON.stringify(t)).not.toThrow()
      expect(() => structuredClone(t)).not.toThrow()
      expect(JSON.stringify(t!.subagents[0].meta)).toContain('[nested deeper than 100 levels: omitted]')
    })

    it('the session list, search and the index work', async () => {
      const list = await call('listSessions', { projectId: PROJECT })
      expect(list.ok && (list.value as { sessionId: string }[]).map((s) => s.sessionId).sort()).toEqual([DEEP, PLAIN])
      const hits = await call('searchSessions', { projectId: PROJECT, query: 'needle' })
      expect(hits.ok && (hits.value as { sessionId: string }[]).map((h) => h.sessionId)).toEqual([DEEP])
      const totals = await service.index.indexAll()
      expect(totals.sessions).toBe(2)
      expect(Number.isFinite(totals.costUsd)).toBe(true)
    })

    it('the worker summarizer agrees with the in-thread one', async () => {
      expect(existsSync(WORKER), 'build first (npm test does): out/main/summary-worker.js').toBe(true)
      const pool = workerPool(WORKER, 1)
      try {
        const file = join(configDir, 'projects', PROJECT, `${DEEP}.jsonl`)
        const viaPool = await pool.summarize(file)
        expect(viaPool).toEqual(await summarizeFile(file))
        expect(viaPool.warnings).toBe(2)
      } finally {
        await pool.close()
      }
    })

    it('the built CLI prints the trace and exits 0', async () => {
      const r = await cli(['trace', DEEP, '--json'], env())
      expect(r.stderr).toMatch(/warning: line 2: nested deeper than 100 levels/)
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout).sessionId).toBe(DEEP)
    })
  })

  describe('ids from outside are validated, never paths', () => {
    const traversal = () => [
      `../secret/${SECRET}`,
      `../../secret/${SECRET}`,
      `${PROJECT}/../../secret/${SECRET}`,
      secretFile.slice(0, -'.jsonl'.length),
      `%2e%2e%2fsecret%2f${SECRET}`,
      `..%2F..%2Fsecret%2F${SECRET}`,
      `${PLAIN}\u0000`,
      `..\\..\\secret\\${SECRET}`,
      '..',
      '.',
      '__proto__',
      'constructor',
      'toString'
    ]
    const refused = (r: Awaited<ReturnType<typeof call>>) => {
      expect(r.ok).toBe(false)
      expect(['invalid', 'not-found']).toContain(!r.ok && r.code)
      expect(!r.ok && r.error).not.toContain('TOP SECRET')
    }

    it('getTrace refuses every traversal id; the legit ids still work', async () => {
      for (const sessionId of traversal()) {
        const r = await call('getTrace', { sessionId })
        refused(r)
        // a direct call (other handlers call it with ids from the store) refuses them too
        await expect(service.handlers.getTrace({ sessionId })).rejects.toThrow()
      }
      for (const projectId of [
        '..',
        '../secret',
        '/etc',
        join(configDir, 'secret'),
        '%2e%2e',
        `${PROJECT}\u0000`,
        `${PROJECT}/..`,
        'secret',
        '__proto__'
      ]) {
        refused(await call('getTrace', { sessionId: SECRET, projectId }))
        refused(await call('getTrace', { sessionId: PLAIN, projectId }))
      }
      const ok = await call('getTrace', { sessionId: PLAIN, projectId: PROJECT })
      expect(ok.ok).toBe(true)
      expect((await call('getTrace', { sessionId: PLAIN })).ok).toBe(true)
    })

    it('listSessions and searchSessions take only known project ids', async () => {
      for (const projectId of [
        '..',
        '../secret',
        '/etc',
        configDir,
        join(configDir, 'secret'),
        '%2e%2e',
        `${PROJECT}\u0000`,
        `${PROJECT}/..`,
        `..\\secret`,
        'secret',
        'constructor',
        '__proto__'
      ]) {
        refused(await call('listSessions', { projectId }))
        refused(await call('searchSessions', { projectId, query: 'SECRET' }))
      }
      expect(service.notices.filter((n) => /secret|\u0000/.test(n.message))).toEqual([])
    })

    it('pinSession and importSessions refuse them and archive nothing', async () => {
      for (const sessionId of traversal()) {
        refused(await call('pinSession', { sessionId, pinned: true }))
        refused(await call('importSessions', { sessions: [{ sessionId }] }))
        refused(await call('importSessions', { sessions: [{ sessionId: PLAIN, projectId: sessionId }] }))
      }
      expect(service.store.sessions.archives()).toEqual([])
      expect(service.store.sessions.pins()).toEqual([])
      const pinned = await call('pinSession', { sessionId: PLAIN, pinned: true })
      expect(pinned.ok).toBe(true)
      expect(service.store.sessions.archives().map((a) => a.sessionId)).toEqual([PLAIN])
    })

    it('ids that are names of Object.prototype pollute nothing', async () => {
      for (const runId of ['__proto__', 'constructor', 'hasOwnProperty']) {
        refused(await call('saveFeedback', { runId, label: 'bad', text: 'polluted' }))
        refused(await call('getScreenshot', { runId, file: join(dataDir, 'runs', runId, 'screenshots', 'x.png') }))
        refused(await call('getBatch', { batchId: runId }))
      }
      const clean = {} as { feedback?: unknown }
      expect(clean.feedback).toBeUndefined()
    })

    it('getImage reads only session files inside the known folders, symbolic links resolved', async () => {
      const link = join(configDir, 'projects', PROJECT, 'link.jsonl')
      await symlink(secretFile, link)
      const ref = { offset: 0, length: 10, index: 0, mediaType: 'image/png', bytes: 1 }
      for (const file of [
        secretFile,
        link,
        join(configDir, 'projects', PROJECT, '..', '..', 'secret', `${SECRET}.jsonl`),
        `${join(configDir, 'projects', PROJECT, `${PLAIN}.jsonl`)}\u0000`
      ]) {
        const r = await call('getImage', { ref: { ...ref, file } })
        expect(r.ok).toBe(false)
        expect(!r.ok && r.code).toBe('forbidden')
      }
      // numbers from outside: whole, not negative, a line no longer than the reader takes
      const file = join(configDir, 'projects', PROJECT, `${PLAIN}.jsonl`)
      for (const bad of [
        { offset: -1 },
        { offset: 1.5 },
        { index: -1 },
        { index: 0.5 },
        { length: 0 },
        { length: 2 ** 40 },
        { bytes: -3 }
      ]) {
        const r = await call('getImage', { ref: { ...ref, file, ...bad } })
        expect(!r.ok && r.code, JSON.stringify(bad)).toBe('invalid')
      }
    })

    it('the CLI trace refuses them with a one-line reason', async () => {
      for (const id of [`../../secret/${SECRET}`, `%2e%2e%2fsecret%2f${SECRET}`, `..\\..\\secret\\${SECRET}`, '__proto__']) {
        const r = await cli(['trace', id, '--json'], env())
        expect(r.code, id).not.toBe(0)
        expect(r.stdout).toBe('')
        expect(r.stderr).not.toContain('TOP SECRET')
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
      }
      const r = await cli(['trace', PLAIN, '--json'], env())
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout).sessionId).toBe(PLAIN)
    })
  })
})
