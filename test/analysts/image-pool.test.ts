/**
 * Screenshots prepared on worker threads: the built worker (out/main/image-worker.js, from
 * `npx electron-vite build`; npm test builds first) gives exactly what the in-thread function does,
 * the same clear errors, and answers in the order asked. Without a build that case is skipped.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Jimp } from 'jimp'
import { beforeAll, describe, expect, it } from 'vitest'
import { imageWorkerPool, inThreadImages } from '../../src/main/analysts/image-pool'
import { prepareScreenshot, type PrepareOptions } from '../../src/main/analysts/images'
import { REPO } from '../support/claude-harness'

const WORKER = join(REPO, 'out', 'main', 'image-worker.js')
const BUILT = existsSync(WORKER)
const NOT_BUILT = 'skipped: out/main/image-worker.js is not built (run `npx electron-vite build`)'

/** A width × height page with a pattern that depends on `seed` (not flat, so the PNG encoder works for it). */
async function page(width: number, height: number, seed: number): Promise<Buffer> {
  const img = new Jimp({ width, height, color: 0xffffffff })
  const d = img.bitmap.data
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4
      d[o] = (x * seed + y) & 255
      d[o + 1] = ((x >> 3) ^ (y >> 3) ^ seed) & 255
      d[o + 2] = (y * 7 + seed * 31) & 255
    }
  }
  return img.getBuffer('image/png')
}

/** What the in-thread function gives: the image, or the error's message. */
const direct = (png: Buffer, opts?: PrepareOptions) => prepareScreenshot(png, opts).catch((e: Error) => ({ error: e.message }))

describe('image pool', () => {
  let pages: Buffer[]
  let truncated: Buffer
  beforeAll(async () => {
    pages = await Promise.all([
      page(1280, 3600, 1),
      page(390, 2000, 2),
      page(1280, 900, 3),
      page(800, 1500, 4),
      page(1280, 2400, 5),
      page(600, 600, 6)
    ])
    // a real PNG cut off in its image data: the decoder's own error
    truncated = pages[0].subarray(0, Math.floor(pages[0].length / 3))
  })

  it('in-thread fallback: the function itself, one at a time', async () => {
    const pool = inThreadImages()
    expect(pool.concurrency).toBe(1)
    expect(await pool.prepare(pages[1], { maxTokens: 800 })).toEqual(await prepareScreenshot(pages[1], { maxTokens: 800 }))
    await pool.close()
  })

  it.skipIf(!BUILT)(
    `built worker: same images, same errors, answers in order${BUILT ? '' : ` (${NOT_BUILT})`}`,
    async () => {
      const pool = imageWorkerPool(WORKER, 2)
      try {
        expect(pool.concurrency).toBe(2)
        // the same image, byte for byte, with the same note, for several parts and budgets
        const cases: [Buffer, PrepareOptions | undefined][] = [
          [pages[0], undefined],
          [pages[0], { part: 2, maxTokens: 900 }],
          [pages[1], { label: 'mobile', maxTokens: 3000 }]
        ]
        for (const [png, opts] of cases) {
          const viaPool = await pool.prepare(png, opts)
          expect(viaPool.data.length).toBeGreaterThan(1000)
          expect(viaPool).toEqual(await prepareScreenshot(png, opts))
        }

        // bad input: the same clear message through the worker
        const bad: [Buffer, PrepareOptions | undefined][] = [
          [Buffer.from('this is not a png at all, just some text bytes'), undefined],
          [truncated, undefined],
          [pages[2], { part: 5 }],
          [pages[2], { maxTokens: 0 }]
        ]
        for (const [png, opts] of bad) {
          const want = (await direct(png, opts)) as { error: string }
          expect(want.error).toBeTruthy()
          await expect(pool.prepare(png, opts)).rejects.toThrow(want.error)
        }
        expect(((await direct(truncated)) as { error: string }).error).toMatch(/^could not decode the PNG screenshot/)

        // many at once, more than the workers, with a failure among them: each answer where it was asked
        const batch = [...pages, pages[0].subarray(0, 40), ...pages.slice().reverse()]
        const viaPool = await Promise.all(
          batch.map((p) => pool.prepare(p, { maxTokens: 1200 }).catch((e: Error) => ({ error: e.message })))
        )
        const inThread = []
        for (const p of batch) inThread.push(await direct(p, { maxTokens: 1200 }))
        expect(viaPool).toEqual(inThread)
        expect(viaPool.map((r) => ('sourceWidth' in r ? r.sourceWidth : 0))).toEqual([
          1280, 390, 1280, 800, 1280, 600, 0, 600, 1280, 800, 1280, 390, 1280
        ])
        // the caller's buffers are copied, not taken
        expect(pages[0].subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
      } finally {
        await pool.close()
      }
      await expect(pool.prepare(pages[2])).rejects.toThrow('the screenshot workers are closed')
    },
    60_000
  )
})
