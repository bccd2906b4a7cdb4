import { describe, expect, it } from 'vitest'
import { alignSequences, median, pixelDiff } from '../../src/renderer/src/lib/compare'

describe('tool sequences aligned', () => {
  it('puts shared steps side by side and the rest against gaps', () => {
    const a = ['Read', 'Bash', 'Bash', 'Write']
    const b = ['Write', 'Read', 'Write']
    const rows = alignSequences(a, b)
    const show = rows.map((r) => `${r.a === null ? '-' : a[r.a]}|${r.b === null ? '-' : b[r.b]}`)
    expect(show).toEqual(['-|Write', 'Read|Read', 'Bash|-', 'Bash|-', 'Write|Write'])
    // every call of both runs appears exactly once, in order
    expect(rows.flatMap((r) => (r.a === null ? [] : [r.a]))).toEqual([0, 1, 2, 3])
    expect(rows.flatMap((r) => (r.b === null ? [] : [r.b]))).toEqual([0, 1, 2])
  })
  it('handles empty runs', () => {
    expect(alignSequences([], ['Bash'])).toEqual([{ a: null, b: 0 }])
    expect(alignSequences([], [])).toEqual([])
  })
})

describe('pixel differences', () => {
  const img = (...px: number[][]) => new Uint8ClampedArray(px.flat())
  it('counts changed pixels and ignores anti-aliasing noise', () => {
    const a = img([255, 255, 255, 255], [0, 0, 0, 255], [10, 10, 10, 255])
    const b = img([250, 255, 255, 255], [255, 0, 0, 255], [10, 10, 10, 0])
    const { out, changed, total } = pixelDiff(a, b)
    expect(total).toBe(3)
    expect(changed).toBe(2)
    expect([...out.slice(4, 8)]).toEqual([255, 0, 200, 255])
    // an unchanged white pixel stays light
    expect(out[0]).toBeGreaterThan(200)
  })
  it('refuses images of different sizes', () => {
    expect(() => pixelDiff(new Uint8ClampedArray(4), new Uint8ClampedArray(8))).toThrow(/size/)
  })
})

describe('median', () => {
  it('of odd, even and empty lists', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBe(0)
  })
})
