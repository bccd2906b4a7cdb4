/** Rules shown while an analyst's answer still streams: the complete items of the JSON so far. */
import { describe, expect, it } from 'vitest'
import { completeItems, draftRules } from '../../src/main/analysts/partial'

describe('draft rules from a streaming answer', () => {
  const full = JSON.stringify({
    rules: [
      { rule: 'Run the build {first}', evidence: [1, 2], reason: 'a "quoted" ] bracket' },
      { rule: 'Read back files', evidence: [3], pointers: [{ run: 3, line: 4 }] }
    ]
  })

  it('yields each item once it is complete, never a half-written one', () => {
    const seen: number[] = []
    for (let n = 0; n <= full.length; n++) seen.push(completeItems(full.slice(0, n)).length)
    const first = full.indexOf('},{') + 1
    expect(seen[first - 1]).toBe(0)
    expect(seen[first]).toBe(1)
    expect(seen[full.length - 3]).toBe(1)
    expect(seen[full.length - 2]).toBe(2)
    expect(seen.every((x, i) => i === 0 || x >= seen[i - 1])).toBe(true)
    expect(draftRules(full)).toEqual([
      { rule: 'Run the build {first}', evidence: [1, 2] },
      { rule: 'Read back files', evidence: [3] }
    ])
  })

  it('ignores what does not look like a rule', () => {
    expect(draftRules('{"rules": [{"evidence": [1]}, {"rule": "  "}, {"rule": "Ok", "evidence": ["x", 2]}, {"rule": "Half')).toEqual([
      { rule: 'Ok', evidence: [2] }
    ])
    expect(draftRules('')).toEqual([])
    expect(draftRules('not json')).toEqual([])
  })
})
