/**
 * Pure helpers of the compare view: tool sequences aligned, pixel differences and changed regions, group medians.
 */
import { diffArrays } from 'diff'
import pixelmatch from 'pixelmatch'

export interface AlignedRow {
  /** index into run A's calls, or null where A has no counterpart */
  a: number | null
  b: number | null
}

/** Two tool-call sequences aligned on their longest common subsequence: shared steps side by side, the rest against gaps. */
export function alignSequences(a: string[], b: string[]): AlignedRow[] {
  const rows: AlignedRow[] = []
  let i = 0
  let j = 0
  for (const part of diffArrays(a, b)) {
    const n = part.count ?? part.value.length
    if (part.added) {
      for (let k = 0; k < n; k++) rows.push({ a: null, b: j++ })
    } else if (part.removed) {
      for (let k = 0; k < n; k++) rows.push({ a: i++, b: null })
    } else {
      for (let k = 0; k < n; k++) rows.push({ a: i++, b: j++ })
    }
  }
  return rows
}

/** A changed region of a page, in pixels of the images compared. */
export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/**
 * How much two pixels must differ to count (pixelmatch's YIQ threshold, 0 to 1). pixelmatch's default
 * (0.1) misses light grey on white: #eee on #fff is about 0.064. At 0.03 a difference of about 4% in
 * brightness counts (#f5f5f5 on white does), while anti-aliased edges are told apart by pixelmatch's
 * own detection, not by the threshold.
 */
export const DIFF_THRESHOLD = 0.03

/**
 * Which pixels differ in a way a person would see: the one place the comparison is made (pixelmatch:
 * a perceptual colour distance with anti-aliasing detection), so it can be swapped here alone.
 * Returns one byte per pixel, 1 where it differs.
 */
export function changedPixels(a: Uint8ClampedArray, b: Uint8ClampedArray, width: number, height: number): Uint8Array {
  const mask = new Uint8ClampedArray(a.length)
  pixelmatch(a, b, mask, width, height, { threshold: DIFF_THRESHOLD, includeAA: false, diffMask: true, diffColor: [255, 0, 0] })
  const out = new Uint8Array(width * height)
  for (let i = 0, p = 0; i < out.length; i++, p += 4) out[i] = mask[p + 3] ? 1 : 0
  return out
}

/** The side of the cells changed pixels are grouped by, and how many empty cells may lie inside one region. */
const CELL = 4
const REACH = 2

/**
 * The changed regions of a page: changed pixels less than about CELL * REACH apart are one region (the
 * letters of a line of text), farther apart two (nine cards with gaps between them are nine). Each
 * region is the tight box around its pixels.
 */
export function changedRegions(mask: Uint8Array, width: number, height: number): Region[] {
  const cw = Math.ceil(width / CELL)
  const ch = Math.ceil(height / CELL)
  const n = cw * ch
  // each cell's box of changed pixels (minX < 0: none)
  const minX = new Int32Array(n).fill(-1)
  const minY = new Int32Array(n)
  const maxX = new Int32Array(n)
  const maxY = new Int32Array(n)
  for (let y = 0; y < height; y++) {
    const row = y * width
    const crow = ((y / CELL) | 0) * cw
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue
      const c = crow + ((x / CELL) | 0)
      if (minX[c] < 0) {
        minX[c] = maxX[c] = x
        minY[c] = maxY[c] = y
      } else {
        if (x < minX[c]) minX[c] = x
        if (x > maxX[c]) maxX[c] = x
        if (y > maxY[c]) maxY[c] = y
      }
    }
  }
  const seen = new Uint8Array(n)
  const regions: Region[] = []
  const stack: number[] = []
  for (let start = 0; start < n; start++) {
    if (minX[start] < 0 || seen[start]) continue
    seen[start] = 1
    stack.push(start)
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -1
    let y1 = -1
    while (stack.length) {
      const c = stack.pop()!
      x0 = Math.min(x0, minX[c])
      y0 = Math.min(y0, minY[c])
      x1 = Math.max(x1, maxX[c])
      y1 = Math.max(y1, maxY[c])
      const cx = c % cw
      const cy = (c / cw) | 0
      for (let yy = Math.max(0, cy - REACH); yy <= Math.min(ch - 1, cy + REACH); yy++)
        for (let xx = Math.max(0, cx - REACH); xx <= Math.min(cw - 1, cx + REACH); xx++) {
          const d = yy * cw + xx
          if (minX[d] >= 0 && !seen[d]) {
            seen[d] = 1
            stack.push(d)
          }
        }
    }
    regions.push({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 })
  }
  return regions
}

/** The colour changed pixels are drawn in, and the boxes around changed regions. */
const CHANGED = [255, 0, 200] as const
const BOX = [220, 0, 90] as const

/**
 * Pixel differences of two RGBA images of the same size (pad the smaller one first): unchanged pixels
 * drawn faded, changed ones in magenta, and a box around every changed region.
 */
export function pixelDiff(
  a: Uint8ClampedArray,
  b: Uint8ClampedArray,
  width: number,
  height: number
): { out: Uint8ClampedArray<ArrayBuffer>; changed: number; total: number; regions: Region[] } {
  if (a.length !== b.length || a.length !== width * height * 4) throw new Error('pixelDiff: images differ in size')
  const mask = changedPixels(a, b, width, height)
  const out = new Uint8ClampedArray(a.length)
  let changed = 0
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    if (mask[i]) {
      changed++
      out[p] = CHANGED[0]
      out[p + 1] = CHANGED[1]
      out[p + 2] = CHANGED[2]
    } else {
      const grey = (a[p] * 0.3 + a[p + 1] * 0.59 + a[p + 2] * 0.11) | 0
      out[p] = out[p + 1] = out[p + 2] = 255 - ((255 - grey) >> 2)
    }
    out[p + 3] = 255
  }
  const regions = changedRegions(mask, width, height)
  for (const r of regions) drawBox(out, width, height, r)
  return { out, changed, total: width * height, regions }
}

/** The line above the difference view: how many regions changed (each boxed), and how much of the page. */
export function diffStat(d: { changed: number; total: number; regions: number; heights: [number, number] }): string {
  const pct = d.total ? (d.changed / d.total) * 100 : 0
  // never "0.0%" for a difference that is there, nor "100.0%" for one pixel short of it
  const share = d.changed === 0 ? '0' : pct < 0.1 ? 'under 0.1' : pct > 99.9 && d.changed < d.total ? 'over 99.9' : pct.toFixed(1)
  const head = d.regions
    ? `${d.regions} changed region${d.regions === 1 ? '' : 's'} (boxed) · ${share}% of the pixels differ`
    : 'No visible difference'
  const [ha, hb] = d.heights
  return `${head}${ha !== hb ? ` (pages are ${ha} and ${hb} px tall)` : ''}`
}

/** A 2-pixel frame just outside a region (clipped to the image). */
function drawBox(out: Uint8ClampedArray, width: number, height: number, r: Region) {
  const x0 = r.x - 3
  const y0 = r.y - 3
  const x1 = r.x + r.width + 2
  const y1 = r.y + r.height + 2
  const put = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return
    const p = (y * width + x) * 4
    out[p] = BOX[0]
    out[p + 1] = BOX[1]
    out[p + 2] = BOX[2]
    out[p + 3] = 255
  }
  for (let x = x0; x <= x1; x++) for (const y of [y0, y0 + 1, y1 - 1, y1]) put(x, y)
  for (let y = y0; y <= y1; y++) for (const x of [x0, x0 + 1, x1 - 1, x1]) put(x, y)
}

export function median(values: number[]): number {
  if (!values.length) return 0
  const s = [...values].sort((x, y) => x - y)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
