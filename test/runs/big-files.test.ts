/**
 * Issue 18, security item 7: huge files in a run's folder. One sparse file over 2 GiB made the run
 * show no files (and so no screenshots): the whole list failed with it; two 1.9 GB files pushed the
 * process to 4 GB. Now files are hashed in streams, a file too large for a text diff is listed with
 * its size and marked so, and a file that cannot be read costs only itself. Sparse files (truncate)
 * cost nothing on disk; memory is the child process's own high-water mark (VmHWM), not a timing.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { OutputFile } from '../../src/shared/runs'
import type { FilePairDiff } from '../../src/main/base/workspace'
import { lastJson, PEAK_RSS, runChild, src } from '../support/child'

const GB = 1e9
const GiB = 2 ** 30
const MEMORY_BOUND = 1 * GiB
const BIG = 2.1 * 2 ** 30 - ((2.1 * 2 ** 30) % 4096)
const tmp = (name: string) => mkdtemp(join(tmpdir(), name))

async function sparse(file: string, size: number, head = '') {
  await writeFile(file, head)
  await truncate(file, size)
}

describe("a run's folder with huge files", () => {
  it(
    'lists every file, the huge ones with their size and marked too large for a text diff, in bounded memory',
    { timeout: 300_000 },
    async () => {
      const template = await tmp('t2s-big-template-')
      await writeFile(join(template, 'notes.txt'), 'first draft\n')
      await writeFile(join(template, 'same.txt'), 'unchanged\n')
      await writeFile(join(template, 'swap.txt'), 'one\n')
      await writeFile(join(template, 'gone.txt'), 'deleted by the run\n')
      await writeFile(join(template, 'grows.log'), 'log line\n')
      const ws = await tmp('t2s-big-ws-')
      await writeFile(join(ws, 'index.html'), '<!doctype html><h1>Hello</h1>\n')
      await writeFile(join(ws, 'notes.txt'), 'second draft\n')
      await writeFile(join(ws, 'same.txt'), 'unchanged\n')
      await writeFile(join(ws, 'swap.txt'), 'two\n') // the same size, other bytes
      await mkdir(join(ws, 'data'))
      await sparse(join(ws, 'data', 'over-2GiB.bin'), 2 * GiB + 4096)
      await sparse(join(ws, 'data', 'a.dat'), 1.9 * GB, 'text, not binary: ')
      await sparse(join(ws, 'data', 'b.dat'), 1.9 * GB)
      await writeFile(join(ws, 'grows.log'), 'log line\n'.repeat(2 ** 17)) // 1.1 MB of text: too large for a diff
      // not regular files: never read, never listed
      execFileSync('mkfifo', [join(ws, 'pipe.txt')])
      await symlink('/dev/zero', join(ws, 'zero.txt'))

      const r = await runChild(
        `${PEAK_RSS}
      const { diffWorkspace } = await import(${src('src/main/base/workspace.ts')})
      const files = await diffWorkspace(${JSON.stringify(ws)}, ${JSON.stringify(template)})
      console.log(JSON.stringify({ files: files.map((f) => ({ ...f, diff: f.diff ? f.diff.slice(f.diff.indexOf('@@')) : undefined })), peak: peakRss() }))
      process.exit(0)`,
        { deadlineMs: 280_000 }
      )
      expect(r.hung, 'hung').toBe(false)
      expect(r.code, r.stderr.slice(-2000)).toBe(0)
      const { files, peak } = lastJson<{ files: OutputFile[]; peak: number }>(r)
      expect(files).toEqual([
        { path: 'data/a.dat', status: 'added', bytes: 1.9 * GB, binary: true, tooLarge: true },
        { path: 'data/b.dat', status: 'added', bytes: 1.9 * GB, binary: true, tooLarge: true },
        { path: 'data/over-2GiB.bin', status: 'added', bytes: 2 * GiB + 4096, binary: true, tooLarge: true },
        { path: 'gone.txt', status: 'deleted', bytes: 19, binary: false },
        { path: 'grows.log', status: 'modified', bytes: 9 * 2 ** 17, binary: false, tooLarge: true },
        { path: 'index.html', status: 'added', bytes: 30, binary: false, diff: '@@ -0,0 +1,1 @@\n+<!doctype html><h1>Hello</h1>\n' },
        { path: 'notes.txt', status: 'modified', bytes: 13, binary: false, diff: '@@ -1,1 +1,1 @@\n-first draft\n+second draft\n' },
        { path: 'swap.txt', status: 'modified', bytes: 4, binary: false, diff: '@@ -1,1 +1,1 @@\n-one\n+two\n' }
      ])
      expect(peak).toBeLessThan(MEMORY_BOUND)
    }
  )

  it('compare: two runs that each made a 2.1 GiB file, and an equal 4 MiB one, in bounded memory', { timeout: 300_000 }, async () => {
    const a = await tmp('t2s-big-a-')
    const b = await tmp('t2s-big-b-')
    for (const ws of [a, b]) {
      await sparse(join(ws, 'same.bin'), 4 * 2 ** 20, 'same head') // equal beyond the first bytes read: hashed
      await writeFile(join(ws, 'page.html'), ws === a ? '<p>A</p>\n' : '<p>B</p>\n')
    }
    await sparse(join(a, 'differs.bin'), BIG, 'head of A')
    await sparse(join(b, 'differs.bin'), BIG, 'head of B')
    const files = () =>
      JSON.stringify([
        { path: 'differs.bin', status: 'added', bytes: BIG, binary: false },
        { path: 'page.html', status: 'added', bytes: 9, binary: false },
        { path: 'same.bin', status: 'added', bytes: 4 * 2 ** 20, binary: false }
      ])
    const r = await runChild(
      `${PEAK_RSS}
      const { diffRunOutputs } = await import(${src('src/main/base/workspace.ts')})
      const pairs = await diffRunOutputs({ workspace: ${JSON.stringify(a)}, files: ${files()} }, { workspace: ${JSON.stringify(b)}, files: ${files()} })
      console.log(JSON.stringify({ pairs: pairs.map((p) => ({ ...p, diff: p.diff ? p.diff.slice(p.diff.indexOf('@@')) : undefined })), peak: peakRss() }))
      process.exit(0)`,
      { deadlineMs: 280_000 }
    )
    expect(r.hung, 'hung').toBe(false)
    expect(r.code, r.stderr.slice(-2000)).toBe(0)
    const { pairs, peak } = lastJson<{ pairs: FilePairDiff[]; peak: number }>(r)
    expect(pairs).toEqual([
      { path: 'differs.bin', a: 'added', b: 'added', same: false, binary: true, tooLarge: true },
      { path: 'page.html', a: 'added', b: 'added', same: false, binary: false, diff: '@@ -1,1 +1,1 @@\n-<p>A</p>\n+<p>B</p>\n' },
      { path: 'same.bin', a: 'added', b: 'added', same: true, binary: true, tooLarge: true }
    ])
    expect(peak).toBeLessThan(MEMORY_BOUND)
  })
})
