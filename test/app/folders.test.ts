/**
 * Folder completion for a typed path (the web mode has no folder dialog): the sub-folders of the
 * folder typed so far whose names start with what follows its last slash. Read-only, names only,
 * folders only: no files, no symlinks, no FIFOs, nothing opened; through the contract like any request.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/app/dispatch'
import { listFolders } from '../../src/main/traces/folders'
import { createService, type Service } from '../../src/main/app/service'

describe('folder completion', () => {
  let root = ''
  let service: Service
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 't2s-folders-'))
    for (const d of ['alpha', 'alps', 'beta', '.hidden', 'alpha/inner']) await mkdir(join(root, d))
    await writeFile(join(root, 'also-a-file.txt'), 'x')
    await symlink(join(root, 'beta'), join(root, 'al-link'))
    execFileSync('mkfifo', [join(root, 'al-fifo')])
    service = await createService({
      configDir: await mkdtemp(join(tmpdir(), 't2s-folders-claude-')),
      dataDir: await mkdtemp(join(tmpdir(), 't2s-folders-data-')),
      mode: 'web',
      version: 'test',
      env: {}
    })
  })
  afterAll(() => service?.dispose())

  it('lists the sub-folders that start with the last part typed, folders only', async () => {
    expect(await listFolders(`${root}/al`)).toEqual({ parent: root, names: ['alpha', 'alps'], more: false })
    expect(await listFolders(`${root}/`)).toEqual({ parent: root, names: ['alpha', 'alps', 'beta'], more: false })
    // hidden ones when asked for by their dot
    expect((await listFolders(`${root}/.`)).names).toEqual(['.hidden'])
    expect((await listFolders(`${root}/alpha/`)).names).toEqual(['inner'])
    expect((await listFolders(`${root}/zzz`)).names).toEqual([])
  })

  it('says when the folder typed does not exist, and refuses a relative path', async () => {
    expect(await listFolders(`${root}/nope/x`)).toEqual({ parent: join(root, 'nope'), names: [], more: false, missing: true })
    expect(await listFolders(`${root}/also-a-file.txt/`)).toMatchObject({ names: [], missing: true })
    await expect(listFolders('relative/path')).rejects.toThrow(/absolute/)
    await expect(listFolders('~/')).rejects.toThrow(/absolute/)
  })

  it('caps a long list', async () => {
    const many = await mkdtemp(join(tmpdir(), 't2s-folders-many-'))
    for (let i = 0; i < 120; i++) await mkdir(join(many, `d${String(i).padStart(3, '0')}`))
    const r = await listFolders(`${many}/d`)
    expect(r.names).toHaveLength(100)
    expect(r.more).toBe(true)
    expect(r.names[0]).toBe('d000')
  })

  it('is a request of the contract', async () => {
    const reply = await dispatch(service.handlers, 'listFolders', { path: `${root}/al` })
    expect(reply).toEqual({ ok: true, value: { parent: root, names: ['alpha', 'alps'], more: false } })
    expect(await dispatch(service.handlers, 'listFolders', { path: 'x'.repeat(5000) })).toMatchObject({ ok: false, code: 'invalid' })
  })
})
