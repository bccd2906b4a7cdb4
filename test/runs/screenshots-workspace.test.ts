import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_BLOCKED, noteBlocked } from '../../src/main/runs/screenshots'
import { decideWorkspaceRequest, MAX_FILE_BYTES, readWorkspaceFile } from '../../src/main/runs/workspace-request'

// The one decision both screenshot ports make for every request of an untrusted page: only files whose
// REAL path is inside the workspace. The Electron port (file: URLs) used to check the path as text, so a
// symbolic link the agent left in its workspace pulled in any file on the machine.
describe('decideWorkspaceRequest: which files an untrusted page may load', () => {
  const ORIGIN = 'http://workspace.invalid'
  let base: string
  let root: string
  let secret: string
  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 't2s-decide-')))
    root = join(base, 'ws')
    await mkdir(join(root, 'img'), { recursive: true })
    await mkdir(join(base, 'private'), { recursive: true })
    secret = join(base, 'private', 'secret.txt')
    await writeFile(secret, 'secret')
    await writeFile(join(root, 'index.html'), '<h1>hi</h1>')
    await writeFile(join(root, 'img', 'logo.png'), 'png')
    await symlink(secret, join(root, 'leak.txt')) // a link to a file outside
    await symlink(join(base, 'private'), join(root, 'outdir')) // a link to a folder outside
    await symlink(join(root, 'img', 'logo.png'), join(root, 'alias.png')) // a link that stays inside
    await symlink('/etc', join(root, 'etc'))
    execFileSync('mkfifo', [join(root, 'pipe.png')]) // reading it would block a thread forever
  })

  it('serves files inside the workspace, through links that stay inside', async () => {
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'img', 'logo.png')).href, root)).toEqual({
      action: 'serve',
      path: join(root, 'img', 'logo.png')
    })
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'alias.png')).href, root)).toEqual({
      action: 'serve',
      path: join(root, 'img', 'logo.png')
    })
    expect(await decideWorkspaceRequest(`${ORIGIN}/img/logo.png?x=1#y`, root, { origin: ORIGIN })).toEqual({
      action: 'serve',
      path: join(root, 'img', 'logo.png')
    })
    expect(await decideWorkspaceRequest(`${ORIGIN}/alias.png`, root, { origin: ORIGIN })).toMatchObject({ action: 'serve' })
    expect(await decideWorkspaceRequest('data:image/png;base64,AAAA', root)).toEqual({ action: 'pass' })
    expect(await decideWorkspaceRequest('blob:http://workspace.invalid/1234', root, { origin: ORIGIN })).toEqual({ action: 'pass' })
  })

  it('blocks a symbolic link to a file outside the workspace (file: and the fake origin)', async () => {
    // lexically inside the workspace, really outside: the old Electron check let this through
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'leak.txt')).href, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(`${ORIGIN}/leak.txt`, root, { origin: ORIGIN })).toMatchObject({ action: 'block' })
  })

  it('blocks files under a symbolic link to a folder outside, existing or not', async () => {
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'outdir', 'secret.txt')).href, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'etc', 'hostname')).href, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(`${ORIGIN}/outdir/secret.txt`, root, { origin: ORIGIN })).toMatchObject({ action: 'block' })
    // a missing file behind a link out is still a way out (it could appear), not just "missing"
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'outdir', 'nope.txt')).href, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'img', 'nope.png')).href, root)).toEqual({ action: 'missing' })
  })

  it('blocks paths out, the network, malformed URLs and files that are not regular', async () => {
    expect(await decideWorkspaceRequest(pathToFileURL(secret).href, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest('file:///etc/passwd', root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(`${ORIGIN}/..%2F..%2Fprivate%2Fsecret.txt`, root, { origin: ORIGIN })).toMatchObject({
      action: 'block'
    })
    expect(await decideWorkspaceRequest(`${ORIGIN}/%E0%A4%A`, root, { origin: ORIGIN })).toMatchObject({
      action: 'block',
      reason: 'malformed'
    })
    expect(await decideWorkspaceRequest(`${ORIGIN}/a%00b`, root, { origin: ORIGIN })).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest('file:///x%2F..%2Fetc/passwd', root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest('file://otherhost/share/x', root)).toMatchObject({ action: 'block' })
    for (const url of [
      'http://127.0.0.1:8080/x',
      'https://example.com/',
      'ws://127.0.0.1/',
      'http://workspace.invalid.evil.com/x',
      'chrome://version'
    ])
      expect(await decideWorkspaceRequest(url, root, { origin: ORIGIN })).toMatchObject({ action: 'block' })
    // file: URLs are only the workspace in the Electron port; under the fake origin they are not served
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'index.html')).href, root, { origin: ORIGIN })).toMatchObject({
      action: 'block'
    })
    expect(await decideWorkspaceRequest(`${ORIGIN}/index.html`, root)).toMatchObject({ action: 'block' })
    expect(await decideWorkspaceRequest(pathToFileURL(join(root, 'pipe.png')).href, root)).toMatchObject({
      action: 'block',
      reason: 'not a regular file'
    })
  })

  it('reads allowed files without following links, blocking on FIFOs or reading huge files', async () => {
    expect((await readWorkspaceFile(join(root, 'img', 'logo.png')))?.toString()).toBe('png')
    expect(await readWorkspaceFile(join(root, 'leak.txt'))).toBeNull() // O_NOFOLLOW: a link swapped in later
    expect(await readWorkspaceFile(join(root, 'pipe.png'))).toBeNull() // returns at once, no writer needed
    expect(await readWorkspaceFile(join(root, 'img'))).toBeNull()
    const big = join(root, 'big.bin')
    execFileSync('truncate', ['-s', String(MAX_FILE_BYTES + 1), big])
    expect(await readWorkspaceFile(big)).toBeNull()
  })
})

describe('the list of blocked requests', () => {
  it('is capped, so a page making a million requests cannot bloat the store', () => {
    const list: string[] = []
    for (let i = 0; i < 100_000; i++) noteBlocked(list, `http://127.0.0.1/${i}/${'x'.repeat(i % 2 ? 1000 : 1)}`)
    expect(list).toHaveLength(MAX_BLOCKED + 1)
    expect(list[MAX_BLOCKED]).toBe('… and more, not listed')
    expect(Math.max(...list.map((e) => e.length))).toBeLessThanOrEqual(501)
  })
})
