import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore, STORE_FILE } from '../../src/main/store/store'

const tmp = () => mkdtemp(join(tmpdir(), 't2s-store-'))

describe('store', () => {
  it('persists to disk (not memory) and reloads', async () => {
    const dir = await tmp()
    const a = await openStore(dir)
    await a.update((d) => void d.openedFolders.push('/some/folder'))
    const onDisk = JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8'))
    expect(onDisk.openedFolders).toEqual(['/some/folder'])
    await a.close()
    const b = await openStore(dir)
    expect(b.db.data.openedFolders).toEqual(['/some/folder'])
    expect(b.notices).toEqual([])
  })

  it('moves a corrupt store aside, keeps its bytes, and says how to restore it', async () => {
    const dir = await tmp()
    const garbage = '{"schema":1,"pins":{'
    await writeFile(join(dir, STORE_FILE), garbage)
    const s = await openStore(dir)
    expect(s.notices).toHaveLength(1)
    expect(s.notices[0].level).toBe('warning')
    const aside = (await readdir(dir)).find((f) => f.startsWith(`${STORE_FILE}.corrupt-`))
    expect(aside).toBeDefined()
    expect(await readFile(join(dir, aside!), 'utf8')).toBe(garbage)
    expect(s.notices[0].detail).toContain(join(dir, aside!))
    expect(s.notices[0].detail).toContain(join(dir, STORE_FILE))
    // a fresh, valid store took its place
    expect(JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8')).schema).toBe(1)
  })

  it('treats valid JSON of the wrong shape as corrupt too', async () => {
    const dir = await tmp()
    await writeFile(join(dir, STORE_FILE), JSON.stringify({ schema: 9, hello: 'world' }))
    const s = await openStore(dir)
    expect(s.notices[0].message).toMatch(/could not be read/)
    expect((await readdir(dir)).some((f) => f.includes('.corrupt-'))).toBe(true)
  })

  it('serialises concurrent updates without losing any', async () => {
    const dir = await tmp()
    const s = await openStore(dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.update((d) => void d.openedFolders.push(`/f${i}`))))
    await s.close()
    const again = await openStore(dir)
    expect(again.db.data.openedFolders).toHaveLength(20)
  })
})
