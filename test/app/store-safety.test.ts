/**
 * The store loses nothing: one writer per data folder (a second is refused, naming the first),
 * read-only opens write nothing, a failed write (disk full, read-only folder) is undone in memory and
 * reported in one line, one bad record costs only that record, and odd files (a BOM, a FIFO) never
 * stop the app.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, STORE_FILE, type Store } from '../../src/main/store/store'
import { DataDirBusyError, LOCK_DIR, lockHolder } from '../../src/main/store/lock'
import type { Batch, Run } from '../../src/shared/runs'
import { REPO } from '../support/claude-harness'
import { batchFile, changed, indexFile, snapshot, storeDir } from '../support/store-files'

const tmp = (name = 't2s-safe-') => mkdtemp(join(tmpdir(), name))
const open: Store[] = []
const track = (s: Store) => (open.push(s), s)
afterAll(async () => {
  for (const s of open) await s.close()
})

const run = (id: string, state: string): Run =>
  ({
    id,
    batchId: 'b1',
    variationId: 'v1',
    number: 1,
    repeat: 1,
    difficulty: 'normal',
    prompt: 'p',
    sessionId: '11111111-1111-4111-8111-111111111111',
    state,
    progress: { turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, elapsedMs: 0 },
    files: [],
    screenshots: [],
    imported: false
  }) as Run
const batch = (id: string, runIds: string[]): Batch => ({
  id,
  name: `batch ${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  settings: { permission: 'sandboxed', allowedTools: [], maxTurns: 1, concurrency: 1, repeats: 1, timeoutMs: 1000 },
  runIds
})

describe('one writer per data folder', () => {
  it('refuses a second writer, naming the first, and lets it in once the first has closed', async () => {
    const dir = await tmp()
    const a = track(await openStore(dir, { owner: 'the first writer' }))
    await a.index.addOpenedFolder('/from/a')
    const refused = await openStore(dir, { owner: 'the second writer' }).catch((e) => e)
    expect(refused).toBeInstanceOf(DataDirBusyError)
    expect(refused.message).toContain('the first writer')
    expect(refused.message).toContain(`pid ${process.pid}`)
    expect(refused.message).toContain(dir)
    await a.close()
    expect(await lockHolder(dir)).toEqual({ held: false })
    const b = track(await openStore(dir, { owner: 'the second writer' }))
    expect(b.index.openedFolders()).toEqual(['/from/a'])
  })

  it('takes over at once-ish from a writer that was killed (kill -9), without waiting for ever', async () => {
    const dir = await tmp()
    // a separate process takes the lock, says so, and is killed without any chance to clean up
    const script = `const { openStore } = await import(${JSON.stringify(join(REPO, 'src', 'main', 'store', 'store.ts'))})
      await openStore(${JSON.stringify(dir)}, { owner: 'a doomed writer' })
      console.log('locked')
      setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    await new Promise<void>((ok, fail) => {
      child.stdout!.on('data', (c) => String(c).includes('locked') && ok())
      child.on('exit', (code) => fail(new Error(`child exited ${code}`)))
    })
    expect((await openStore(dir, { owner: 'me' }).catch((e) => e)).message).toContain('a doomed writer')
    // who holds it, as the CLI asks (one liveness check, the lock's): alive, then gone
    expect(await lockHolder(dir)).toMatchObject({ held: true, gone: false, holder: { what: 'a doomed writer', pid: child.pid } })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(await lockHolder(dir)).toMatchObject({ held: true, gone: true, holder: { pid: child.pid } })
    const s = track(await openStore(dir, { owner: 'me' }))
    expect(s.readOnly).toBe(false)
  })

  it('opens read-only beside a writer, writes nothing, and refuses changes with a clear error', async () => {
    const dir = await tmp()
    const w = track(await openStore(dir))
    await w.batches.add(batch('b1', ['r1']), [run('r1', 'running')])
    const before = await snapshot(dir)
    const r = track(await openStore(dir, { readOnly: true }))
    expect(r.readOnly).toBe(true)
    expect((await r.batches.get('b1'))!.runs.r1.state).toBe('running')
    await expect(r.index.putTask({ id: 't', name: 't', text: 't', createdAt: '', updatedAt: '' })).rejects.toThrow(/read-only/)
    await expect(r.batches.update('b1', (d) => void (d.runs.r1.state = 'done'))).rejects.toThrow(/read-only/)
    // opening a folder is remembered for this process only
    await r.index.addOpenedFolder('/x')
    expect(r.index.openedFolders()).toEqual(['/x'])
    await r.close()
    expect(changed(before, await snapshot(dir))).toEqual([])
  })

  it('a read-only open of an empty folder creates nothing', async () => {
    const dir = await tmp()
    const r = track(await openStore(dir, { readOnly: true }))
    expect(r.index.openedFolders()).toEqual([])
    expect(r.batches.ids()).toEqual([])
    expect(await readdir(dir)).toEqual([])
  })

  it('writes through unique temp files: no fixed .tmp name to race on, none left behind', async () => {
    const dir = await tmp()
    const s = track(await openStore(dir))
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.index.addOpenedFolder(`/f${i}`)))
    const names = await readdir(storeDir(dir))
    expect(names.filter((n) => n.includes('tmp'))).toEqual([])
    expect(names).not.toContain('.index.json.tmp')
    expect(JSON.parse(await readFile(indexFile(dir), 'utf8')).openedFolders).toHaveLength(30)
  })
})

describe('a write that fails is undone and reported', () => {
  // A real full disk where the test may mount a tmpfs (root in CI); otherwise an injected ENOSPC.
  const mounted: string[] = []
  afterAll(() => {
    for (const m of mounted) {
      try {
        execFileSync('umount', [m])
      } catch {
        /* already gone */
      }
    }
  })
  const smallDisk = async (): Promise<string | null> => {
    const dir = await tmp('t2s-tmpfs-')
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' })
      mounted.push(dir)
      return dir
    } catch {
      return null
    }
  }
  /** A store on that disk, or, where none can be mounted, on a folder whose writes fail with `code` on demand. */
  const storeOnDisk = async (code: 'ENOSPC' | 'EROFS') => {
    const disk = await smallDisk()
    const dir = disk ?? (await tmp())
    let broken = false
    const writeFailing = async (file: string, text: string) => {
      if (broken) throw Object.assign(new Error(`${code}: injected, write '${file}'`), { code })
      await writeFile(file, text)
    }
    const store = track(await openStore(dir, { writeFile: disk ? undefined : writeFailing }))
    return { disk, dir, store, inject: (on: boolean) => void (broken = on) }
  }

  it('a start that fails on a full disk lets go of the data folder at once: the next start gets in', async () => {
    const disk = await smallDisk()
    const dir = disk ?? (await tmp())
    let full = true
    const writeFailing = async (file: string, text: string) => {
      if (full) throw Object.assign(new Error(`ENOSPC: injected, write '${file}'`), { code: 'ENOSPC' })
      await writeFile(file, text)
    }
    const writeFn = disk ? undefined : writeFailing
    if (disk) await writeFile(join(dir, 'filler'), Buffer.alloc(256 * 1024)).catch(() => {})
    const err = await openStore(dir, { owner: 'the first start', writeFile: writeFn }).catch((e) => e)
    expect(err).toBeInstanceOf(Error)
    expect(`${err.code} ${err.message}`).toMatch(/ENOSPC|disk is full/)
    expect(existsSync(join(dir, LOCK_DIR)), 'the failed start still holds the lock').toBe(false)
    // room again: the next writer is let in at once, not told the folder is in use by another trace2skill
    if (disk) await rm(join(dir, 'filler'))
    else full = false
    const next = await openStore(dir, { owner: 'the second start', writeFile: writeFn }).catch((e) => e)
    expect(next).not.toBeInstanceOf(Error)
    track(next)
    expect(next.readOnly).toBe(false)
  })

  it('disk full: the change is rolled back in memory, the file keeps what was saved, and the message is one line', async () => {
    const { disk, dir, store: s, inject } = await storeOnDisk('ENOSPC')
    await s.index.addOpenedFolder('/kept')
    const saved = await readFile(indexFile(dir), 'utf8')
    if (disk) await writeFile(join(dir, 'filler'), Buffer.alloc(256 * 1024 - 4096)).catch(() => {})
    else inject(true)
    const errors: string[] = []
    s.onWriteError((e) => errors.push(e.message))
    const err = await s.index.addOpenedFolder('x'.repeat(200_000)).catch((e) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toMatch(/disk is full/)
    expect(err.message).toContain(indexFile(dir))
    expect(err.message.split('\n')).toHaveLength(1)
    expect(err.code).toBe('store-write-failed')
    expect(errors).toEqual([err.message])
    // nothing half-applied in memory, nothing lost on disk, no temp file left
    expect(s.index.openedFolders()).toEqual(['/kept'])
    expect(await readFile(indexFile(dir), 'utf8')).toBe(saved)
    expect((await readdir(storeDir(dir))).filter((n) => n.includes('tmp'))).toEqual([])
    // once there is room again, saving works and carries everything
    if (disk) await rm(join(dir, 'filler'))
    else inject(false)
    await s.index.addOpenedFolder('/after')
    expect(JSON.parse(await readFile(indexFile(dir), 'utf8')).openedFolders).toEqual(['/kept', '/after'])
  })

  it('a read-only folder: rolled back and said so; objects others hold keep their identity', async () => {
    const { disk, dir, store: s, inject } = await storeOnDisk('EROFS')
    await s.batches.add(batch('b1', ['r1']), [run('r1', 'queued')])
    const doc = (await s.batches.get('b1'))!
    const held = doc.runs.r1
    const onDisk = await readFile(batchFile(dir, 'b1'), 'utf8')
    if (disk) execFileSync('mount', ['-o', 'remount,ro', dir])
    else inject(true)
    const err = await s.batches
      .update('b1', (d) => {
        d.runs.r1.state = 'running'
        d.runs.r2 = run('r2', 'queued')
      })
      .catch((e) => e)
    expect(err.message).toMatch(/read-only/)
    expect(err.message).toContain(batchFile(dir, 'b1'))
    expect(doc.runs.r2).toBeUndefined()
    expect(doc.runs.r1.state).toBe('queued')
    expect(doc.runs.r1).toBe(held)
    expect(await readFile(batchFile(dir, 'b1'), 'utf8')).toBe(onDisk)
    if (disk) execFileSync('mount', ['-o', 'remount,rw', dir])
    else inject(false)
    await s.batches.update('b1', (d) => void (d.runs.r1.state = 'done'))
    expect(held.state).toBe('done')
  })

  it('a change function that throws half-way leaves nothing applied', async () => {
    const s = track(await openStore(await tmp()))
    await s.batches.add(batch('b1', ['r1']), [run('r1', 'queued')])
    await expect(
      s.batches.update('b1', (d) => {
        d.runs.r1.state = 'running'
        d.batch.name = 'half'
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    const doc = (await s.batches.get('b1'))!
    expect(doc.runs.r1.state).toBe('queued')
    expect(doc.batch.name).toBe('batch b1')
  })
})

describe('odd store files cost only what is wrong with them', () => {
  it('one bad record of an old store.json is set aside (kept in a file), with a notice; the rest is migrated', async () => {
    const dir = await tmp()
    const data = {
      schema: 1,
      pins: {},
      archives: {},
      openedFolders: ['/ok'],
      runs: { good: run('good', 'done'), bad: run('bad', 'exploded') },
      batches: { b1: batch('b1', ['good', 'bad']) },
      __proto__x: 1
    }
    await writeFile(join(dir, STORE_FILE), JSON.stringify(data))
    const s = track(await openStore(dir))
    expect(Object.keys((await s.batches.get('b1'))!.runs)).toEqual(['good'])
    expect(s.index.openedFolders()).toEqual(['/ok'])
    // the set-aside notice, then the migration's
    expect(s.notices).toHaveLength(2)
    expect(s.notices[0].message).toMatch(/1 record .*set aside/)
    expect(s.notices[0].message).toMatch(/runs\.bad/)
    const aside = (await readdir(dir)).find((f) => f.startsWith(`${STORE_FILE}.set-aside-`))!
    expect(aside).toBeDefined()
    expect(s.notices[0].detail).toContain(join(dir, aside))
    const kept = JSON.parse(await readFile(join(dir, aside), 'utf8'))
    expect(kept.records[0].value.state).toBe('exploded')
    // no corrupt-store move: the file itself was fine
    expect((await readdir(dir)).some((f) => f.includes('.corrupt-'))).toBe(false)
  })

  it('a __proto__ key in the file pollutes nothing', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), `{"schema":1,"pins":{},"archives":{},"openedFolders":[],"runs":{"__proto__":{"polluted":true}}}`)
    const s = track(await openStore(dir))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(s.batches.ids()).toEqual([])
    expect(s.notices[0].message).toMatch(/set aside/)
  })

  it('a UTF-8 byte-order mark is read, not thrown aside', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), '\uFEFF' + JSON.stringify({ schema: 1, pins: {}, archives: {}, openedFolders: ['/bom'] }))
    const s = track(await openStore(dir))
    expect(s.index.openedFolders()).toEqual(['/bom'])
    expect(s.notices.map((n) => n.level)).toEqual(['info'])
    await s.close()
    // and in a document of the new layout
    const text = await readFile(indexFile(dir), 'utf8')
    await writeFile(indexFile(dir), '\uFEFF' + text)
    const again = track(await openStore(dir))
    expect(again.index.openedFolders()).toEqual(['/bom'])
    expect(again.notices).toEqual([])
  })

  it('a FIFO as store.json does not hang start-up: it is moved aside with a notice', async () => {
    const dir = await tmp()
    execFileSync('mkfifo', [join(dir, STORE_FILE)])
    const s = track(await openStore(dir))
    expect(s.notices[0].message).toMatch(/not a regular file/)
    expect((await readdir(dir)).some((f) => f.startsWith(`${STORE_FILE}.corrupt-`))).toBe(true)
    expect((await stat(indexFile(dir))).isFile()).toBe(true)
    // read-only: no hang either, and nothing moved
    const dir2 = await tmp()
    execFileSync('mkfifo', [join(dir2, STORE_FILE)])
    const r = track(await openStore(dir2, { readOnly: true }))
    expect(r.notices[0].message).toMatch(/not a regular file/)
    expect((await stat(join(dir2, STORE_FILE))).isFIFO()).toBe(true)
    // a FIFO as a document of the new layout
    const dir3 = await tmp()
    await mkdir(storeDir(dir3), { recursive: true })
    execFileSync('mkfifo', [indexFile(dir3)])
    const t = track(await openStore(dir3))
    expect(t.notices[0].message).toMatch(/not a regular file/)
    expect((await stat(indexFile(dir3))).isFile()).toBe(true)
  }, 10_000)

  it('a directory named store.json is moved aside too', async () => {
    const dir = await tmp()
    await mkdir(join(dir, STORE_FILE))
    const s = track(await openStore(dir))
    expect(s.notices[0].message).toMatch(/not a regular file/)
  })
})
