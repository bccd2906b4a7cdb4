import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/store'
import { indexFile, storeDir } from '../support/store-files'

const tmp = () => mkdtemp(join(tmpdir(), 't2s-store-'))

describe('store', () => {
  it('persists to disk (not memory) and reloads', async () => {
    const dir = await tmp()
    const a = await openStore(dir)
    await a.index.addOpenedFolder('/some/folder')
    const onDisk = JSON.parse(await readFile(indexFile(dir), 'utf8'))
    expect(onDisk.openedFolders).toEqual(['/some/folder'])
    await a.close()
    const b = await openStore(dir)
    expect(b.index.openedFolders()).toEqual(['/some/folder'])
    expect(b.notices).toEqual([])
    await b.close()
  })

  it('moves a corrupt index aside, keeps its bytes, and says how to restore it', async () => {
    const dir = await tmp()
    const garbage = '{"schema":2,"tasks":{'
    await mkdir(storeDir(dir), { recursive: true })
    await writeFile(indexFile(dir), garbage)
    const s = await openStore(dir)
    expect(s.notices).toHaveLength(1)
    expect(s.notices[0].level).toBe('warning')
    const aside = (await readdir(storeDir(dir))).find((f) => f.startsWith('index.json.corrupt-'))
    expect(aside).toBeDefined()
    expect(await readFile(join(storeDir(dir), aside!), 'utf8')).toBe(garbage)
    expect(s.notices[0].detail).toContain(join(storeDir(dir), aside!))
    expect(s.notices[0].detail).toContain(indexFile(dir))
    // a fresh, valid index took its place
    expect(JSON.parse(await readFile(indexFile(dir), 'utf8')).schema).toBe(2)
    await s.close()
  })

  it('treats valid JSON of the wrong shape as corrupt too', async () => {
    const dir = await tmp()
    await mkdir(storeDir(dir), { recursive: true })
    await writeFile(indexFile(dir), JSON.stringify({ schema: 9, hello: 'world' }))
    const s = await openStore(dir)
    expect(s.notices[0].message).toMatch(/could not be read/)
    expect((await readdir(storeDir(dir))).some((f) => f.includes('.corrupt-'))).toBe(true)
    await s.close()
  })

  it('serialises concurrent updates without losing any', async () => {
    const dir = await tmp()
    const s = await openStore(dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.index.addOpenedFolder(`/f${i}`)))
    await s.close()
    const again = await openStore(dir)
    expect(again.index.openedFolders()).toHaveLength(20)
    await again.close()
  })
})
