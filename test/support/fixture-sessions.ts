/**
 * A Claude Code config dir holding `count` copies of a real 2.1.330 session (each under its own id)
 * in one project: many runs to import, grade and analyse, without running claude.
 */
import { randomUUID } from 'node:crypto'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'

export const FIXTURE_SESSION = join(__dirname, '..', 'fixtures', 'cli-2.1.330', '4eb0f224-a19d-446d-aeaa-fa64d85123bd.jsonl')

/** Writes the copies under `<configDir>/projects/<slug>/` and returns their session ids. */
export async function fixtureSessions(configDir: string, count: number, slug = '-tmp-landing'): Promise<string[]> {
  const project = join(configDir, 'projects', slug)
  await mkdir(project, { recursive: true })
  const ids = Array.from({ length: count }, () => randomUUID())
  for (const id of ids) await copyFile(FIXTURE_SESSION, join(project, `${id}.jsonl`))
  return ids
}
