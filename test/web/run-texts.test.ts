/**
 * getRunTexts over the web API: the text files a run made, by path, what a blind grader reads instead
 * of its folder (and what `trace2skill batch --json` gives as `texts`). A blind verification's run gives
 * its pages and nothing that ties it to its arm (no session, folder, numbers); a binary, a deleted file,
 * one too large or one swapped for a link out of the folder is left out; a run id is looked up, never
 * joined into a path, and a bad one gets a clear error.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { startWebServer, type WebServer } from '../../src/main/web/server'
import { emptyProgress, RunSettingsSchema, type Batch, type Run } from '../../src/shared/runs'
import { plantSkill } from '../support/skill'
import { testVerification } from '../support/builders'

const now = () => new Date().toISOString()
const PAGE = (arm: string) => `<!doctype html><title>Bakery</title><h1>Fresh bread</h1><!-- ${arm} -->\n`

describe('getRunTexts: the text files a run made, over the web API', () => {
  let dir = ''
  let dataDir = ''
  let service: Service
  let web: WebServer
  let batchId = ''
  let runs: Run[] = []
  const outside = () => join(dir, 'secret.txt')

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-run-texts-'))
    dataDir = join(dir, 'data')
    await mkdir(join(dir, 'claude', 'projects'), { recursive: true })
    await writeFile(outside(), 'a file of the user, outside every run folder\n')
    service = await createService({ configDir: join(dir, 'claude'), dataDir, mode: 'web', version: 'test', env: {} })
    const skill = await plantSkill(service)

    // a verification's batch of two runs, one per arm, finished and not graded yet: blind
    batchId = randomUUID()
    const settings = RunSettingsSchema.parse({})
    runs = await Promise.all(
      (['with', 'without'] as const).map(async (arm, i) => {
        const sessionId = randomUUID()
        const workspace = join(dataDir, 'workspaces', batchId, `blind-${sessionId.slice(0, 8)}`)
        await mkdir(join(workspace, 'img'), { recursive: true })
        await writeFile(join(workspace, 'index.html'), PAGE(arm))
        await writeFile(join(workspace, 'img', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))
        await writeFile(join(workspace, 'big.txt'), 'x'.repeat(256 * 1024 + 1))
        // written by the run, then swapped for a link to a file of the user's
        await symlink(outside(), join(workspace, 'notes.txt'))
        const run: Run = {
          id: randomUUID(),
          batchId,
          number: i + 1,
          prompt: 'A landing page for a bakery',
          repeat: 1,
          state: 'done',
          sessionId,
          workspace,
          startedAt: now(),
          endedAt: now(),
          progress: { ...emptyProgress(), turns: 7 + i, toolCalls: 3, tokens: 12_345 + i, costUsd: 0.0123 + i },
          files: [
            { path: 'index.html', status: 'added', bytes: PAGE(arm).length, binary: false },
            { path: 'img/logo.png', status: 'added', bytes: 8, binary: true },
            { path: 'big.txt', status: 'added', bytes: 256 * 1024 + 1, binary: false, tooLarge: true },
            { path: 'notes.txt', status: 'added', bytes: 10, binary: false },
            { path: 'gone.md', status: 'deleted', bytes: 0, binary: false }
          ],
          screenshots: [],
          imported: false
        }
        return run
      })
    )
    const verification = testVerification({
      skillId: skill.skillId,
      versionId: skill.versionId,
      settings,
      variations: [{ difficulty: 'normal', prompt: 'A landing page for a bakery' }],
      batchId,
      arms: { [runs[0].id]: { arm: 'with', variation: 0, repeat: 1 }, [runs[1].id]: { arm: 'without', variation: 0, repeat: 1 } }
    })
    await service.store.verifications.put(verification)
    const batch: Batch = { id: batchId, name: 'verification', createdAt: now(), settings, runIds: runs.map((r) => r.id) }
    await service.store.batches.add(batch, runs)
    web = await startWebServer({ handlers: service.handlers, hub: service.hub })
  })
  afterAll(async () => {
    await web?.close()
    await service?.dispose()
  })

  const post = async (name: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${web.port}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace2skill-token': web.token },
      body: JSON.stringify(body)
    })
    const text = await res.text()
    return { status: res.status, text, body: JSON.parse(text) as { value?: unknown; error?: string; code?: string } }
  }

  it("gives a blind run's pages and nothing that ties it to its arm", async () => {
    expect(service.blind.isBlind(batchId), 'the batch is blind').toBe(true)
    const batch = await post('getBatch', { batchId })
    expect(batch.status).toBe(200)
    const shown = (batch.body.value as { runs: Run[] }).runs
    for (const [i, run] of runs.entries()) {
      const got = await post('getRunTexts', { runId: run.id })
      expect(got.status, got.text).toBe(200)
      expect(got.body.value).toEqual([{ path: 'index.html', text: PAGE(i === 0 ? 'with' : 'without') }])
      // the paths it gives are the ones the blind deck lists for that run
      expect(shown.find((r) => r.id === run.id)!.files.map((f) => f.path)).toContain('index.html')
      // nothing else: no session, folder, batch folder or numbers of either run
      for (const r of runs)
        for (const secret of [r.sessionId, r.sessionId.slice(0, 8), r.workspace!, String(r.progress.tokens), String(r.progress.costUsd)])
          expect(got.text).not.toContain(secret)
      expect(got.text).not.toContain(dataDir)
      expect(got.text).not.toContain('a file of the user')
    }
  })

  it('gives a graded, not blind, run the same (its folder is no secret then, but the texts are what is asked)', async () => {
    // grading every run ends the blindness
    for (const r of runs) expect((await post('saveFeedback', { runId: r.id, label: 'good', text: 'clean' })).status).toBe(200)
    expect(service.blind.isBlind(batchId)).toBe(false)
    const got = await post('getRunTexts', { runId: runs[1].id })
    expect(got.status, got.text).toBe(200)
    expect(got.body.value).toEqual([{ path: 'index.html', text: PAGE('without') }])
  })

  it('refuses a bad run id clearly: looked up, never a path', async () => {
    for (const runId of ['no-such-run', batchId, '../../../../etc/passwd', join(runs[0].workspace!, 'index.html')]) {
      const got = await post('getRunTexts', { runId })
      expect(got.status, runId).toBe(404)
      expect(got.body.code).toBe('not-found')
      expect(got.body.error).toBe(`no such run: ${JSON.stringify(runId)}`)
    }
    for (const body of [{ runId: '__proto__' }, { runId: '' }, {}, { runId: runs[0].id, path: 'index.html' }]) {
      const got = await post('getRunTexts', body)
      expect(got.status, JSON.stringify(body)).toBe(400)
      expect(got.body.code).toBe('invalid')
      expect(got.body.error).toMatch(/^invalid input for getRunTexts/)
    }
  })
})
