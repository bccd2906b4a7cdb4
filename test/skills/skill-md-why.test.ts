/**
 * A SKILL.md read back keeps a rule and its why apart: "Rule. Why. (runs ...)" as the rendering writes
 * it is a rule and its why again, so a deepen of a pasted or earlier SKILL.md does not make the why part
 * of the rule's text. A one-sentence rule, an abbreviation or a file name is not split.
 */
import { describe, expect, it } from 'vitest'
import { renderSkillMd } from '../../src/shared/skill-md'
import { parseSkillMd, skillProblems, splitWhy } from '../../src/shared/skill-md-read'
import { testRule } from '../support/builders'

const skill = {
  frontMatter: { name: 'landing-page', description: 'Builds landing pages. Use when asked for one.' },
  title: 'Landing page',
  whenToUse: 'When the user asks for a one-page marketing site.',
  rules: [
    testRule({
      id: 'a',
      text: 'One hero section, one CTA',
      why: 'Pages with two CTAs above the fold had lower click-through.',
      evidence: [2, 7, 9, 14, 15, 16, 17, 18]
    }),
    testRule({ id: 'b', text: 'Run the build before finishing', evidence: [1, 2, 3, 4, 5, 6, 7, 8] }),
    testRule({
      id: 'c',
      text: 'Use at most three cards per row!',
      why: 'Runs 4 and 6 wrapped a fourth card onto its own line. The person called it cluttered.',
      evidence: [4, 5, 6, 7],
      tier: 'guidance'
    }),
    testRule({
      id: 'd',
      text: 'Keep index.html under 200 lines',
      why: 'Long files, e.g. run 3, were cut off.',
      evidence: [3, 9, 10, 11],
      tier: 'guidance',
      earlier: [{ batchId: 'b0', runs: [2, 5] }]
    })
  ]
}

describe('a rule and its why, read back', () => {
  it('round-trips: render, then parse, gives each rule its text and its why, with its citations', () => {
    const parsed = parseSkillMd(renderSkillMd(skill))
    expect(parsed.rules).toEqual([
      {
        text: 'One hero section, one CTA',
        why: 'Pages with two CTAs above the fold had lower click-through.',
        tier: 'core',
        evidence: [2, 7, 9, 14, 15, 16, 17, 18]
      },
      { text: 'Run the build before finishing', tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 8] },
      {
        text: 'Use at most three cards per row!',
        why: 'Runs 4 and 6 wrapped a fourth card onto its own line. The person called it cluttered.',
        tier: 'guidance',
        evidence: [4, 5, 6, 7]
      },
      {
        text: 'Keep index.html under 200 lines',
        why: 'Long files, e.g. run 3, were cut off.',
        tier: 'guidance',
        evidence: [3, 9, 10, 11],
        earlier: [[2, 5]]
      }
    ])
    // and rendered again from what was read, the same file
    const again = {
      ...skill,
      rules: parsed.rules
        .map((r, i) => testRule({ id: `p${i}`, text: r.text, why: r.why, evidence: r.evidence, tier: r.tier }))
        .map((r, i) => ({
          ...r,
          ...(parsed.rules[i].earlier ? { earlier: parsed.rules[i].earlier!.map((runs) => ({ batchId: 'b0', runs })) } : {})
        }))
    }
    expect(renderSkillMd(again)).toBe(renderSkillMd(skill))
  })

  it('reads the seed’s own example as a rule and its why', () => {
    const md =
      '# Landing\n\n## Core rules\n\n1. One hero section, one CTA. Pages with two CTAs above the fold had lower click-through. (runs 2, 7, 9, 14, 18)\n'
    expect(parseSkillMd(md).rules).toEqual([
      {
        text: 'One hero section, one CTA',
        why: 'Pages with two CTAs above the fold had lower click-through.',
        tier: 'core',
        evidence: [2, 7, 9, 14, 18]
      }
    ])
  })

  it('does not split one sentence, an abbreviation, a file name or a numbered start', () => {
    expect(splitWhy('Write index.html first.')).toEqual({ text: 'Write index.html first.' })
    expect(splitWhy('Use a formatter, e.g. Prettier, on every file')).toEqual({ text: 'Use a formatter, e.g. Prettier, on every file' })
    expect(splitWhy('Pin the version to v1.2 before upgrading')).toEqual({ text: 'Pin the version to v1.2 before upgrading' })
    expect(splitWhy('1. Looks like a list but is text')).toEqual({ text: '1. Looks like a list but is text' })
    expect(splitWhy('Stop. Then check')).toEqual({ text: 'Stop. Then check' })
    expect(splitWhy('Check the build first. `npm test` failed in run 3.')).toEqual({
      text: 'Check the build first',
      why: '`npm test` failed in run 3.'
    })
  })

  it('checks a document whose rule text has two sentences as one rule', () => {
    const two = {
      ...skill,
      rules: [
        testRule({ id: 'x', text: 'Check the build. Then deploy the page', evidence: [1, 2, 3, 4, 5, 6, 7, 8] }),
        testRule({ id: 'y', text: 'Check the build. Then lint every stylesheet', evidence: [1, 2, 3, 4, 5, 6, 7, 9] })
      ]
    }
    expect(skillProblems(two)).toEqual([])
  })
})
