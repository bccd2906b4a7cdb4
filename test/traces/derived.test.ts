/**
 * Derived from a trace, kept until its session file changes: read again, nothing is parsed; a grown
 * file, another salt, or no file to check (only the archive has it) parse again.
 */
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Trace } from '../../src/shared/trace'
import { derivedFromTrace } from '../../src/main/traces/derived'

describe('derivedFromTrace', () => {
  it('parses a trace again only when its file changed, or for another salt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-derived-'))
    const file = join(dir, 's.jsonl')
    await writeFile(file, '{}\n')
    let parsed = 0
    let hasFile = true
    const read = derivedFromTrace<number>({
      readTrace: async () => {
        parsed++
        return { file } as Trace
      },
      sessionFile: async () => (hasFile ? file : undefined)
    })
    const run = { id: 'r1', sessionId: 's' }
    const compute = () => parsed * 10
    expect(await read(run, 'a', compute)).toBe(10)
    expect(await read(run, 'a', compute)).toBe(10)
    expect(parsed).toBe(1)
    expect(await read(run, 'b', compute)).toBe(20)
    await appendFile(file, '{"more":true}\n')
    expect(await read(run, 'b', compute)).toBe(30)
    expect(parsed).toBe(3)
    hasFile = false
    await read(run, 'b', compute)
    await read(run, 'b', compute)
    expect(parsed).toBe(5)
  })
})
