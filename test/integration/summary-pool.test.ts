/** The built worker pool computes exactly what the in-thread summarizer does (npm test builds first). */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { summarizeFile } from '../../src/main/traces/summary'
import { workerPool } from '../../src/main/traces/summary-pool'
import { REPO } from '../support/claude-harness'

const WORKER = join(REPO, 'out', 'main', 'summary-worker.js')
const CORPUS = join(REPO, 'test', 'fixtures', 'corpus', 'claude-code-sessions')
const FIXTURE = join(REPO, 'test', 'fixtures', 'cli-2.1.330')

describe('summary worker pool', () => {
  it('agrees with the in-thread summarizer on every corpus and fixture file', async () => {
    expect(existsSync(WORKER), 'build first (npm test does): out/main/summary-worker.js').toBe(true)
    const files = [
      ...readdirSync(CORPUS)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => join(CORPUS, f)),
      ...readdirSync(FIXTURE, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => join(FIXTURE, f))
    ]
    const pool = workerPool(WORKER, 2)
    try {
      const viaPool = await Promise.all(files.map((f) => pool.summarize(f)))
      const inThread = await Promise.all(files.map((f) => summarizeFile(f)))
      expect(viaPool).toEqual(inThread)
      await expect(pool.summarize(join(FIXTURE, 'missing.jsonl'))).resolves.toMatchObject({ warnings: 1, lines: 0 })
    } finally {
      await pool.close()
    }
  })
})
