import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { formatFeedbackLine, parseFeedback } from '../../src/shared/runs'

describe('plain-text feedback', () => {
  it('reads the workflow format and its common variants', () => {
    const r = parseFeedback(
      'Run 2: bad - too many cards, looks cluttered\nrun 3: GOOD – clean hero\nRun #4 bad: broken on mobile\nRun 1: good',
      [1, 2, 3, 4]
    )
    expect(r.errors).toEqual([])
    expect(r.entries.map((e) => [e.number, e.label, e.text])).toEqual([
      [2, 'bad', 'too many cards, looks cluttered'],
      [3, 'good', 'clean hero'],
      [4, 'bad', 'broken on mobile'],
      [1, 'good', '']
    ])
  })

  it('reads the numbered-list and dash forms the README promises', () => {
    const r = parseFeedback('2. good - clean\nRun 3 - bad: cluttered\n4) bad - broken', [2, 3, 4])
    expect(r.errors).toEqual([])
    expect(r.entries.map((e) => [e.number, e.label, e.text])).toEqual([
      [2, 'good', 'clean'],
      [3, 'bad', 'cluttered'],
      [4, 'bad', 'broken']
    ])
  })

  it('reports every bad line by number', () => {
    const r = parseFeedback('Run 2: bad - ok\nRun 9: good - nope\nnot feedback\nRun 2: good - again\nRun 3: meh - what', [1, 2, 3])
    expect(r.errors).toEqual([
      'line 2: there is no Run 9 in this batch',
      'line 3: expected "Run N: good - sentence" or "Run N: bad - sentence", got "not feedback"',
      'line 4: Run 2 was already graded on line 1',
      'line 5: expected "Run N: good - sentence" or "Run N: bad - sentence", got "Run 3: meh - what"'
    ])
  })

  it('needs a separator before the sentence, and between a bare number and the grade, naming the line', () => {
    const bad = ['Run 4 bad cluttered', 'Run 2: good-looking page', '3 good - clean', 'Run 1: bad, cluttered', 'Run 2: good:clean']
    const r = parseFeedback(bad.join('\n'), [1, 2, 3, 4])
    expect(r.entries).toEqual([])
    const expected = (i: number, hint: string) =>
      `line ${i + 1}: expected "Run N: good - sentence" or "Run N: bad - sentence"${hint}, got "${bad[i]}"`
    const between = ' (a " - " between the grade and the sentence)'
    expect(r.errors).toEqual([expected(0, between), expected(1, between), expected(2, ''), expected(3, between), expected(4, between)])
    // the colon after "Run N" may be left out; the sentence may be; a colon or a dash parts it from the grade
    const ok = parseFeedback('Run 4 bad - cluttered\nRun 1: good\nrun 2 GOOD: clean\nRun 3: bad -broken', [1, 2, 3, 4])
    expect(ok.errors).toEqual([])
    expect(ok.entries.map((e) => [e.number, e.label, e.text])).toEqual([
      [4, 'bad', 'cluttered'],
      [1, 'good', ''],
      [2, 'good', 'clean'],
      [3, 'bad', 'broken']
    ])
  })

  it('formats what it reads back to the same thing', () => {
    const line = formatFeedbackLine(7, { label: 'bad', text: '  the  footer\noverlaps ' })
    expect(line).toBe('Run 7: bad - the footer overlaps')
    expect(parseFeedback(line, [7]).entries[0]).toMatchObject({ number: 7, label: 'bad', text: 'the footer overlaps' })
  })

  it("marks a grade the grader gave, and reads the mark back as the grader's (never the person's)", () => {
    const line = formatFeedbackLine(2, { label: 'bad', text: 'four cards in a row', by: 'grader' })
    expect(line).toBe('Run 2: bad (grader) - four cards in a row')
    const [e] = parseFeedback(line, [2]).entries
    expect(e).toEqual({ number: 2, label: 'bad', text: 'four cards in a row', line: 1, by: 'grader' })
    // the person's own line has no mark, and "(grader)" inside a sentence is only words
    expect(formatFeedbackLine(2, { label: 'bad', text: 'x', by: 'person' })).toBe('Run 2: bad - x')
    expect(parseFeedback('Run 2: good - as the (grader) said', [2]).entries[0]).not.toHaveProperty('by')
    expect(parseFeedback('Run 3 good (grader)', [3]).entries[0]).toMatchObject({ label: 'good', text: '', by: 'grader' })
  })
})

describe('feedback through the service', () => {
  let service: Service
  let batchId: string
  let runIds: string[]
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-fb-'))
    service = await createService({ configDir: join(dir, 'c'), dataDir: join(dir, 'd'), mode: 'web', version: 'test', env: {} })
    const task = await service.handlers.saveTask({ name: 't', text: 'x' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [1, 2, 3].map((i) => ({ difficulty: 'normal' as const, prompt: `p${i}` }))
    })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: { concurrency: 1, maxTurns: 5, permission: 'accept-edits', allowedTools: ['Read'], repeats: 1, timeoutMs: 60_000 }
    })
    batchId = batch.id
    runIds = batch.runIds
  })
  afterAll(() => service.dispose())

  it('saves as typed and round-trips export and import', async () => {
    await service.handlers.saveFeedback({ runId: runIds[0], label: 'good', text: 'clean' })
    await service.handlers.saveFeedback({ runId: runIds[1], label: 'bad', text: 'too many cards' })
    await service.handlers.saveFeedback({ runId: runIds[2], label: null, text: 'half a senten' })
    const out = await service.handlers.exportFeedback({ batchId })
    expect(out).toEqual({ text: 'Run 1: good - clean\nRun 2: bad - too many cards\n', graded: 2, total: 3 })
    // the ungraded half sentence is kept too
    expect((await service.handlers.getBatch({ batchId })).runs[2].feedback).toMatchObject({ label: null, text: 'half a senten' })
    const back = await service.handlers.importFeedback({ batchId, text: 'Run 3: bad - overlapping footer\nRun 1: bad - changed my mind' })
    expect(back).toEqual({ applied: 2, errors: [] })
    const again = await service.handlers.exportFeedback({ batchId })
    expect(again.text).toBe('Run 1: bad - changed my mind\nRun 2: bad - too many cards\nRun 3: bad - overlapping footer\n')
  })

  it("a line marked (grader) is imported as the grader's grade, and exported with its mark again", async () => {
    await service.handlers.importFeedback({ batchId, text: 'Run 2: good (grader) - three clean cards' })
    expect((await service.handlers.getBatch({ batchId })).runs[1].feedback).toMatchObject({ label: 'good', by: 'grader' })
    expect((await service.handlers.exportFeedback({ batchId })).text).toContain('Run 2: good (grader) - three clean cards\n')
    // the same line without the mark: the person's now
    await service.handlers.importFeedback({ batchId, text: 'Run 2: good - three clean cards' })
    expect((await service.handlers.getBatch({ batchId })).runs[1].feedback).not.toHaveProperty('by')
    await service.handlers.importFeedback({ batchId, text: 'Run 2: bad - too many cards' })
  })

  it('applies nothing when any line is bad', async () => {
    const before = await service.handlers.exportFeedback({ batchId })
    const r = await service.handlers.importFeedback({ batchId, text: 'Run 1: good - fine\nRun 4: good - no such run' })
    expect(r).toEqual({ applied: 0, errors: ['line 2: there is no Run 4 in this batch'] })
    expect(await service.handlers.exportFeedback({ batchId })).toEqual(before)
  })
})
