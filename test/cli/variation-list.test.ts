/**
 * The numbered list `variations` writes and `run --variations` reads: a near miss keeps its
 * `[near-miss]` tag both ways, so a list written, edited and read back loses no mark.
 */
import { describe, expect, it } from 'vitest'
import { variationList } from '../../src/main/cli/variations'
import { parseNumberedList } from '../../src/shared/runs'

describe('a variations list', () => {
  it('writes near misses with their tag and reads them back the same', () => {
    const items = [
      { difficulty: 'easy' as const, prompt: 'landing page for a bakery pls' },
      { difficulty: 'normal' as const, prompt: 'fix the typo in the landing page README', nearMiss: true },
      { difficulty: 'hard' as const, prompt: 'Landing page for Acme Bank\nno JS, in site/index.html' }
    ]
    const { text, flattened } = variationList(items)
    expect(text.split('\n')[1]).toBe('2. [normal] [near-miss] fix the typo in the landing page README')
    expect(flattened).toEqual([])
    const back = parseNumberedList(text)
    expect(back.errors).toEqual([])
    expect(back.items).toEqual([items[0], { ...items[1], nearMiss: true }, items[2]])
  })
})
