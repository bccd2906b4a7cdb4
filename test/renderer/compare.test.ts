import { describe, expect, it } from 'vitest'
import { alignSequences, diffStat, median, pixelDiff } from '../../src/renderer/src/lib/compare'

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
  /** A white page of w x h, RGBA. */
  const page = (w: number, h: number) => new Uint8ClampedArray(w * h * 4).fill(255)
  const rect = (img: Uint8ClampedArray, w: number, x0: number, y0: number, rw: number, rh: number, [r, g, b]: number[]) => {
    for (let y = y0; y < y0 + rh; y++)
      for (let x = x0; x < x0 + rw; x++) {
        const p = (y * w + x) * 4
        img[p] = r
        img[p + 1] = g
        img[p + 2] = b
        img[p + 3] = 255
      }
  }
  const magenta = (out: Uint8ClampedArray, w: number, x: number, y: number) => [...out.slice((y * w + x) * 4, (y * w + x) * 4 + 4)]

  it('sees #eee grey cards on a white page, and boxes each one', () => {
    // A: a white page with one blue button; B: the same button above nine #eee cards in a 3 x 3 grid
    const w = 400
    const h = 500
    const a = page(w, h)
    const b = page(w, h)
    for (const img of [a, b]) rect(img, w, 20, 20, 80, 30, [43, 89, 195])
    const cards: [number, number][] = []
    for (let row = 0; row < 3; row++)
      for (let col = 0; col < 3; col++) {
        const at: [number, number] = [20 + col * 125, 80 + row * 135]
        cards.push(at)
        rect(b, w, at[0], at[1], 110, 120, [0xee, 0xee, 0xee])
      }
    const { out, changed, total, regions } = pixelDiff(a, b, w, h)
    expect(total).toBe(w * h)
    // every pixel of every card differs: 9 x 110 x 120
    expect(changed).toBe(9 * 110 * 120)
    expect(changed / total).toBeGreaterThan(0.5)
    // one box per card, around it exactly, and none around the button both pages share
    expect(regions).toHaveLength(9)
    const sorted = [...regions].sort((p, q) => p.y - q.y || p.x - q.x)
    expect(sorted).toEqual(cards.map(([x, y]) => ({ x, y, width: 110, height: 120 })))
    // the changed pixels are drawn in magenta; the button is faded, not marked
    expect(magenta(out, w, 75, 140)).toEqual([255, 0, 200, 255])
    expect(magenta(out, w, 30, 30)).not.toEqual([255, 0, 200, 255])
  })

  it('ignores differences too small to see, and an anti-aliased edge drawn a shade different', () => {
    const w = 60
    const h = 40
    const a = page(w, h)
    const b = page(w, h)
    // a barely different white (250 in red)
    rect(b, w, 0, 0, 10, 10, [250, 255, 255])
    // the same dark bar, its anti-aliased left edge a lighter grey in A than in B (as two renderers draw it)
    for (const [img, edge] of [
      [a, 150],
      [b, 100]
    ] as const) {
      rect(img, w, 30, 10, 1, 20, [edge, edge, edge])
      rect(img, w, 31, 10, 10, 20, [0, 0, 0])
    }
    const { changed, regions } = pixelDiff(a, b, w, h)
    expect(changed).toBe(0)
    expect(regions).toEqual([])
  })

  it('finds nothing in identical pages', () => {
    const a = page(20, 20)
    expect(pixelDiff(a, a.slice(), 20, 20)).toMatchObject({ changed: 0, regions: [] })
  })

  it('refuses images of different sizes', () => {
    expect(() => pixelDiff(new Uint8ClampedArray(4), new Uint8ClampedArray(8), 1, 1)).toThrow(/size/)
  })
})

describe('median', () => {
  it('of odd, even and empty lists', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBe(0)
  })
})

describe('the line above the difference view', () => {
  it('counts regions and never rounds a difference to nothing', () => {
    expect(diffStat({ changed: 118_800, total: 200_000, regions: 9, heights: [500, 500] })).toBe(
      '9 changed regions (boxed) · 59.4% of the pixels differ'
    )
    expect(diffStat({ changed: 12, total: 1_000_000, regions: 1, heights: [800, 900] })).toBe(
      '1 changed region (boxed) · under 0.1% of the pixels differ (pages are 800 and 900 px tall)'
    )
    expect(diffStat({ changed: 0, total: 100, regions: 0, heights: [10, 10] })).toBe('No visible difference')
  })
})
