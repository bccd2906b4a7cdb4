/**
 * One document per aggregate: a data folder of the old layout (one store.json) is migrated on the first
 * start of a writer and kept as a backup; a change writes only its own document; a corrupt document
 * costs only itself; read-only opens write nothing; progress is written at most once a second.
 */
import { readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { salvage } from '../../src/main/store/document'
import { LEGACY_SCHEMA, LEGACY_SPEC, emptyLegacy } from '../../src/main/store/migrate'
import { openStore, STORE_FILE, type Store } from '../../src/main/store/store'
import type { Run } from '../../src/shared/runs'
import { fixtureSessions } from '../support/fixture-sessions'
import { batchFile, changed, indexFile, snapshot, storeDir } from '../support/store-files'

const tmp = (name = 't2s-layout-') => mkdtemp(join(tmpdir(), name))
const open: Store[] = []
const track = (s: Store) => (open.push(s), s)
afterAll(async () => {
  for (const s of open) await s.close()
})

const T = '2026-01-02T03:04:05.000Z'
const settings = { permission: 'sandboxed', allowedTools: ['Read'], maxTurns: 40, concurrency: 3, repeats: 1, timeoutMs: 1_800_000 }
const run = (id: string, batchId: string, number: number, state: Run['state'], extra: Partial<Run> = {}): Run => ({
  id,
  batchId,
  number,
  prompt: `prompt ${number}`,
  repeat: 1,
  state,
  sessionId: `00000000-0000-4000-8000-00000000000${number}`,
  progress: { turns: 3, toolCalls: 2, tokens: 100, costUsd: 0.01, elapsedMs: 1000 },
  files: [],
  screenshots: [],
  imported: false,
  ...extra
})
const rule = (id: string, analyst: 'error' | 'edge', evidence: number[]) => ({
  id,
  analyst,
  rule: `Rule ${id}`,
  evidence,
  priority: 'high',
  reason: 'r'
})
const skillState = (title: string) => ({
  id: 'sk1',
  batchIds: ['b1'],
  taskId: 't1',
  frontMatter: { name: 'landing-page', description: 'Landing pages.' },
  title,
  whenToUse: 'When building landing pages.',
  rules: [
    {
      id: 'm1',
      text: 'Run the build',
      evidence: [1, 2],
      priority: 'high',
      tier: 'edge-case',
      sources: ['g1-a1-error-1', 'g2-a1-error-1'],
      analysts: ['error'],
      reasons: ['r'],
      pointers: [],
      guard: false,
      existing: false,
      pinnedTier: false
    }
  ],
  conflicts: [],
  setAside: [],
  createdAt: T,
  updatedAt: T
})

/** A store.json as the app wrote it before (schema 1): two batches (one mid-run), an analysis of runs in groups, a skill with three versions. */
function legacyStore() {
  return {
    schema: 1,
    pins: {
      '00000000-0000-4000-8000-000000000001': { sessionId: '00000000-0000-4000-8000-000000000001', projectId: '-tmp-x', pinnedAt: T }
    },
    archives: {
      '00000000-0000-4000-8000-000000000001': {
        sessionId: '00000000-0000-4000-8000-000000000001',
        projectId: '-tmp-x',
        originalFile: '/gone/s.jsonl',
        file: 'archive/s/s.jsonl.gz',
        subagents: [],
        bytes: 10,
        sourceSize: 20,
        sourceMtimeMs: 1,
        archivedAt: T
      }
    },
    openedFolders: ['/some/folder'],
    tasks: { t1: { id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: T, updatedAt: T } },
    variations: { t1: [{ id: 'v1', taskId: 't1', difficulty: 'easy', prompt: 'A page.' }] },
    batches: {
      b1: { id: 'b1', taskId: 't1', name: 'Landing page #1', createdAt: T, settings, runIds: ['r1', 'r2'] },
      b2: { id: 'b2', taskId: 't1', name: 'Landing page #2', createdAt: T, settings, runIds: ['r3'] }
    },
    runs: {
      r1: run('r1', 'b1', 1, 'done', { feedback: { label: 'good', text: 'clean', updatedAt: T } }),
      r2: run('r2', 'b1', 2, 'done', { feedback: { label: 'bad', text: 'cluttered', updatedAt: T } }),
      r3: run('r3', 'b2', 1, 'running', { pid: 999_999_999 })
    },
    settings: { baseUrl: 'http://127.0.0.1:1' },
    analyses: {
      a1: {
        id: 'a1',
        batchId: 'b1',
        taskId: 't1',
        state: 'done',
        via: 'api',
        model: 'claude-sonnet-5-5',
        mergeModel: 'claude-sonnet-5-5',
        runNumbers: [1, 2],
        analysts: [
          {
            kind: 'error',
            state: 'done',
            attempt: 1,
            usage: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 },
            costUsd: 0,
            rules: [rule('g1-a1-error-1', 'error', [1, 2]), rule('r1abc-g2-a1-error-1', 'error', [1, 2])],
            setAside: [{ rule: rule('g2-a1-edge-1', 'edge', [2]), why: 'not a guard' }]
          },
          {
            kind: 'success',
            state: 'done',
            attempt: 1,
            usage: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 },
            costUsd: 0,
            rules: [rule('a1-success-1', 'error', [1, 2])],
            setAside: []
          }
        ],
        context: { runs: 2, tokens: 10, rawTokens: 100, level: 0, charsCut: 0, stepsOmitted: 0, chunks: 2 },
        merge: { state: 'done', costUsd: 0 },
        warnings: [],
        skillId: 'sk1',
        createdAt: T,
        endedAt: T
      }
    },
    skills: { sk1: skillState('Landing pages v3') },
    skillVersions: Object.fromEntries(
      [1, 2, 3].map((n) => [
        `v${n}`,
        {
          id: `v${n}`,
          skillId: 'sk1',
          number: n,
          createdAt: `2026-01-02T03:04:0${n}.000Z`,
          label: `version ${n}`,
          skillMd: `# v${n}\n`,
          edgeCasesMd: '',
          state: skillState(`Landing pages v${n}`)
        }
      ])
    )
  }
}

describe('the old store.json is migrated on first start', () => {
  it('the fixture is a store of the old schema, every record valid', () => {
    const got = salvage(legacyStore(), LEGACY_SPEC, emptyLegacy, LEGACY_SCHEMA)
    expect('fatal' in got).toBe(false)
    if (!('fatal' in got)) expect(got.setAside).toEqual([])
  })

  it('splits it into one document per aggregate, keeps the old file as a backup, and does it once', async () => {
    const dir = await tmp()
    const text = JSON.stringify(legacyStore(), null, 2)
    await writeFile(join(dir, STORE_FILE), text)
    const s = track(await openStore(dir))
    // the old file is kept, byte for byte, and no longer read
    const names = await readdir(dir)
    expect(names).not.toContain(STORE_FILE)
    const backup = names.find((n) => n.startsWith(`${STORE_FILE}.backup-`))!
    expect(await readFile(join(dir, backup), 'utf8')).toBe(text)
    expect(s.notices.find((n) => n.level === 'info')?.detail).toContain(join(dir, backup))
    // one file per batch, analysis and skill
    expect((await readdir(join(storeDir(dir), 'batches'))).sort()).toEqual(['b1.json', 'b2.json'])
    expect(await readdir(join(storeDir(dir), 'analyses'))).toEqual(['a1.json'])
    expect(await readdir(join(storeDir(dir), 'skills'))).toEqual(['sk1.json'])
    // everything is there
    expect(s.index.tasks().map((t) => t.name)).toEqual(['Landing page'])
    expect(s.index.variations('t1')).toHaveLength(1)
    expect(s.index.openedFolders()).toEqual(['/some/folder'])
    expect(s.index.settings().baseUrl).toBe('http://127.0.0.1:1')
    expect(s.sessions.pin('00000000-0000-4000-8000-000000000001')).toBeDefined()
    expect(s.sessions.archives()).toHaveLength(1)
    const b1 = (await s.batches.get('b1'))!
    expect(s.batches.runsOf(b1).map((r) => [r.number, r.feedback?.label])).toEqual([
      [1, 'good'],
      [2, 'bad']
    ])
    expect(s.batches.batchIdOfRun('r3')).toBe('b2')
    expect((await s.skills.versions('sk1')).map((v) => v.label)).toEqual(['version 1', 'version 2', 'version 3'])
    expect((await s.skills.version('v2'))?.skillMd).toBe('# v2\n')
    // a rule's origin is a field now, read from the ids that encoded it
    const a1 = (await s.analyses.get('a1'))!
    expect(a1.analysts[0].rules.map((r) => [r.id, r.group])).toEqual([
      ['g1-a1-error-1', 1],
      ['r1abc-g2-a1-error-1', 2]
    ])
    expect(a1.analysts[0].setAside[0].rule.group).toBe(2)
    expect(a1.analysts[1].rules[0].group).toBeUndefined()
    // the run that was in flight is left to the start-up recovery, as an operation
    expect(s.operations.running()).toHaveLength(1)
    expect((await s.operations.get(s.operations.running()[0]))?.subject).toBe('b2')
    await s.close()

    // the second start reads the new layout and migrates nothing
    const again = track(await openStore(dir))
    expect(again.notices).toEqual([])
    expect((await readdir(dir)).filter((n) => n.startsWith(STORE_FILE))).toEqual([backup])
    expect(again.batches.ids().sort()).toEqual(['b1', 'b2'])
  })

  it('a crash in the middle of the migration leaves store.json in place, and the next start migrates again', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    let writes = 0
    const crashing = async (file: string, text: string) => {
      if (++writes === 3) throw Object.assign(new Error('killed'), { code: 'EIO' })
      await writeFile(file, text)
    }
    await expect(openStore(dir, { writeFile: crashing })).rejects.toThrow()
    expect(await readdir(dir)).toContain(STORE_FILE)
    expect(await readdir(storeDir(dir))).not.toContain('index.json')
    const s = track(await openStore(dir))
    expect(s.batches.ids().sort()).toEqual(['b1', 'b2'])
    expect(await s.skills.versions('sk1')).toHaveLength(3)
    expect(await readdir(dir)).not.toContain(STORE_FILE)
  })

  it('after a crash between writing the index and keeping the backup, the index wins and store.json is kept aside', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    const s = await openStore(dir)
    await s.index.addOpenedFolder('/after/migration')
    await s.close()
    // the old file comes back (as if the rename had not happened)
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    const again = track(await openStore(dir))
    expect(again.index.openedFolders()).toEqual(['/some/folder', '/after/migration'])
    expect((await readdir(dir)).filter((n) => n.startsWith(`${STORE_FILE}.backup-`))).toHaveLength(2)
  })

  it('read-only, an old store.json is read as it is, and nothing is written or created', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    const before = await readdir(dir)
    const r = track(await openStore(dir, { readOnly: true }))
    expect(r.batches.ids().sort()).toEqual(['b1', 'b2'])
    expect(s0((await r.batches.get('b1'))!.runs.r1.feedback?.text)).toBe('clean')
    expect(await r.skills.versions('sk1')).toHaveLength(3)
    expect(r.operations.running()).toHaveLength(1)
    await r.close()
    expect(await readdir(dir)).toEqual(before)
  })
})
const s0 = (x: string | undefined) => x ?? ''

describe('a change writes only its own document', () => {
  let service: Service
  afterAll(async () => service?.dispose())

  it("saving feedback writes only that batch's file; the others keep their bytes and times", async () => {
    const configDir = await tmp('t2s-layout-claude-')
    const dataDir = await tmp()
    const ids = await fixtureSessions(configDir, 6)
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
    const batches = []
    for (let i = 0; i < 3; i++)
      batches.push(
        await service.handlers.importSessions({
          name: `batch ${i}`,
          sessions: ids.slice(i * 2, i * 2 + 2).map((sessionId) => ({ sessionId }))
        })
      )
    await service.handlers.saveTask({ name: 'a task', text: 'do it' })
    const { runs } = await service.handlers.getBatch({ batchId: batches[1].id })
    const before = await snapshot(dataDir)
    await new Promise((r) => setTimeout(r, 20))
    for (const text of ['t', 'to', 'too', 'too many cards']) await service.handlers.saveFeedback({ runId: runs[0].id, label: 'bad', text })
    expect(changed(before, await snapshot(dataDir))).toEqual([join('store', 'batches', `${batches[1].id}.json`)])
    const onDisk = JSON.parse(await readFile(batchFile(dataDir, batches[1].id), 'utf8'))
    expect(onDisk.runs[runs[0].id].feedback).toMatchObject({ label: 'bad', text: 'too many cards' })
  }, 30_000)
})

describe('a document that cannot be read costs only itself', () => {
  it('a corrupt batch file is moved aside with a notice; the other batches load', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    const s = await openStore(dir)
    await s.close()
    await writeFile(batchFile(dir, 'b1'), '{"schema":2,"batch":{"id":')
    const configDir = await tmp('t2s-layout-claude-')
    const service = await createService({ configDir, dataDir: dir, mode: 'web', version: 'test' })
    try {
      const pushed: string[] = []
      service.hub.subscribe((e, p) => e === 'notice' && pushed.push((p as { message: string }).message))
      const list = await service.handlers.listBatches({})
      expect(list.map((b) => b.batch.id)).toEqual(['b2'])
      const info = await service.handlers.getAppInfo({})
      const notice = info.notices.find((n) => /batch "Landing page #1" \(b1\) could not be read/.test(n.message))
      expect(notice).toBeDefined()
      expect(pushed).toContain(notice!.message)
      const aside = (await readdir(join(storeDir(dir), 'batches'))).find((f) => f.startsWith('b1.json.corrupt-'))
      expect(notice!.detail).toContain(aside)
      // the rest is untouched: the other batch, the analysis and the skill made from the lost one
      expect((await service.handlers.getBatch({ batchId: 'b2' })).runs).toHaveLength(1)
      expect((await service.handlers.getSkill({ skillId: 'sk1' })).versions).toHaveLength(3)
      expect((await service.handlers.getAnalysis({ analysisId: 'a1' })).state).toBe('done')
      await expect(service.handlers.getBatch({ batchId: 'b1' })).rejects.toThrow(/no such batch/)
    } finally {
      await service.dispose()
    }
    // and the next start no longer lists it
    const again = track(await openStore(dir))
    expect(again.batches.ids()).toEqual(['b2'])
  })

  it('one bad run in a batch file is set aside in a side file; the batch loads', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    await (await openStore(dir)).close()
    const doc = JSON.parse(await readFile(batchFile(dir, 'b1'), 'utf8'))
    doc.runs.r2.state = 'exploded'
    await writeFile(batchFile(dir, 'b1'), JSON.stringify(doc))
    const s = track(await openStore(dir))
    const notices: string[] = []
    s.onNotice((n) => notices.push(n.message))
    const b1 = (await s.batches.get('b1'))!
    expect(Object.keys(b1.runs)).toEqual(['r1'])
    expect(notices[0]).toMatch(/1 record .*set aside: runs\.r2/)
    const aside = (await readdir(join(storeDir(dir), 'batches'))).find((f) => f.startsWith('b1.json.set-aside-'))!
    expect(JSON.parse(await readFile(join(storeDir(dir), 'batches', aside), 'utf8')).records[0].value.state).toBe('exploded')
  })

  it('a lost index is rebuilt from the documents (settings and tasks stay in the moved-aside file)', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    await (await openStore(dir)).close()
    await writeFile(indexFile(dir), 'not json')
    const s = track(await openStore(dir))
    expect(s.batches.ids().sort()).toEqual(['b1', 'b2'])
    expect(s.skills.ids()).toEqual(['sk1'])
    expect(s.notices.map((n) => n.message).join('\n')).toMatch(/index was rebuilt from its/)
  })
})

describe('writes', () => {
  it('read-only: nothing is written, not even progress', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    await (await openStore(dir)).close()
    const before = await snapshot(dir)
    const r = await openStore(dir, { readOnly: true })
    await r.batches.load('b1')
    r.batches.patch('b1', (d) => void (d.runs.r1.progress.turns = 99))
    await expect(r.batches.update('b1', (d) => void (d.runs.r1.state = 'failed'))).rejects.toThrow(/read-only/)
    await r.close()
    expect(changed(before, await snapshot(dir))).toEqual([])
  })

  it('progress is coalesced: many changes in a second are one write, and close writes what is pending', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    const s = await openStore(dir)
    const doc = (await s.batches.load('b1'))!
    const writes = doc.writes
    for (let i = 0; i < 100; i++) s.batches.patch('b1', (d) => void (d.runs.r1.progress.turns = i))
    expect(doc.writes).toBe(writes)
    await new Promise((r) => setTimeout(r, 1300))
    expect(doc.writes).toBe(writes + 1)
    expect(JSON.parse(await readFile(batchFile(dir, 'b1'), 'utf8')).runs.r1.progress.turns).toBe(99)
    s.batches.patch('b1', (d) => void (d.runs.r1.progress.turns = 100))
    await s.close()
    expect(JSON.parse(await readFile(batchFile(dir, 'b1'), 'utf8')).runs.r1.progress.turns).toBe(100)
  })

  it('a failed write of one document leaves the others as they were, on disk and in memory', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify(legacyStore()))
    await (await openStore(dir)).close()
    let broken = ''
    const failing = async (file: string, text: string) => {
      if (broken && file.endsWith(broken)) throw Object.assign(new Error('no space'), { code: 'ENOSPC' })
      await writeFile(file, text)
    }
    const s = track(await openStore(dir, { writeFile: failing }))
    const b1 = (await s.batches.get('b1'))!
    const b2 = (await s.batches.get('b2'))!
    await s.batches.update('b2', (d) => void (d.runs.r3.reason = 'kept'))
    const before = await snapshot(dir)
    broken = 'b1.json'
    const err = await s.batches
      .update('b1', (d) => {
        d.runs.r1.feedback = { label: 'bad', text: 'lost', updatedAt: T }
        d.batch.name = 'renamed'
      })
      .catch((e) => e)
    expect(err.code).toBe('store-write-failed')
    expect(b1.runs.r1.feedback?.text).toBe('clean')
    expect(b1.batch.name).toBe('Landing page #1')
    expect(s.batches.head('b1')?.name).toBe('Landing page #1')
    expect(b2.runs.r3.reason).toBe('kept')
    expect(changed(before, await snapshot(dir))).toEqual([])
    await rm(join(dir, 'nothing'), { force: true })
  })
})
