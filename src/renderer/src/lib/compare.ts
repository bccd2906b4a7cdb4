/**
 * Pure helpers of the compare view: tool sequences aligned, pixel differences, group medians.
 */
import { diffArrays } from 'diff'

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

/**
 * Pixel differences of two RGBA images of the same size (pad the smaller one first). Unchanged
 * pixels are drawn faded, changed ones in magenta; `threshold` ignores anti-aliasing noise.
 */
export function pixelDiff(
  a: Uint8ClampedArray,
  b: Uint8ClampedArray,
  threshold = 24
): { out: Uint8ClampedArray<ArrayBuffer>; changed: number; total: number } {
  if (a.length !== b.length) throw new Error('pixelDiff: images differ in size')
  const out = new Uint8ClampedArray(a.length)
  let changed = 0
  for (let p = 0; p < a.length; p += 4) {
    const d = Math.max(Math.abs(a[p] - b[p]), Math.abs(a[p + 1] - b[p + 1]), Math.abs(a[p + 2] - b[p + 2]), Math.abs(a[p + 3] - b[p + 3]))
    if (d > threshold) {
      changed++
      out[p] = 255
      out[p + 1] = 0
      out[p + 2] = 200
      out[p + 3] = 255
    } else {
      const grey = (a[p] * 0.3 + a[p + 1] * 0.59 + a[p + 2] * 0.11) | 0
      const faded = 255 - ((255 - grey) >> 2)
      out[p] = out[p + 1] = out[p + 2] = faded
      out[p + 3] = 255
    }
  }
  return { out, changed, total: a.length / 4 }
}

export function median(values: number[]): number {
  if (!values.length) return 0
  const s = [...values].sort((x, y) => x - y)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
