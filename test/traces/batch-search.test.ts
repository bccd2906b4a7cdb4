/**
 * Search across a batch: the sessions of all its runs at once (a run folder is one project each, so
 * a project's search sees one run), each hit named by its run; a verification's runs are not searched
 * (what they say would tell the arms apart).
 */
import { appendFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dispatch } from '../../src/main/app/dispatch'
import { createService, type Service } from '../../src/main/app/service'
import { fixtureSessions } from '../support/fixture-sessions'

describe('search across a batch', () => {
  let service: Service
  let batchId = ''
  beforeAll(async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-bsearch-claude-'))
    const ids = await fixtureSessions(configDir, 5)
    // runs 2 and 4 said something the others did not
    for (const [i, times] of [
      [1, 1],
      [3, 2]
    ]) {
      for (let k = 0; k < times; k++)
        await appendFile(
          join(configDir, 'projects', '-tmp-landing', `${ids[i]}.jsonl`),
          JSON.stringify({
            type: 'user',
            sessionId: ids[i],
            uuid: `zz-${i}-${k}`,
            timestamp: '2026-01-01T00:00:00.000Z',
            message: { role: 'user', content: `Use the Zebra-Unicorn palette, please (${k})` }
          }) + '\n'
        )
    }
    service = await createService({
      configDir,
      dataDir: await mkdtemp(join(tmpdir(), 't2s-bsearch-data-')),
      mode: 'web',
      version: 'test',
      env: {}
    })
    batchId = (await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })).id
  })
  afterAll(() => service?.dispose())

  it('finds the runs whose sessions say it, by run number, with snippets', async () => {
    const hits = await service.handlers.searchBatch({ batchId, query: 'zebra-unicorn' })
    expect(hits.map((h) => [h.number, h.matches])).toEqual([
      [2, 1],
      [4, 2]
    ])
    const { runs } = await service.handlers.getBatch({ batchId })
    expect(hits[0].runId).toBe(runs.find((r) => r.number === 2)!.id)
    expect(hits[0].sessionId).toBe(runs.find((r) => r.number === 2)!.sessionId)
    expect(hits[0].snippets[0].text).toContain('Zebra-Unicorn palette')
    expect(await service.handlers.searchBatch({ batchId, query: 'nothing-says-this-404' })).toEqual([])
  })

  it("refuses a verification's runs: what they say would tell its arms apart", async () => {
    const spy = vi.spyOn(service.store.verifications, 'ofBatch').mockImplementation((id) => (id === batchId ? 'v1' : undefined))
    try {
      await expect(service.handlers.searchBatch({ batchId, query: 'zebra-unicorn' })).rejects.toMatchObject({ code: 'forbidden' })
    } finally {
      spy.mockRestore()
    }
  })

  it('is a request of the contract, and an unknown batch is not found', async () => {
    expect(await dispatch(service.handlers, 'searchBatch', { batchId, query: '' })).toMatchObject({ ok: false, code: 'invalid' })
    expect(await dispatch(service.handlers, 'searchBatch', { batchId: 'nope', query: 'x' })).toMatchObject({ ok: false, code: 'not-found' })
  })
})
