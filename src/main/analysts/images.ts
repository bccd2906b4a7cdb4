/**
 * Screenshots for the analysts: turns a run's full-page PNG into one image block the Messages API
 * accepts and that fits a token budget. The API bills an image at about width × height / 750 tokens
 * and downscales anything whose long edge is over 1568 px, so a 1280 × 16,384 page sent whole would
 * cost ~28k tokens and arrive as an unreadable sliver. Instead a tall page is cut into parts about one
 * screen tall (height = 1.25 × width; part 0 is the top, what a person sees first), one part is
 * cropped, scaled down (never up) to the budget, and encoded as PNG, with a one-line `note` saying
 * what is shown. Decoding, cropping, resizing and encoding use jimp (pure JS, no native modules).
 */
import { Jimp, PNGFilterType } from 'jimp'
import { constants, createInflate } from 'node:zlib'
import { pngSize } from '../runs/screenshots'
import { fitSize, imageTokens, partCount, partHeight } from './image-size'

/** The sizing, pure (shared with the planning in condense.ts). */
export { fitSize, imageTokens, MAX_EDGE, PART_ASPECT, partCount, partHeight } from './image-size'

/** The API's size limit per image. Checked against the base64 text with a margin, so it holds however the API counts. */
export const API_MAX_BYTES = 5 * 1024 * 1024
/** Default image budget per run (tokens). */
export const DEFAULT_IMAGE_TOKENS = 1600

const BYTES_TARGET = Math.floor(API_MAX_BYTES * 0.9)
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** Below this the image says nothing; a budget that small is refused. */
const MIN_TOKENS = 1

export interface PreparedImage {
  mediaType: 'image/png'
  /** base64 PNG */
  data: string
  width: number
  height: number
  tokens: number
  /** 0-based */
  part: number
  parts: number
  sourceWidth: number
  sourceHeight: number
  /** source px rows shown: [top, bottom) */
  top: number
  bottom: number
  /** one line for people and the model */
  note: string
}

export interface PrepareOptions {
  /** token budget for this image (default DEFAULT_IMAGE_TOKENS) */
  maxTokens?: number
  /** which part of a tall page, 0-based (default 0, the top) */
  part?: number
  /** what the screenshot is, for the note (default: 'mobile' under 600 px wide, else 'desktop') */
  label?: string
}

type Image = ReturnType<typeof Jimp.fromBitmap>

/**
 * Rows [top, bottom) of a PNG as a jimp image. Screenshots (8-bit grey/RGB/RGBA, not interlaced) are
 * decoded here, only down to `bottom`: jimp's decoder takes ~8 s on a 1280 × 16,384 page, this well
 * under one. Anything else goes through jimp (decode all, then crop).
 */
async function decodeRows(png: Buffer, top: number, bottom: number): Promise<Image> {
  try {
    const fast = await decodeSimpleRows(png, top, bottom)
    if (fast) return fast
    const image = await Jimp.fromBuffer(png)
    if (top > 0 || bottom < image.bitmap.height) image.crop({ x: 0, y: top, w: image.bitmap.width, h: bottom - top })
    return image
  } catch (err) {
    throw new Error(`could not decode the PNG screenshot: ${(err as Error).message}`, { cause: err })
  }
}

/** The fast path of decodeRows; null when the PNG is of a kind it does not handle. */
async function decodeSimpleRows(png: Buffer, top: number, bottom: number): Promise<Image | null> {
  const width = png.readUInt32BE(16)
  const [bitDepth, colorType, , , interlace] = png.subarray(24, 29)
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType]
  if (bitDepth !== 8 || !channels || interlace !== 0) return null
  const idat: Buffer[] = []
  for (let at = 8; at + 8 <= png.length;) {
    const len = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    if (type === 'tRNS') return null // a transparent colour key: leave it to jimp
    if (type === 'IDAT') idat.push(png.subarray(at + 8, Math.min(png.length, at + 8 + len)))
    if (type === 'IEND') break
    at += 12 + len
  }
  const stride = width * channels
  const raw = await inflateUpTo(Buffer.concat(idat), bottom * (stride + 1))
  if (raw.length < bottom * (stride + 1)) throw new Error(`image data ends before row ${bottom}`)
  const out = Buffer.alloc(width * (bottom - top) * 4)
  // unfilter in place, row by row (each row depends on the one above), from the first row to `bottom`
  for (let y = 0; y < bottom; y++) {
    const row = y * (stride + 1) + 1
    const up = row - (stride + 1)
    const filter = raw[row - 1]
    if (filter === 1) for (let x = channels; x < stride; x++) raw[row + x] = (raw[row + x] + raw[row + x - channels]) & 255
    else if (filter === 2 && y > 0) for (let x = 0; x < stride; x++) raw[row + x] = (raw[row + x] + raw[up + x]) & 255
    else if (filter === 3) {
      for (let x = 0; x < stride; x++) {
        const a = x >= channels ? raw[row + x - channels] : 0
        const b = y > 0 ? raw[up + x] : 0
        raw[row + x] = (raw[row + x] + ((a + b) >> 1)) & 255
      }
    } else if (filter === 4) {
      for (let x = 0; x < stride; x++) {
        const a = x >= channels ? raw[row + x - channels] : 0
        const b = y > 0 ? raw[up + x] : 0
        const c = x >= channels && y > 0 ? raw[up + x - channels] : 0
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        raw[row + x] = (raw[row + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255
      }
    } else if (filter > 4) throw new Error(`bad row filter ${filter} at row ${y}`)
    if (y < top) continue
    let o = (y - top) * width * 4
    if (channels === 4) {
      raw.copy(out, o, row, row + stride)
      continue
    }
    for (let x = row; x < row + stride; x += channels, o += 4) {
      const rgb = channels === 3
      out[o] = raw[x]
      out[o + 1] = rgb ? raw[x + 1] : raw[x]
      out[o + 2] = rgb ? raw[x + 2] : raw[x]
      out[o + 3] = channels === 2 ? raw[x + 1] : 255
    }
  }
  return Jimp.fromBitmap({ width, height: bottom - top, data: out })
}

/** Inflates zlib data up to `need` bytes (at least; less if the data ends first) and stops there. */
function inflateUpTo(data: Buffer, need: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Z_SYNC_FLUSH: a cut-off stream yields what it has instead of an error
    const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 1 << 20 })
    const out: Buffer[] = []
    let got = 0
    const done = (): void => resolve(Buffer.concat(out, got))
    inflate.on('data', (chunk: Buffer) => {
      out.push(chunk)
      got += chunk.length
      if (got >= need) {
        inflate.destroy()
        done()
      }
    })
    inflate.on('end', done)
    inflate.on('error', reject)
    inflate.end(data)
  })
}

/** Crops one part of a PNG screenshot and scales it to fit the API and the token budget. */
export async function prepareScreenshot(png: Buffer, opts: PrepareOptions = {}): Promise<PreparedImage> {
  const maxTokens = opts.maxTokens ?? DEFAULT_IMAGE_TOKENS
  if (!Number.isFinite(maxTokens) || maxTokens < MIN_TOKENS) throw new Error(`maxTokens must be at least ${MIN_TOKENS}, got ${maxTokens}`)
  if (!Buffer.isBuffer(png) || png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`not a PNG image (${Buffer.isBuffer(png) ? `${png.length} bytes, no PNG signature and header` : typeof png})`)
  }
  const { width: sourceWidth, height: sourceHeight } = pngSize(png)
  if (sourceWidth < 1 || sourceHeight < 1) throw new Error(`not a usable PNG image (${sourceWidth}×${sourceHeight})`)
  const parts = partCount(sourceWidth, sourceHeight)
  const part = opts.part ?? 0
  if (!Number.isInteger(part) || part < 0 || part >= parts) {
    const range = parts === 1 ? 'the only part is 0' : `valid parts are 0-${parts - 1}`
    throw new Error(`screenshot part ${part} is out of range: the ${sourceWidth}×${sourceHeight} page has ${parts} part(s), ${range}`)
  }
  const step = partHeight(sourceWidth)
  const top = part * step
  const bottom = Math.min(sourceHeight, top + step)

  const image = await decodeRows(png, top, bottom)
  const cropW = image.bitmap.width
  const cropH = image.bitmap.height

  let scale = 1
  for (;;) {
    const size = fitSize(cropW, cropH, maxTokens, scale)
    const shown = size.width === cropW && size.height === cropH ? image : image.clone().resize({ w: size.width, h: size.height })
    // one filter (Up) for every row: as small for screenshots as trying all five, several times faster
    const data = (await shown.getBuffer('image/png', { filterType: PNGFilterType.UP })).toString('base64')
    if (data.length <= BYTES_TARGET || (size.width === 1 && size.height === 1)) {
      const label = opts.label ?? (sourceWidth < 600 ? 'mobile' : 'desktop')
      const n = (v: number): string => v.toLocaleString('en-US')
      const note =
        `${label} screenshot, px ${n(top)}-${n(bottom)} of ${n(sourceHeight)} (part ${part + 1} of ${parts}), ` +
        `shown at ${n(size.width)}×${n(size.height)}` +
        (size.width < cropW ? ` (scaled from ${n(cropW)}×${n(cropH)})` : '')
      return {
        mediaType: 'image/png',
        data,
        width: size.width,
        height: size.height,
        tokens: imageTokens(size.width, size.height),
        part,
        parts,
        sourceWidth,
        sourceHeight,
        top,
        bottom,
        note
      }
    }
    // Too many bytes (noisy content): shrink the area in proportion, a bit more to converge quickly.
    scale = Math.min(size.width / cropW, size.height / cropH) * Math.sqrt(BYTES_TARGET / data.length) * 0.95
  }
}
