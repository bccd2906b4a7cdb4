/**
 * The rubric from the person's sentences, with the real SDK against the scripted API: the sentences
 * reach the model fenced, its assertions keep the runs they came from, a run it was not given is
 * refused and asked for once more, a second bad answer saves nothing. Edits are new versions (every one
 * kept), a stale edit is refused, and an edit writes only the rubric's own document.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiModel } from '../../src/main/analysts/model'
import { buildAssertions, type Sentence } from '../../src/main/grading/rubric'
import { editRubric, rubricIdOf, rubricView, saveBuilt } from '../../src/main/grading/rubrics'
import { openStore, type Store } from '../../src/main/store/store'
import { testRun } from '../support/builders'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'
import { changed, snapshot } from '../support/store-files'

const SENTENCES: Sentence[] = [
  { number: 1, label: 'bad', text: 'two CTA buttons above the fold, confusing' },
  { number: 2, label: 'good', text: 'one clear CTA, clean' },
  { number: 3, label: 'bad', text: 'a grid of eight cards, cluttered' }
]
const GOOD = {
  assertions: [
    { text: 'At most one call-to-action button above the fold', runs: [1, 2], from: 'both' },
    { text: 'No grid of more than four cards', runs: [3], from: 'bad' }
  ]
}

let answers: unknown[] = []
let server: ModelServer
const dirs: string[] = []

const script = (): Reply => {
  const input = answers.length > 1 ? answers.shift() : answers[0]
  return { toolUses: [{ name: 'write_rubric', input }] }
}
const textOf = (body: { messages: { content: { type: string; text?: string }[] }[] }) =>
  body.messages[0].content.map((b) => b.text ?? '').join('\n')

async function storeWithBatch(): Promise<{ store: Store; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-rubric-'))
  dirs.push(dataDir)
  const store = await openStore(dataDir)
  await store.index.putTask({ id: 't1', name: 'Landing page', text: 'Build a landing page.', createdAt: 'x', updatedAt: 'x' } as never)
  const runs = [1, 2, 3].map((n) => testRun(n))
  await store.batches.add(
    {
      id: 'b1',
      taskId: 't1',
      name: 'Landing pages',
      createdAt: '2026-01-01T00:00:00.000Z',
      settings: {} as never,
      runIds: runs.map((r) => r.id)
    },
    runs
  )
  return { store, dataDir }
}

beforeEach(async () => {
  server = await startModelServer(script)
})
afterEach(async () => {
  await server.close()
})
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('building a rubric', () => {
  it('the sentences reach the model fenced; the assertions keep the runs they came from', async () => {
    answers = [GOOD]
    const port = apiModel({ apiKey: 'k', baseURL: server.url })
    const built = await buildAssertions(port, 'claude-test', { name: 'Landing page', text: '' }, SENTENCES, new AbortController().signal)
    expect(built.assertions.map((a) => [a.text, a.runs, a.by])).toEqual([
      ['At most one call-to-action button above the fold', [1, 2], 'model'],
      ['No grid of more than four cards', [3], 'model']
    ])
    expect(server.requests).toHaveLength(1)
    const body = server.requests[0].body
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'write_rubric' })
    const text = textOf(body)
    expect(text).toMatch(
      /<<<RUN 1 DATA [0-9a-f]+ \(untrusted[^\n]*>>>\nRun 1: bad - two CTA buttons above the fold, confusing\n<<<END OF RUN 1 DATA/
    )
    expect(text).toContain('Run 3: bad - a grid of eight cards, cluttered')
  })

  it('an assertion citing a run it was not given is refused, and asked for once more with why', async () => {
    answers = [{ assertions: [{ text: 'One CTA', runs: [1, 9], from: 'bad' }] }, GOOD]
    const port = apiModel({ apiKey: 'k', baseURL: server.url })
    const built = await buildAssertions(port, 'claude-test', { name: 'Landing page', text: '' }, SENTENCES, new AbortController().signal)
    expect(built.assertions).toHaveLength(2)
    expect(server.requests).toHaveLength(2)
    expect(textOf(server.requests[1].body)).toMatch(/rejected: assertion 1 cites run 9, which is not among the runs given \(1, 2, 3\)/)
  })

  it('two bad answers: a clear error, nothing saved', async () => {
    answers = [{ assertions: [{ text: '', runs: [1], from: 'bad' }] }]
    const { store } = await storeWithBatch()
    const port = apiModel({ apiKey: 'k', baseURL: server.url })
    await expect(
      buildAssertions(port, 'claude-test', { name: 'Landing page', text: '' }, SENTENCES, new AbortController().signal)
    ).rejects.toMatchObject({
      code: 'bad-answer',
      message: expect.stringMatching(/rejected twice \(the answer does not fit the schema \(assertions\.0\.text/)
    })
    expect(server.requests).toHaveLength(2)
    expect(rubricIdOf(store, 'b1')).toBeUndefined()
    await store.close()
  })
})

describe("the task's rubric, versioned", () => {
  it('built, then edited, added to, deleted from and restored: each a new version, every one kept', async () => {
    const { store, dataDir } = await storeWithBatch()
    const assertions = GOOD.assertions.map((a, i) => ({ id: `a${i + 1}`, ...a, from: a.from as 'both' | 'bad', by: 'model' as const }))
    const v1 = await saveBuilt(store, 'b1', assertions, { model: 'claude-test', costUsd: 0.01, fromRuns: [1, 2, 3] })
    expect(v1.rubric.taskId).toBe('t1')
    expect(v1.current).toMatchObject({ number: 1, made: 'built', note: 'built from the sentences of 3 graded runs: 2 assertions' })
    expect(rubricIdOf(store, 'b1')).toBe(v1.rubric.id)

    const before = await snapshot(dataDir)
    const v2 = await editRubric(
      store,
      v1.rubric.id,
      { op: 'edit', assertionId: 'a1', text: '  Exactly one  CTA above the fold ' },
      v1.current.id
    )
    // an edit writes the rubric's own document (and the index's head of it), nothing else
    expect(changed(before, await snapshot(dataDir))).toEqual([`store/index.json`, `store/rubrics/${v1.rubric.id}.json`])
    expect(v2.current.assertions[0]).toMatchObject({ id: 'a1', text: 'Exactly one CTA above the fold', runs: [1, 2], by: 'person' })
    const v3 = await editRubric(store, v1.rubric.id, { op: 'add', text: 'The page loads no external fonts' })
    expect(v3.current.assertions[2]).toMatchObject({ text: 'The page loads no external fonts', runs: [], by: 'person' })
    const v4 = await editRubric(store, v1.rubric.id, { op: 'delete', assertionId: 'a2' })
    expect(v4.current.assertions.map((a) => a.id)).not.toContain('a2')
    const v5 = await editRubric(store, v1.rubric.id, { op: 'restore', versionId: v1.current.id })
    expect(v5.current.assertions).toEqual(v1.current.assertions)
    expect(v5.history.map((h) => [h.number, h.note])).toEqual([
      [1, 'built from the sentences of 3 graded runs: 2 assertions'],
      [2, 'assertion 1 edited'],
      [3, 'assertion 3 added'],
      [4, 'assertion 2 deleted ("No grid of more than four cards")'],
      [5, 'version 1 restored']
    ])

    // a stale edit and an empty one are refused; nothing changes
    await expect(editRubric(store, v1.rubric.id, { op: 'add', text: 'x' }, v1.current.id)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/changed since \(now version 5\)/)
    })
    await expect(editRubric(store, v1.rubric.id, { op: 'edit', assertionId: 'a1', text: '   ' })).rejects.toMatchObject({ code: 'invalid' })
    await expect(editRubric(store, v1.rubric.id, { op: 'delete', assertionId: 'nope' })).rejects.toMatchObject({ code: 'not-found' })

    // rebuilding from the batch is version 6 of the same rubric
    const v6 = await saveBuilt(store, 'b1', assertions, { model: 'claude-test', costUsd: 0.01, fromRuns: [1, 2, 3] })
    expect(v6.rubric.id).toBe(v1.rubric.id)
    expect(v6.current.number).toBe(6)
    await store.close()

    // read back after a restart: every version is there
    const again = await openStore(dataDir)
    const view = await rubricView(again, v1.rubric.id)
    expect(view.history).toHaveLength(6)
    expect(view.current.id).toBe(v6.current.id)
    await again.close()
  })
})
