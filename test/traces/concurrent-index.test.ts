/** The watcher and a listing may ask for the same file's summary at once: its new bytes are read once. */
import { appendFile, mkdir, mkdtemp, readFile, rmdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openStore } from '../../src/main/store/store'
import { SessionIndex } from '../../src/main/traces/indexer'

const line = (i: number) =>
  JSON.stringify({ type: 'user', message: { role: 'user', content: `prompt ${i}` }, timestamp: '2026-01-01T00:00:00Z', uuid: `u${i}` }) +
  '\n'

it('two summaries of a grown file at once read its new bytes once, and agree', async () => {
  const config = await mkdtemp(join(tmpdir(), 't2s-conc-'))
  const dir = join(config, 'projects', '-p')
  await mkdir(dir, { recursive: true })
  const file = join(dir, 's1.jsonl')
  await writeFile(file, line(1) + line(2))
  const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-conc-data-')), { readOnly: true })
  const index = new SessionIndex(config, store)
  await index.indexFile('-p', file)
  const added = line(3)
  await appendFile(file, added)
  const before = index.bytesRead
  const [a, b] = await Promise.all([index.indexFile('-p', file), index.indexFile('-p', file)])
  expect(index.bytesRead - before).toBe(Buffer.byteLength(added))
  expect(a).toEqual(b)
  expect(a?.lines).toBe(3)
  await index.dispose()
})

it('a cache save that failed is made by the next one (the summaries are not lost until the next change)', async () => {
  const config = await mkdtemp(join(tmpdir(), 't2s-save-'))
  const dir = join(config, 'projects', '-p')
  await mkdir(dir, { recursive: true })
  const file = join(dir, 's1.jsonl')
  await writeFile(file, line(1))
  const data = await mkdtemp(join(tmpdir(), 't2s-save-data-'))
  const store = await openStore(data, { readOnly: true })
  const index = new SessionIndex(config, store)
  await index.indexFile('-p', file)
  // a folder where the cache file goes: the write fails
  const cacheFile = join(data, 'index-cache.json')
  await mkdir(cacheFile)
  await expect(index.save()).rejects.toThrow()
  await rmdir(cacheFile)
  await index.dispose()
  const saved = JSON.parse(await readFile(cacheFile, 'utf8')) as { files: Record<string, unknown> }
  expect(Object.keys(saved.files)).toEqual([file])
})
