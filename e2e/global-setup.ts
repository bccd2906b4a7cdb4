/**
 * Before the browser tests: real Claude Code sessions, made by the real `claude` CLI against the
 * scripted model server (no API key, no network), in a temporary CLAUDE_CONFIG_DIR.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { generateSessions } from '../test/support/claude-harness'
import { GENERATED, ROOT } from './fixtures'

export default async function globalSetup(): Promise<void> {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) throw new Error('e2e needs a build: run `npm run build` first (npm test does)')
  const configDir = await mkdtemp(join(tmpdir(), 't2s-e2e-claude-'))
  const made = await generateSessions(configDir)
  await mkdir(dirname(GENERATED), { recursive: true })
  await writeFile(GENERATED, JSON.stringify({ configDir, sessions: made.sessions }, null, 2))
}
