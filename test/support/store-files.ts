/** The store as saved on disk (one document per aggregate), for tests that check what was written. */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { Batch, Run } from '../../src/shared/runs'

export const storeDir = (dataDir: string) => join(dataDir, 'store')
export const indexFile = (dataDir: string) => join(dataDir, 'store', 'index.json')
export const batchFile = (dataDir: string, id: string) => join(dataDir, 'store', 'batches', `${id}.json`)

export async function readIndex(dataDir: string): Promise<{
  tasks: Record<string, { name: string }>
  batches: Record<string, { name: string }>
  openedFolders: string[]
  skills: Record<string, unknown>
  analyses: Record<string, unknown>
}> {
  return JSON.parse(await readFile(indexFile(dataDir), 'utf8'))
}

export async function readBatch(dataDir: string, id: string): Promise<{ batch: Batch; runs: Record<string, Run> }> {
  return JSON.parse(await readFile(batchFile(dataDir, id), 'utf8'))
}

/** Every file under the store folder with its bytes and mtime: to prove nothing (or only one file) was written. */
export async function snapshot(dataDir: string): Promise<Map<string, { text: string; mtimeMs: number }>> {
  const out = new Map<string, { text: string; mtimeMs: number }>()
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile()) out.set(relative(dataDir, p), { text: await readFile(p, 'utf8'), mtimeMs: (await stat(p)).mtimeMs })
    }
  }
  await walk(storeDir(dataDir))
  return out
}

/** The files whose bytes or mtime differ between two snapshots (added and removed ones too). */
export function changed(a: Map<string, { text: string; mtimeMs: number }>, b: Map<string, { text: string; mtimeMs: number }>): string[] {
  const names = new Set([...a.keys(), ...b.keys()])
  return [...names].filter((n) => a.get(n)?.text !== b.get(n)?.text || a.get(n)?.mtimeMs !== b.get(n)?.mtimeMs).sort()
}
