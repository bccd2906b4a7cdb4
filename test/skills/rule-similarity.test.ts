/**
 * The deterministic near-duplicate check of rules (src/shared/rule-similarity.ts): the same rule in
 * nearly the same words is caught, citations and little words do not count, and rules about different
 * things are told apart, at the documented threshold.
 */
import { describe, expect, it } from 'vitest'
import { NEAR_DUPLICATE, nearDuplicate, nearDuplicatePairs, ruleSimilarity, ruleWords } from '../../src/shared/rule-similarity'

describe('near-duplicate rules', () => {
  it('compares content words: case, punctuation, little words, plurals and run citations do not count', () => {
    expect([...ruleWords('Keep the page to THREE cards. (runs 2, 7, 9)')]).toEqual(['keep', 'page', 'three', 'card'])
    expect(ruleSimilarity('Keep the page to three cards (runs 1, 2)', 'keep page to three card (run 5)')).toBe(1)
  })

  it('the same rule in nearly the same words is a near-duplicate', () => {
    // a word changed among five: 4 shared of 6 is under the threshold, but one says all the other says
    expect(nearDuplicate('Run the build before you finish', 'Always run the build before finishing')).toBe(true)
    expect(nearDuplicate('One hero section with one call to action', 'Use one hero section and one call to action')).toBe(true)
    expect(nearDuplicate('Keep the page to three cards', 'Limit the landing page to three cards')).toBe(false)
    expect(
      ruleSimilarity('Check the page renders before finishing', 'Check that the page renders before you finish')
    ).toBeGreaterThanOrEqual(NEAR_DUPLICATE)
  })

  it('rules about different things are not', () => {
    expect(nearDuplicate('Run the build before finishing', 'Run the tests before finishing')).toBe(false)
    expect(nearDuplicate('Use semantic HTML landmarks', 'Inline all CSS in one style element')).toBe(false)
    // a short rule inside a long one needs three words of its own
    expect(nearDuplicate('Run tests', 'Run the tests after each change to the build script')).toBe(false)
  })

  it('lists every pair of near-duplicates in a rule list', () => {
    const rules = [
      'Run the build before finishing',
      'Use semantic HTML landmarks',
      'Always run the build before you finish',
      'Use semantic landmarks in the HTML'
    ]
    expect(nearDuplicatePairs(rules)).toEqual([
      [0, 2],
      [1, 3]
    ])
    expect(nearDuplicatePairs([])).toEqual([])
  })
})
