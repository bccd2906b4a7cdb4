/** The optimiser's 60/40 split, stratified by should / should-not, with a fixed seed. */
import { describe, expect, it } from 'vitest'
import { heldOutOf, splitQueries, SPLIT_SEED } from '../../src/main/triggers/split'

const q = (id: string, should: boolean) => ({ id, should })
const set = (should: number, not: number) => [
  ...Array.from({ length: should }, (_, i) => q(`s${i}`, true)),
  ...Array.from({ length: not }, (_, i) => q(`n${i}`, false))
]
const ids = (l: { id: string }[]) => l.map((x) => x.id)

describe('splitQueries', () => {
  it('gives the same split for the same seed, whatever order the set is in', () => {
    const a = splitQueries(set(20, 10))
    const b = splitQueries([...set(20, 10)].reverse())
    expect(ids(b.test).sort()).toEqual(ids(a.test).sort())
    expect(ids(splitQueries(set(20, 10), SPLIT_SEED).test)).toEqual(ids(a.test))
  })

  it('gives another split for another seed', () => {
    const seeds = [1, 2, 3, 4].map((s) => ids(splitQueries(set(20, 10), s).test).join())
    expect(new Set(seeds).size).toBeGreaterThan(1)
  })

  it('holds out 40% of each kind, rounded', () => {
    const s = splitQueries(set(20, 10))
    expect(s.test.filter((x) => x.should)).toHaveLength(8)
    expect(s.test.filter((x) => !x.should)).toHaveLength(4)
    expect(s.train.filter((x) => x.should)).toHaveLength(12)
    expect(s.train.filter((x) => !x.should)).toHaveLength(6)
    const t = splitQueries(set(7, 3))
    expect(t.test.filter((x) => x.should)).toHaveLength(3)
    expect(t.test.filter((x) => !x.should)).toHaveLength(1)
  })

  it('holds out at least one of each kind once there are two, and never all of one', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(heldOutOf)).toEqual([0, 0, 1, 1, 2, 2, 4])
    const s = splitQueries(set(2, 2))
    expect(s.test.map((x) => x.should).sort()).toEqual([false, true])
    expect(s.train.map((x) => x.should).sort()).toEqual([false, true])
    const one = splitQueries(set(3, 1))
    expect(one.test.every((x) => x.should)).toBe(true)
    expect(one.train.filter((x) => !x.should)).toHaveLength(1)
  })

  it('puts every query on exactly one side, in the set order', () => {
    const all = set(9, 6)
    const s = splitQueries(all)
    expect([...ids(s.train), ...ids(s.test)].sort()).toEqual(ids(all).sort())
    expect(ids(s.train)).toEqual(ids(all).filter((id) => ids(s.train).includes(id)))
    expect(ids(s.test)).toEqual(ids(all).filter((id) => ids(s.test).includes(id)))
  })
})
