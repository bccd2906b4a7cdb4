/**
 * The sandboxed preload is the bridge alone (issue 25): the built bundle carries the contract's request
 * and event names (src/shared/channels.ts) but none of its schemas, nor zod. Reads the bundle
 * `electron-vite build` wrote (npm test builds before it tests).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from '../support/claude-harness'
import { EVENT_NAMES, REQUEST_NAMES } from '../../src/shared/channels'

describe('the preload bundle', () => {
  it('is the bridge alone: every channel, no schema, no zod, a few kilobytes', async () => {
    const bundle = await readFile(join(REPO, 'out', 'preload', 'index.cjs'), 'utf8')
    for (const name of [...REQUEST_NAMES, ...EVENT_NAMES]) expect(bundle).toContain(`"${name}"`)
    expect(bundle).not.toMatch(/ZodError|safeParse|\$ZodType/)
    expect(bundle).not.toContain('VerificationSchema')
    expect(Buffer.byteLength(bundle)).toBeLessThan(16 * 1024)
  })
})
