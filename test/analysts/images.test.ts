/** Screenshots for the analysts: cropping a part, fitting the token budget and the byte limit, real PNGs out. */
import { Jimp } from 'jimp'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  API_MAX_BYTES,
  DEFAULT_IMAGE_TOKENS,
  imageTokens,
  MAX_EDGE,
  prepareScreenshot,
  type PreparedImage
} from '../../src/main/analysts/images'

const WHITE = 0xffffffff
const RED = 0xff0000ff
const BLUE = 0x0000ffff

/** A width × height PNG, white, with solid bands [y0, y1) in the given colors. */
async function page(width: number, height: number, bands: { y0: number; y1: number; color: number }[] = []): Promise<Buffer> {
  const img = new Jimp({ width, height, color: WHITE })
  for (const b of bands) {
    for (let y = b.y0; y < b.y1; y++) for (let x = 0; x < width; x++) img.bitmap.data.writeUInt32BE(b.color, (y * width + x) * 4)
  }
  return img.getBuffer('image/png')
}

/** Decodes the result again and checks it is what it says it is. */
async function decode(p: PreparedImage) {
  const buf = Buffer.from(p.data, 'base64')
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const img = await Jimp.fromBuffer(buf)
  expect([img.bitmap.width, img.bitmap.height]).toEqual([p.width, p.height])
  return img
}

function rgb(img: Awaited<ReturnType<typeof decode>>, x: number, y: number): [number, number, number] {
  const c = img.getPixelColor(x, y)
  return [(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255]
}

describe('imageTokens', () => {
  it('is width × height / 750, rounded up', () => {
    expect(imageTokens(750, 1)).toBe(1)
    expect(imageTokens(751, 1)).toBe(2)
    expect(imageTokens(1000, 1000)).toBe(1334)
    expect(MAX_EDGE).toBe(1568)
    expect(API_MAX_BYTES).toBe(5 * 1024 * 1024)
    expect(DEFAULT_IMAGE_TOKENS).toBe(1600)
  })
})

describe('prepareScreenshot', () => {
  // desktop page at the screenshot height limit: a red band in part 0, a blue band in part 1 (parts are 1600 px)
  let tall: Buffer
  beforeAll(async () => {
    tall = await page(1280, 16384, [
      { y0: 100, y1: 300, color: RED },
      { y0: 1700, y1: 1900, color: BLUE }
    ])
  })

  it('part 0 of a tall desktop page: the top, within the budget and MAX_EDGE, aspect kept, a real PNG', async () => {
    const t0 = performance.now()
    const p = await prepareScreenshot(tall, {})
    console.log(`prepareScreenshot 1280x16384 (${(tall.length / 1024).toFixed(0)} KB PNG): ${(performance.now() - t0).toFixed(0)} ms`)
    expect(p).toMatchObject({ mediaType: 'image/png', part: 0, parts: 11, sourceWidth: 1280, sourceHeight: 16384, top: 0, bottom: 1600 })
    expect(p.tokens).toBe(imageTokens(p.width, p.height))
    expect(p.tokens).toBeLessThanOrEqual(DEFAULT_IMAGE_TOKENS)
    expect(p.tokens).toBeGreaterThan(DEFAULT_IMAGE_TOKENS * 0.97) // uses the budget, not far under it
    expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(MAX_EDGE)
    expect(p.width).toBeLessThan(1280)
    expect(p.height / p.width).toBeCloseTo(1600 / 1280, 2)
    expect(p.note).toBe(`desktop screenshot, px 0-1,600 of 16,384 (part 1 of 11), shown at 979×1,224 (scaled from 1,280×1,600)`)
    const img = await decode(p)
    const s = p.height / 1600
    expect(rgb(img, p.width >> 1, Math.round(200 * s))).toEqual([255, 0, 0]) // the red band, scaled
    expect(rgb(img, p.width >> 1, Math.round(50 * s))).toEqual([255, 255, 255])
    expect(rgb(img, p.width >> 1, Math.round(1000 * s))).toEqual([255, 255, 255]) // no blue: that is part 1
  })

  it('part 1 shows the next 1600 rows, and the last part is the short remainder, not scaled up', async () => {
    const p1 = await prepareScreenshot(tall, { part: 1 })
    expect(p1).toMatchObject({ part: 1, parts: 11, top: 1600, bottom: 3200 })
    const img1 = await decode(p1)
    const s = p1.height / 1600
    expect(rgb(img1, p1.width >> 1, Math.round(200 * s))).toEqual([0, 0, 255]) // 1700-1900 in the page
    expect(rgb(img1, p1.width >> 1, Math.round(50 * s))).toEqual([255, 255, 255])

    const last = await prepareScreenshot(tall, { part: 10 })
    expect(last).toMatchObject({ part: 10, parts: 11, top: 16000, bottom: 16384, width: 1280, height: 384 })
    expect(last.note).toBe('desktop screenshot, px 16,000-16,384 of 16,384 (part 11 of 11), shown at 1,280×384')
    await decode(last)
  })

  it('a small mobile shot is not scaled up', async () => {
    const png = await page(390, 800, [{ y0: 10, y1: 20, color: RED }])
    const p = await prepareScreenshot(png)
    // parts are round(390 × 1.25) = 488 rows: 0-488 and 488-800
    expect(p).toMatchObject({ width: 390, height: 488, part: 0, parts: 2, top: 0, bottom: 488, tokens: imageTokens(390, 488) })
    expect(p.note).toBe('mobile screenshot, px 0-488 of 800 (part 1 of 2), shown at 390×488')
    const img = await decode(p)
    expect(rgb(img, 100, 15)).toEqual([255, 0, 0])
    const tail = await prepareScreenshot(png, { part: 1 })
    expect(tail).toMatchObject({ width: 390, height: 312, top: 488, bottom: 800 })
  })

  it('a smaller maxTokens gives a smaller image, still within it', async () => {
    const big = await prepareScreenshot(tall, { maxTokens: 1600 })
    const small = await prepareScreenshot(tall, { maxTokens: 400 })
    expect(small.tokens).toBeLessThanOrEqual(400)
    expect(small.width).toBeLessThan(big.width)
    expect(small.height).toBeLessThan(big.height)
    expect(small.height / small.width).toBeCloseTo(1.25, 1)
    expect(Buffer.from(small.data, 'base64').length).toBeLessThan(Buffer.from(big.data, 'base64').length)
  })

  it('a generous budget stops at MAX_EDGE', async () => {
    const p = await prepareScreenshot(await page(2000, 2500), { maxTokens: 100_000 })
    expect(p.height).toBe(MAX_EDGE)
    expect(p.width).toBe(Math.floor(2000 * (MAX_EDGE / 2500)))
  })

  it('keeps under the byte limit when the content does not compress (noise)', async () => {
    const img = new Jimp({ width: 1280, height: 1600, color: WHITE })
    let seed = 42
    for (let i = 0; i < img.bitmap.data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0
      img.bitmap.data[i] = i % 4 === 3 ? 255 : seed >>> 24
    }
    const png = await img.getBuffer('image/png')
    const p = await prepareScreenshot(png, { maxTokens: 10_000 })
    expect(p.data.length).toBeLessThanOrEqual(API_MAX_BYTES)
    // MAX_EDGE alone would allow 1254×1568 (2,622 tokens), whose noise PNG is ~7.5 MB in base64
    expect(p.height).toBeLessThan(MAX_EDGE)
    expect(p.height / p.width).toBeCloseTo(1.25, 1)
    await decode(p)
  }, 120_000)

  it('decodes every kind of screenshot PNG exactly: grey, grey+alpha, RGB, RGBA, all row filters, 16-bit', async () => {
    // noise with a vertical gradient, 100 × 130: parts of 125 rows, part 1 is rows 125-130
    const src = new Jimp({ width: 100, height: 130, color: WHITE })
    let seed = 7
    for (let i = 0; i < src.bitmap.data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0
      src.bitmap.data[i] = i % 4 === 3 ? 128 + (seed >>> 25) : (seed >>> 24) & 0xf0
    }
    // colorType 0 grey, 4 grey+alpha, 2 RGB, 6 RGBA; each row filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth); 16-bit goes through jimp
    const kinds = [0, 2, 4, 6].flatMap((colorType) => [0, 1, 2, 3, 4].map((filterType) => ({ colorType, filterType, bitDepth: 8 })))
    for (const options of [...kinds, { colorType: 6, filterType: 4, bitDepth: 16 }]) {
      const png = await src.getBuffer('image/png', options as object)
      expect([png[24], png[25]]).toEqual([options.bitDepth, options.colorType])
      const expected = await Jimp.fromBuffer(png) // jimp's own decoder as the reference
      for (const part of [0, 1]) {
        const p = await prepareScreenshot(png, { part })
        const got = await decode(p)
        const want = expected.clone().crop({ x: 0, y: p.top, w: 100, h: p.bottom - p.top })
        expect(got.bitmap.data.equals(want.bitmap.data), JSON.stringify({ options, part })).toBe(true)
      }
    }
  })

  it('an out-of-range part names the valid range', async () => {
    await expect(prepareScreenshot(tall, { part: 11 })).rejects.toThrow(/part 11 is out of range.*11 part\(s\), valid parts are 0-10/)
    await expect(prepareScreenshot(tall, { part: -1 })).rejects.toThrow(/valid parts are 0-10/)
    await expect(prepareScreenshot(await page(100, 50), { part: 1 })).rejects.toThrow(/the only part is 0/)
  })

  it('input that is not a PNG is refused with a clear message', async () => {
    await expect(prepareScreenshot(Buffer.from('hello, not an image'))).rejects.toThrow(/^not a PNG image/)
    await expect(prepareScreenshot(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(40)]))).rejects.toThrow(/^not a PNG image/)
    await expect(prepareScreenshot(Buffer.alloc(0))).rejects.toThrow(/^not a PNG image/)
    // a PNG header with the image data cut off
    const cut = (await page(64, 64, [{ y0: 0, y1: 64, color: RED }])).subarray(0, 40)
    await expect(prepareScreenshot(cut)).rejects.toThrow(/^could not decode the PNG screenshot/)
  })
})
