import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readImage } from '../../src/main/traces/image'
import { parseSessionFile } from '../../src/main/traces/parse'
import { summarizeFile } from '../../src/main/traces/summary'

const dir = () => mkdtemp(join(tmpdir(), 't2s-faults-'))
const line = (o: unknown) => JSON.stringify(o) + '\n'
const user = (text: string, extra: object = {}) =>
  line({ type: 'user', message: { role: 'user', content: text }, timestamp: '2026-01-01T00:00:00Z', uuid: `u-${text.length}`, ...extra })
const assistant = (id: string, blocks: unknown[], output = 10) =>
  line({
    type: 'assistant',
    message: {
      id,
      model: 'claude-sonnet-4-5',
      role: 'assistant',
      content: blocks,
      usage: { input_tokens: 100, output_tokens: output, cache_read_input_tokens: 5, cache_creation_input_tokens: 7 }
    },
    timestamp: '2026-01-01T00:00:01Z'
  })
const result = (id: string, content: unknown, isError = false) =>
  line({
    type: 'user',
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] },
    timestamp: '2026-01-01T00:00:02Z'
  })

describe('parser faults: never throws, loses nothing', () => {
  it('a truncated last line (a session still being written) is reported and kept', async () => {
    const d = await dir()
    const f = join(d, 'live.jsonl')
    await writeFile(f, user('hello') + assistant('m1', [{ type: 'text', text: 'hi' }]) + '{"type":"assistant","message":{"id":"m2","con')
    const t = await parseSessionFile(f)
    expect(t.warnings.map((w) => w.message)).toEqual(['truncated last line (session still being written?)'])
    expect(t.warnings[0].line).toBe(3)
    const kept = t.events.find((e) => e.kind === 'malformed')!
    expect(kept.kind === 'malformed' && kept.text).toBe('{"type":"assistant","message":{"id":"m2","con')
    const s = await summarizeFile(f)
    expect(s.warnings).toBe(1)
    expect(s.lines).toBe(3)
    // the checkpoint resumes before the partial line, so the completed line is read next time
    await appendFile(f, 'tent":[{"type":"text","text":"done"}],"usage":{"input_tokens":1,"output_tokens":2}}}\n')
    const s2 = await summarizeFile(f, s.checkpoint)
    const whole = await summarizeFile(f)
    expect({ ...s2, checkpoint: null }).toEqual({ ...whole, checkpoint: null })
    expect(s2.warnings).toBe(0)
  })

  it('garbage lines become malformed events with their text, between good ones', async () => {
    const d = await dir()
    const f = join(d, 'garbage.jsonl')
    await writeFile(f, user('one') + 'not json at all\n' + '\u0000\u0001binary\n' + '[1,2,3]\n' + user('two'))
    const t = await parseSessionFile(f)
    expect(t.events.map((e) => e.kind)).toEqual(['user', 'malformed', 'malformed', 'malformed', 'user'])
    expect(t.warnings).toHaveLength(3)
    const m = t.events[1]
    expect(m.kind === 'malformed' && m.text).toBe('not json at all')
    expect((await summarizeFile(f)).prompts).toBe(2)
  })

  it('an empty file, a missing file and a directory are warnings, not exceptions', async () => {
    const d = await dir()
    await writeFile(join(d, 'empty.jsonl'), '')
    await mkdir(join(d, 'dir.jsonl'))
    const empty = await parseSessionFile(join(d, 'empty.jsonl'))
    expect(empty.events).toEqual([])
    expect(empty.warnings).toEqual([])
    const missing = await parseSessionFile(join(d, 'missing.jsonl'))
    expect(missing.warnings[0].message).toMatch(/cannot read file: ENOENT/)
    const directory = await parseSessionFile(join(d, 'dir.jsonl'))
    expect(directory.warnings[0].message).toMatch(/cannot read file: EISDIR/)
    expect((await summarizeFile(join(d, 'missing.jsonl'))).warnings).toBe(1)
  })

  it('unknown record types are kept whole', async () => {
    const d = await dir()
    const f = join(d, 'future.jsonl')
    await writeFile(f, line({ type: 'hologram', payload: { x: 1 } }) + line({ no: 'type' }))
    const t = await parseSessionFile(f)
    expect(t.events.map((e) => (e.kind === 'unknown' ? [e.recordType, e.raw] : e.kind))).toEqual([
      ['hologram', { type: 'hologram', payload: { x: 1 } }],
      ['(no type)', { no: 'type' }]
    ])
  })

  it('a 30 MB line with a base64 image keeps only a reference; the image is read on demand', async () => {
    const d = await dir()
    const f = join(d, 'huge.jsonl')
    const png = Buffer.alloc(22 * 1024 * 1024, 7).toString('base64') // ~30 MB of base64
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }
    await writeFile(
      f,
      user('look') +
        assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'shot.png' } }]) +
        result('t1', [{ type: 'text', text: 'the screenshot' }, image]) +
        user('thanks')
    )
    const t = await parseSessionFile(f)
    const call = t.events.find((e) => e.kind === 'tool_call')!
    expect(call.kind === 'tool_call' && call.result?.text).toBe('the screenshot')
    const ref = call.kind === 'tool_call' ? call.result!.images[0] : undefined
    expect(ref).toMatchObject({ mediaType: 'image/png', bytes: png.length, index: 0 })
    expect(JSON.stringify(t).length).toBeLessThan(100_000)
    const img = await readImage(ref!)
    expect(img.mediaType).toBe('image/png')
    expect(img.data.length).toBe(png.length)
    expect(img.data === png).toBe(true)
    // the fast path (byte patterns on big lines) agrees with the full parse
    const s = await summarizeFile(f)
    expect([s.toolCalls, s.toolErrors, s.prompts, s.turns, s.lines]).toEqual([1, 0, 2, t.totals.turns, 4])
    expect(s.usage).toEqual(t.usage)
  })

  it('big lines read by byte patterns agree with parsing them (errors, usage, tool calls)', async () => {
    const d = await dir()
    const f = join(d, 'big.jsonl')
    const big = 'x'.repeat(200_000) + ' "is_error":true "type":"tool_use" \\"quoted\\"'
    await writeFile(
      f,
      user('go') +
        assistant('m1', [{ type: 'tool_use', id: 'a', name: 'Write', input: { file_path: 'a.txt', content: big } }], 40) +
        assistant('m1', [{ type: 'tool_use', id: 'b', name: 'Write', input: { file_path: 'b.txt', content: big } }], 50) +
        result('a', big, true) +
        result('b', [{ type: 'text', text: big }], false)
    )
    const t = await parseSessionFile(f)
    const s = await summarizeFile(f)
    expect(s.toolCalls).toBe(2)
    expect(s.toolErrors).toBe(1)
    expect(s.usage).toEqual(t.usage)
    expect(t.usage.output).toBe(50)
    expect(s.end).toBe('2026-01-01T00:00:02Z')
  })

  it('usage repeated on each content block of one message is counted once', async () => {
    const d = await dir()
    const f = join(d, 'usage.jsonl')
    await writeFile(
      f,
      user('q') +
        assistant('m1', [{ type: 'thinking', thinking: 'hmm' }], 3) +
        assistant('m1', [{ type: 'text', text: 'a' }], 9) +
        assistant('m2', [{ type: 'text', text: 'b' }], 4)
    )
    const t = await parseSessionFile(f)
    expect(t.usage).toEqual({ input: 200, output: 13, cacheRead: 10, cacheCreation: 14 })
    expect((await summarizeFile(f)).usage).toEqual(t.usage)
  })
})

describe('incremental summaries', () => {
  it('summarising in two halves (an append) equals summarising the whole, reading only the new bytes', async () => {
    const fixture = join(__dirname, '..', 'fixtures', 'cli-2.1.330')
    const { readdirSync } = await import('node:fs')
    const src = join(
      fixture,
      readdirSync(fixture).find((n) => n.endsWith('.jsonl'))!
    )
    const text = await readFile(src, 'utf8')
    const lines = text.split('\n').filter(Boolean)
    for (const cut of [1, Math.floor(lines.length / 3), Math.floor(lines.length / 2), lines.length - 1]) {
      const d = await dir()
      const f = join(d, 'grow.jsonl')
      await writeFile(f, lines.slice(0, cut).join('\n') + '\n')
      const first = await summarizeFile(f)
      await appendFile(f, lines.slice(cut).join('\n') + '\n')
      const resumed = await summarizeFile(f, first.checkpoint)
      const whole = await summarizeFile(f)
      expect({ ...resumed, checkpoint: null }, `cut at ${cut}`).toEqual({ ...whole, checkpoint: null })
      expect(resumed.checkpoint.offset).toBe(whole.checkpoint.offset)
    }
  })

  it('a file that shrank is read again from the start', async () => {
    const d = await dir()
    const f = join(d, 'shrink.jsonl')
    await writeFile(f, user('one') + user('two') + user('three'))
    const first = await summarizeFile(f)
    await writeFile(f, user('four'))
    const again = await summarizeFile(f, first.checkpoint)
    expect(again.prompts).toBe(1)
    expect(again.firstPrompt).toBe('four')
  })
})
