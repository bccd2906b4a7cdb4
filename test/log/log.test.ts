/**
 * The app's log (src/main/log/log.ts): the process that writes the data folder logs its start and stop,
 * what the person was warned of and every request that failed with `internal` (with its stack) to
 * <data>/logs/trace2skill.log, readable by its user only; a read-only process logs nothing there; the
 * file is rotated by size and only so many are kept.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { logFailures } from '../../src/main/app/dispatch'
import { createService, type Service } from '../../src/main/app/service'
import type { Handlers } from '../../src/main/app/dispatch'
import { fail } from '../../src/shared/contract'
import { LOG_FILE, logsDir, openLog } from '../../src/main/log/log'
import { Operations } from '../../src/main/operations/registry'

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('the log', () => {
  let service: Service | undefined
  afterEach(async () => {
    await service?.dispose()
    service = undefined
  })

  it('keeps the start, the notices shown and the stop, in a file of its user only', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const configDir = await mkdtemp(join(tmpdir(), 't2s-log-claude-'))
    service = await createService({ configDir, dataDir, mode: 'web', version: '9.9.9' })
    service.hub.emit('notice', { level: 'error', message: 'Could not save batch b1: ENOSPC' })
    await service.dispose()
    service = undefined
    const file = join(logsDir(dataDir), LOG_FILE)
    const got = await lines(file)
    expect(got[0]).toMatchObject({ msg: 'start', version: '9.9.9', mode: 'web', level: 30 })
    expect(got).toContainEqual(expect.objectContaining({ msg: 'notice', notice: 'Could not save batch b1: ENOSPC', level: 50 }))
    expect(got[got.length - 1]).toMatchObject({ msg: 'stop' })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(logsDir(dataDir))).mode & 0o777).toBe(0o700)
  })

  it('a log that cannot be made (logs is a file) costs only the log: the app starts and says so', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const configDir = await mkdtemp(join(tmpdir(), 't2s-log-claude-'))
    await writeFile(logsDir(dataDir), 'not a folder')
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
    expect(service.notices).toContainEqual(
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^No log is kept: /) })
    )
    expect(await readFile(logsDir(dataDir), 'utf8')).toBe('not a folder')
  })

  it('a read-only process (the CLI reading beside the app) writes no log', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const configDir = await mkdtemp(join(tmpdir(), 't2s-log-claude-'))
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', readOnly: true })
    await service.dispose()
    service = undefined
    expect(existsSync(logsDir(dataDir))).toBe(false)
  })

  it('a request that fails with internal is logged with its name and stack; a refusal for the user is not', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const opened = openLog(dataDir)
    const handlers = logFailures(
      {
        getBatch: async () => {
          throw new Error('boom', { cause: new Error('EIO: the disk') })
        },
        getSkill: async () => {
          throw fail('no such skill', 'not-found')
        }
      } as unknown as Handlers,
      opened.log
    )
    await expect(handlers.getBatch({ batchId: 'b1' })).rejects.toThrow('boom')
    await expect(handlers.getSkill({ skillId: 's1' })).rejects.toThrow('no such skill')
    await opened.close()
    const got = await lines(opened.file)
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({ msg: 'a request failed', request: 'getBatch', level: 50 })
    const err = got[0].error as { message: string; stack: string; cause: { message: string } }
    expect(err.message).toBe('boom')
    expect(err.stack).toMatch(/log\.test\.ts/)
    expect(err.cause.message).toBe('EIO: the disk')
  })

  it('an operation that fails is logged with its stack; a cancelled one is not', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const opened = openLog(dataDir)
    const operations = new Operations({ log: opened.log })
    const failed = operations.start({ kind: 'analysis', subject: 'a1' }, async () => {
      throw new Error('the merge blew up', { cause: new Error('ENOSPC') })
    })
    expect((await failed.done).state).toBe('failed')
    const cancelled = operations.start({ kind: 'batch', subject: 'b1' }, async (op) => {
      await new Promise((_, reject) => op.signal.addEventListener('abort', () => reject(op.signal.reason), { once: true }))
    })
    operations.cancel(cancelled.id)
    expect((await cancelled.done).state).toBe('cancelled')
    await opened.close()
    const got = (await lines(opened.file)).filter((l) => l.msg === 'an operation failed')
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({
      kind: 'analysis',
      operation: failed.id,
      error: { message: 'the merge blew up', cause: { message: 'ENOSPC' } }
    })
    expect((got[0].error as { stack: string }).stack).toMatch(/log\.test\.ts/)
  })

  it('is rotated by size, keeping the newest few', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-log-'))
    const opened = openLog(dataDir, { size: '1K', keep: 2 })
    for (let i = 0; i < 200; i++) {
      opened.log.info({ i, pad: 'x'.repeat(40) }, 'line')
      // let the stream see each write (rotation happens between writes)
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5))
    }
    await opened.close()
    const files = (await readdir(logsDir(dataDir))).sort()
    expect(files).toEqual([LOG_FILE, `${LOG_FILE}.1`, `${LOG_FILE}.2`])
    const newest = await lines(opened.file)
    expect(newest.length).toBeGreaterThan(0)
    expect((newest[newest.length - 1] as { i: number }).i).toBe(199)
  })
})
