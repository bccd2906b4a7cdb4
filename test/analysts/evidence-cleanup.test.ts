/**
 * Issue 18, security item 7: the claude -p analysts' evidence folder (copies of the runs' sessions)
 * goes when its analysis ends, however it ends, and an analysis the app stopped in the middle (a kill
 * -9) leaves none behind after the next start. Models are scripted ports: no network, no claude.
 */
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readdir, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { removeStrayEvidence } from '../../src/main/analysts/evidence'
import type { ModelPort } from '../../src/main/analysts/model'
import type { Analysis } from '../../src/shared/analysis'
import { src, startChild } from '../support/child'
import { fixtureSessions } from '../support/fixture-sessions'

const evidenceOf = (dataDir: string, id: string) => join(dataDir, 'evidence', id)

/** Imports the sessions as a batch and grades every run. */
const GRADED_BATCH = `async function gradedBatch(service, ids) {
  const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
  const { runs } = await service.handlers.getBatch({ batchId: batch.id })
  for (const r of runs) await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 2 ? 'good' : 'bad', text: 'run ' + r.number })
  return batch.id
}`

describe('evidence folders', () => {
  let service: Service | undefined
  afterEach(async () => {
    await service?.dispose()
    service = undefined
  })

  it(
    'an analysis killed mid-way (kill -9): the next start removes its evidence folder and any other stray one',
    { timeout: 200_000 },
    async () => {
      const configDir = await mkdtemp(join(tmpdir(), 't2s-ev-claude-'))
      const dataDir = await mkdtemp(join(tmpdir(), 't2s-ev-data-'))
      const ids = await fixtureSessions(configDir, 3)
      // the analysts, reading their evidence folder through claude -p, never answer: the app is killed first
      const child = startChild(
        `const { createService } = await import(${src('src/main/app/service.ts')})
      ${GRADED_BATCH}
      const port = {
        kind: 'claude-cli',
        async call(req, hooks, signal) {
          hooks.onBegin?.()
          console.log('analysing')
          return new Promise(() => {})
        }
      }
      const service = await createService({ configDir: ${JSON.stringify(configDir)}, dataDir: ${JSON.stringify(dataDir)}, mode: 'web', version: 'test', analystPort: port })
      const batchId = await gradedBatch(service, ${JSON.stringify(ids)})
      const a = await service.handlers.startAnalysis({ batchId, via: 'claude-cli' })
      console.log(JSON.stringify({ analysisId: a.id }))
      setInterval(() => {}, 1000)`,
        { deadlineMs: 180_000 }
      )
      let analysisId: string
      try {
        const m = await child.waitFor(/\{"analysisId":"([^"]+)"\}[\s\S]*analysing|analysing[\s\S]*\{"analysisId":"([^"]+)"\}/)
        if (!m) throw new Error(`the analysis did not start: ${(await child.result).stderr.slice(-2000)}`)
        analysisId = m[1] ?? m[2]
      } finally {
        child.kill()
      }
      expect((await child.result).signal).toBe('SIGKILL')
      const left = evidenceOf(dataDir, analysisId)
      expect(existsSync(join(left, 'group-1', 'README.md')), 'the evidence folder was made').toBe(true)
      // a stray one too (an analysis since deleted), read-only as evidence folders are
      const stray = evidenceOf(dataDir, 'an-old-analysis')
      await mkdir(join(stray, 'group-1', 'runs'), { recursive: true })
      await writeFile(join(stray, 'group-1', 'README.md'), '# Evidence (read-only)\n')
      await chmod(join(stray, 'group-1', 'runs'), 0o555)
      await chmod(join(stray, 'group-1'), 0o555)

      service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
      expect((await service.handlers.getAnalysis({ analysisId })).state).toBe('interrupted')
      expect(existsSync(left), 'the interrupted analysis left its evidence folder').toBe(false)
      expect(existsSync(stray)).toBe(false)
      expect(await readdir(join(dataDir, 'evidence')).catch(() => [])).toEqual([])
    }
  )

  it('an analysis that fails right after its evidence was prepared (a failed save) removes the folder', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-ev-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-ev-data-'))
    const ids = await fixtureSessions(configDir, 3)
    let called = 0
    const port: ModelPort = {
      kind: 'claude-cli',
      async call() {
        called++
        throw new Error('not reached')
      }
    }
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', analystPort: port })
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 2 ? 'good' : 'bad', text: `run ${r.number}` })
    // the first save once the evidence folder exists fails, as on a full disk
    const repo = service.store.analyses
    const put = repo.put.bind(repo)
    let failed = false
    repo.put = async (a: Analysis) => {
      if (!failed && existsSync(join(evidenceOf(dataDir, a.id), 'group-1', 'README.md'))) {
        failed = true
        throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' })
      }
      return put(a)
    }
    const a = await service.handlers.startAnalysis({ batchId: batch.id, via: 'claude-cli' })
    await service.analysisIdle(a.id)
    expect(failed, 'the injected failure happened').toBe(true)
    expect(called).toBe(0)
    expect(existsSync(evidenceOf(dataDir, a.id)), 'the failed analysis left its evidence folder').toBe(false)
    // and it says it failed, not "analysing" for ever
    const after = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(after.state).toBe('failed')
    expect(after.warnings.join(' ')).toContain('ENOSPC')
  })

  it('a symbolic link among the evidence folders is removed as a link: what it points to is not touched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-ev-data-'))
    const outside = await mkdtemp(join(tmpdir(), 't2s-ev-outside-'))
    await writeFile(join(outside, 'mine.txt'), 'keep me\n')
    await chmod(outside, 0o555)
    await mkdir(join(dataDir, 'evidence'), { recursive: true })
    await symlink(outside, join(dataDir, 'evidence', 'linked'))
    await removeStrayEvidence(join(dataDir, 'evidence'))
    expect(await readdir(join(dataDir, 'evidence'))).toEqual([])
    expect((await stat(outside)).mode & 0o777).toBe(0o555)
    expect(existsSync(join(outside, 'mine.txt'))).toBe(true)
  })
})
