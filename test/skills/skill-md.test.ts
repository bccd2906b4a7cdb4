/**
 * SKILL.md: front-matter rules, the rendered layout, run citations, reading it back.
 */
import { describe, expect, it } from 'vitest'
import {
  BODY_MAX_LINES,
  BODY_MAX_TOKENS,
  citation,
  estimateTokens,
  parseCitations,
  renderEdgeCasesMd,
  renderSkillMd,
  skillBody,
  slugifyName,
  validateFrontMatter,
  withinBudget
} from '../../src/shared/skill-md'
import { parseSkillMd, skillProblems } from '../../src/shared/skill-md-read'
import type { SkillRule, Tier } from '../../src/shared/skills'

let n = 0
function rule(text: string, tier: Tier, evidence: number[], o: Partial<SkillRule> = {}): SkillRule {
  return {
    id: `r${++n}`,
    text,
    evidence,
    priority: 'medium',
    tier,
    sources: [],
    analysts: [],
    reasons: [],
    pointers: [],
    guard: false,
    existing: false,
    pinnedTier: false,
    ...o
  }
}

describe('validateFrontMatter', () => {
  const ok = { name: 'landing-page', description: 'Builds landing pages. Use when asked for a landing page.' }

  it('accepts a valid front matter, at the length limits too', () => {
    expect(validateFrontMatter(ok)).toEqual([])
    expect(validateFrontMatter(ok, 'landing-page')).toEqual([])
    expect(validateFrontMatter({ name: 'a'.repeat(64), description: 'd'.repeat(1024) })).toEqual([])
    expect(validateFrontMatter({ name: 'a1-b2', description: 'x' })).toEqual([])
  })

  it('checks each rule of the name', () => {
    expect(validateFrontMatter({ ...ok, name: '' })).toEqual(['name: is required'])
    expect(validateFrontMatter({ ...ok, name: 'a'.repeat(65) })).toEqual(['name: use at most 64 characters (it has 65)'])
    expect(validateFrontMatter({ ...ok, name: 'Landing-page' })).toEqual(['name: use only lowercase letters, digits and hyphens'])
    expect(validateFrontMatter({ ...ok, name: 'landing_page' })).toEqual(['name: use only lowercase letters, digits and hyphens'])
    expect(validateFrontMatter({ ...ok, name: 'landing page' })).toEqual(['name: use only lowercase letters, digits and hyphens'])
    expect(validateFrontMatter({ ...ok, name: 'café' })).toEqual(['name: use only lowercase letters, digits and hyphens'])
    expect(validateFrontMatter({ ...ok, name: '-landing' })).toEqual(['name: must not start or end with a hyphen'])
    expect(validateFrontMatter({ ...ok, name: 'landing-' })).toEqual(['name: must not start or end with a hyphen'])
    expect(validateFrontMatter({ ...ok, name: 'landing--page' })).toEqual(['name: must not contain two hyphens in a row ("--")'])
    expect(validateFrontMatter(ok, 'other-folder')).toEqual(['name: must equal the folder name "other-folder"'])
  })

  it('checks each rule of the description', () => {
    expect(validateFrontMatter({ ...ok, description: '' })).toEqual(['description: is required'])
    expect(validateFrontMatter({ ...ok, description: ' \n\t ' })).toEqual(['description: must not be only whitespace'])
    expect(validateFrontMatter({ ...ok, description: 'd'.repeat(1025) })).toEqual([
      'description: use at most 1024 characters (it has 1025)'
    ])
    expect(validateFrontMatter({ ...ok, description: 'Use <div> tags' })).toEqual(['description: must not contain angle brackets (< or >)'])
    expect(validateFrontMatter({ ...ok, description: 'a > b' })).toEqual(['description: must not contain angle brackets (< or >)'])
  })

  it('reports every problem at once', () => {
    expect(validateFrontMatter({ name: '-Bad--Name', description: '<x>' }, 'bad-name')).toEqual([
      'name: use only lowercase letters, digits and hyphens',
      'name: must not start or end with a hyphen',
      'name: must not contain two hyphens in a row ("--")',
      'name: must equal the folder name "bad-name"',
      'description: must not contain angle brackets (< or >)'
    ])
  })
})

describe('citations', () => {
  it('formats one run and several runs, sorted and each once', () => {
    expect(citation([3])).toBe('(run 3)')
    expect(citation([11, 3, 6, 3])).toBe('(runs 3, 6, 11)')
    expect(citation([])).toBe('')
  })

  it('finds citations with their positions and expands ranges', () => {
    const text = 'Build first (run 3). Then check (runs 3, 6, 11) and (runs 3-5) or (Runs 1, 8-10, 2).'
    const found = parseCitations(text)
    expect(found).toEqual([
      { start: 12, end: 19, runs: [3] },
      { start: 32, end: 47, runs: [3, 6, 11] },
      { start: 52, end: 62, runs: [3, 4, 5] },
      { start: 66, end: 83, runs: [1, 2, 8, 9, 10] }
    ])
    expect(found.map((c) => text.slice(c.start, c.end))).toEqual(['(run 3)', '(runs 3, 6, 11)', '(runs 3-5)', '(Runs 1, 8-10, 2)'])
  })

  it('ignores things that are not citations', () => {
    expect(parseCitations('(run fast) (runs) (3, 4) (runs 5-2) (runs 1-5000) run 3')).toEqual([])
  })
})

describe('renderSkillMd', () => {
  const skill = {
    frontMatter: { name: 'landing-page', description: 'Builds a "landing page": one file, no frameworks.\nUse it for pages.' },
    title: 'Landing page',
    whenToUse: 'When the user asks for a one-page marketing site.',
    rules: [
      rule('Run the build before reporting success', 'core', [1, 2, 3, 4, 5, 6, 7, 9]),
      rule('Before writing CSS, check the viewport meta tag', 'core', [2, 3, 4, 5, 6, 7, 8, 10], { guard: true }),
      rule('Use at most three cards\nper row', 'guidance', [4, 5, 6, 7]),
      rule('Keep the hero text short', 'guidance', [], { existing: true }),
      rule('If the image fails to load, use a solid colour', 'guidance', [3, 8, 12, 15], { guard: true }),
      rule('Handle an empty product list', 'edge-case', [11, 14]),
      rule('Mention the weather', 'discarded', [2])
    ]
  }

  it('lays out front matter, title, sections and the edge-case link', () => {
    expect(renderSkillMd(skill)).toBe(
      [
        '---',
        'name: landing-page',
        'description: "Builds a \\"landing page\\": one file, no frameworks.\\nUse it for pages."',
        '---',
        '',
        '# Landing page',
        '',
        '## When to use this skill',
        '',
        'When the user asks for a one-page marketing site.',
        '',
        '## Core rules',
        '',
        '1. Run the build before reporting success (runs 1, 2, 3, 4, 5, 6, 7, 9)',
        '2. Before writing CSS, check the viewport meta tag (runs 2, 3, 4, 5, 6, 7, 8, 10)',
        '',
        '## Patterns',
        '',
        '- Use at most three cards per row (runs 4, 5, 6, 7)',
        '- Keep the hero text short',
        '',
        '## Failure modes',
        '',
        '- If the image fails to load, use a solid colour (runs 3, 8, 12, 15)',
        '',
        'See [edge cases](references/edge-cases.md) for rarer situations.',
        ''
      ].join('\n')
    )
  })

  it('omits empty sections and the link when there are no edge cases', () => {
    const md = renderSkillMd({
      ...skill,
      whenToUse: '  ',
      rules: [rule('Only rule', 'core', [1, 2, 3, 4, 5, 6, 7, 8]), rule('Gone', 'discarded', [1])]
    })
    expect(md).toBe(
      [
        '---',
        'name: landing-page',
        `description: ${JSON.stringify(skill.frontMatter.description)}`,
        '---',
        '',
        '# Landing page',
        '',
        '## Core rules',
        '',
        '1. Only rule (runs 1, 2, 3, 4, 5, 6, 7, 8)',
        ''
      ].join('\n')
    )
  })

  it('renders edge-cases.md', () => {
    expect(renderEdgeCasesMd(skill)).toBe(['# Landing page: edge cases', '', '- Handle an empty product list (runs 11, 14)', ''].join('\n'))
    expect(renderEdgeCasesMd({ ...skill, rules: [rule('Odd one', 'edge-case', [5])] })).toBe(
      '# Landing page: edge cases\n\n- Odd one (run 5)\n'
    )
  })

  it('reads its own output back', () => {
    const parsed = parseSkillMd(renderSkillMd(skill))
    expect(parsed).toEqual({
      frontMatter: skill.frontMatter,
      title: 'Landing page',
      whenToUse: 'When the user asks for a one-page marketing site.',
      rules: [
        { text: 'Run the build before reporting success', tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 9] },
        { text: 'Before writing CSS, check the viewport meta tag', tier: 'core', evidence: [2, 3, 4, 5, 6, 7, 8, 10] },
        { text: 'Use at most three cards per row', tier: 'guidance', evidence: [4, 5, 6, 7] },
        { text: 'Keep the hero text short', tier: 'guidance', evidence: [] },
        { text: 'If the image fails to load, use a solid colour', tier: 'guidance', evidence: [3, 8, 12, 15] }
      ]
    })
  })

  it('round-trips awkward front matter and rule text', () => {
    const s = {
      frontMatter: { name: 'x-1', description: "it's: #1 \\ 'quoted' \"double\" \u2028 end" },
      title: 'Title: with # and *stars*',
      whenToUse: 'Any time - really: (runs 1, 2) is not a rule here.',
      rules: [
        rule('1. Looks like a list (run 4) but is text', 'core', [1, 2, 3, 4, 5, 6, 7, 8]),
        rule('- dash first', 'guidance', [9, 10, 11, 12])
      ]
    }
    const md = renderSkillMd(s)
    expect(md).toContain('description: "it\'s: #1 \\\\ \'quoted\' \\"double\\" \\u2028 end"')
    const parsed = parseSkillMd(md)
    expect(parsed.frontMatter).toEqual(s.frontMatter)
    expect(parsed.title).toBe(s.title)
    expect(parsed.whenToUse).toBe(s.whenToUse)
    expect(parsed.rules).toEqual([
      { text: '1. Looks like a list (run 4) but is text', tier: 'core', evidence: [1, 2, 3, 4, 5, 6, 7, 8] },
      { text: '- dash first', tier: 'guidance', evidence: [9, 10, 11, 12] }
    ])
  })
})

describe('parseSkillMd on a hand-written file', () => {
  it('reads items under any heading as guidance, and tolerates missing front matter', () => {
    const md = [
      '# Deploying the site',
      '',
      'Some intro text that is not a rule.',
      '',
      '## When to use',
      'When the user says "ship it".',
      'Or asks to deploy.',
      '',
      '## Core rules',
      '',
      '1. Run the tests first (runs 2-4, 9)',
      '2) Never push on Friday',
      '',
      '## Tips',
      '',
      '* Tag the release',
      '  with the version number.',
      '+ Write the changelog',
      '',
      '### Sub-heading inside tips',
      '- Check the CDN cache',
      '',
      '```bash',
      '- not a rule, just code',
      '```',
      '',
      '## Edge cases:',
      '- Rollback when the health check fails (run 7).'
    ].join('\r\n')
    expect(parseSkillMd(md)).toEqual({
      frontMatter: {},
      title: 'Deploying the site',
      whenToUse: 'When the user says "ship it". Or asks to deploy.',
      rules: [
        { text: 'Run the tests first', tier: 'core', evidence: [2, 3, 4, 9] },
        { text: 'Never push on Friday', tier: 'core', evidence: [] },
        { text: 'Tag the release with the version number.', tier: 'guidance', evidence: [] },
        { text: 'Write the changelog', tier: 'guidance', evidence: [] },
        { text: 'Check the CDN cache', tier: 'guidance', evidence: [] },
        { text: 'Rollback when the health check fails', tier: 'edge-case', evidence: [7] }
      ]
    })
  })

  it('reads hand-written YAML front matter (plain, single-quoted and folded values)', () => {
    const md = [
      '---',
      'name: deploy',
      'description: >',
      '  Deploys the site.',
      '  Use when shipping.',
      'license: MIT',
      '---',
      '',
      '- A rule'
    ].join('\n')
    expect(parseSkillMd(md)).toEqual({
      frontMatter: { name: 'deploy', description: 'Deploys the site. Use when shipping.' },
      title: 'deploy',
      whenToUse: '',
      rules: [{ text: 'A rule', tier: 'guidance', evidence: [] }]
    })
    expect(parseSkillMd("---\nname: 'it''s'\ndescription: plain text # comment\n---\n# T\n").frontMatter).toEqual({
      name: "it's",
      description: 'plain text'
    })
  })
})

describe('slugifyName', () => {
  it('makes a valid name from any text', () => {
    expect(slugifyName('Landing page!')).toBe('landing-page')
    expect(slugifyName('  Café -- Déjà vu  ')).toBe('cafe-deja-vu')
    expect(slugifyName("Don't panic")).toBe('dont-panic')
    expect(slugifyName('!!!')).toBe('skill')
    expect(slugifyName('a'.repeat(63) + ' b')).toBe('a'.repeat(63))
    expect(slugifyName('x'.repeat(100))).toBe('x'.repeat(64))
    for (const s of ['Landing page!', '  Café -- Déjà vu  ', '!!!', 'a'.repeat(63) + ' b'])
      expect(validateFrontMatter({ name: slugifyName(s), description: 'd' })).toEqual([])
  })
})

describe('earlier citations (a deepened skill keeps what its rules cited)', () => {
  const deepened = {
    frontMatter: { name: 'landing-page', description: 'Builds landing pages.' },
    title: 'Landing page',
    whenToUse: '',
    rules: [
      rule('Write one index.html, then stop.', 'core', [12, 40, 41, 42, 43, 44, 45, 46], {
        existing: true,
        earlier: [{ batchId: 'A', runs: [3, 6] }]
      }),
      rule('Keep the hero short', 'guidance', [], { existing: true, earlier: [{ runs: [3] }, { batchId: 'B', runs: [1, 2] }] }),
      rule('Mind the footer', 'edge-case', [], { existing: true, earlier: [{ batchId: 'A', runs: [7, 9] }] })
    ]
  }

  it('renders them after the rule’s own runs, one group per earlier batch', () => {
    const md = renderSkillMd(deepened)
    expect(md).toContain('1. Write one index.html, then stop. (runs 12, 40, 41, 42, 43, 44, 45, 46) (earlier: runs 3, 6)\n')
    expect(md).toContain('- Keep the hero short (earlier: run 3; runs 1, 2)\n')
    expect(renderEdgeCasesMd(deepened)).toContain('- Mind the footer (earlier: runs 7, 9)\n')
  })

  it('reads them back', () => {
    const parsed = parseSkillMd(renderSkillMd(deepened))
    expect(parsed.rules).toEqual([
      { text: 'Write one index.html, then stop.', tier: 'core', evidence: [12, 40, 41, 42, 43, 44, 45, 46], earlier: [[3, 6]] },
      { text: 'Keep the hero short', tier: 'guidance', evidence: [], earlier: [[3], [1, 2]] }
    ])
  })
})

describe('skillProblems: the document checks itself', () => {
  const base = { frontMatter: { name: 'landing-page', description: 'Builds landing pages.' }, title: 'Landing page', whenToUse: '' }

  it('finds nothing wrong in a skill with one rule per meaning, each cited', () => {
    expect(
      skillProblems({
        ...base,
        rules: [rule('Write one index.html, then stop.', 'core', [1, 2, 3, 4, 5, 6, 7, 8]), rule('Mind the footer', 'edge-case', [1, 2])]
      })
    ).toEqual([])
  })

  it('names two rules with the same meaning, across SKILL.md and edge-cases.md', () => {
    expect(
      skillProblems({
        ...base,
        rules: [
          rule('Verify the written file exists before you finish.', 'core', [1, 2, 3, 4, 5, 6, 7, 8]),
          rule('Verify the written file', 'edge-case', [], { existing: true })
        ]
      })
    ).toEqual([
      'two rules say the same thing: "Verify the written file exists before you finish." (core) and "Verify the written file" (edge case)'
    ])
  })

  it('names a rule from the runs that cites none', () => {
    expect(skillProblems({ ...base, rules: [rule('Keep it short', 'guidance', [], { sources: ['a1'] })] })).toEqual([
      'the rule "Keep it short" cites no run'
    ])
    // a hand-written rule kept from a pasted SKILL.md never had any: nothing to say
    expect(skillProblems({ ...base, rules: [rule('Keep it short', 'guidance', [], { existing: true })] })).toEqual([])
  })
})

describe('a rule with its why and example', () => {
  const fm = { name: 'landing-page', description: 'Builds landing pages.' }
  const skillOf = (rules: SkillRule[]) => ({ frontMatter: fm, title: 'Landing pages', whenToUse: 'When asked.', rules })

  it('renders the why in the rule paragraph before its citations, and the example as a wrong/right pair under it', () => {
    const hero = rule('One hero section, one CTA', 'core', [2, 7, 9], {
      why: 'Pages with two CTAs above the fold had lower click-through',
      example: { wrong: '<a class="cta">Buy</a>\n<a class="cta">Try</a>', right: '<a class="cta">Buy</a>', runs: [2, 7] }
    })
    const quiet = rule('Keep the colours quiet', 'guidance', [1, 5, 6, 8], { example: { wrong: 'body{font-family:Impact}', runs: [6] } })
    const md = renderSkillMd(skillOf([hero, quiet]))
    expect(md).toContain(
      [
        '1. One hero section, one CTA. Pages with two CTAs above the fold had lower click-through. (runs 2, 7, 9)',
        '',
        '   Example (runs 2, 7). Instead of:',
        '   ```',
        '   <a class="cta">Buy</a>',
        '   <a class="cta">Try</a>',
        '   ```',
        '   write:',
        '   ```',
        '   <a class="cta">Buy</a>',
        '   ```'
      ].join('\n')
    )
    expect(md).toContain(
      ['- Keep the colours quiet (runs 1, 5, 6, 8)', '', '  Example (run 6). Avoid:', '  ```', '  body{font-family:Impact}', '  ```'].join(
        '\n'
      )
    )
    // read back: the examples are no rules, the citations are still the rules' own, and the document has no problem
    expect(parseSkillMd(md).rules.map((r) => [r.tier, r.evidence])).toEqual([
      ['core', [2, 7, 9]],
      ['guidance', [1, 5, 6, 8]]
    ])
    expect(skillProblems(skillOf([hero, quiet]))).toEqual([])
    // a snippet holding a ``` is fenced with ~~~
    const fenced = renderSkillMd(skillOf([rule('Close the code block', 'core', [1], { example: { right: '```js\nx()\n```', runs: [1] } })]))
    expect(fenced).toContain('   ~~~\n   ```js\n   x()\n   ```\n   ~~~')
  })

  it('the edge cases file has them too', () => {
    const md = renderEdgeCasesMd(skillOf([rule('Check the port first', 'edge-case', [3, 4], { why: 'Run 3 died on EADDRINUSE.' })]))
    expect(md).toContain('- Check the port first. Run 3 died on EADDRINUSE. (runs 3, 4)')
  })

  it('stays within the body budget: examples go first (from the bottom up), then the whys of guidance rules; core whys and citations stay', () => {
    const long = Array.from({ length: 5 }, (_, i) => `  <div class="card">Feature ${i + 1} ${'x'.repeat(60)}</div>`).join('\n')
    const withAll = (tier: Tier, i: number) =>
      rule(`Rule ${tier} number ${i} says a distinct thing ${'w'.repeat(i)}`, tier, [i + 1, i + 2], {
        why: `Because run ${i + 1} showed reason ${i} ${'y'.repeat(40)}`,
        example: { wrong: long, right: long.replace(/x/g, 'z'), runs: [i + 1] }
      })
    const rules = [
      ...Array.from({ length: 12 }, (_, i) => withAll('core', i)),
      ...Array.from({ length: 18 }, (_, i) => withAll('guidance', i + 20))
    ]
    const md = renderSkillMd(skillOf(rules))
    const body = skillBody(md)
    expect(withinBudget(md)).toBe(true)
    expect(body.split('\n').length).toBeLessThanOrEqual(BODY_MAX_LINES)
    expect(estimateTokens(body)).toBeLessThanOrEqual(BODY_MAX_TOKENS)
    // unbudgeted it would be over (the test means something)
    expect(withinBudget(renderWithoutBudget(rules))).toBe(false)
    // every rule and its citations are there; the first core rule keeps its example, the last guidance rule lost its own
    for (const r of rules) expect(md).toContain(`(runs ${r.evidence.join(', ')})`)
    expect(md).toContain(`Because run 1 showed reason 0`)
    const examples = (md.match(/Instead of:/g) ?? []).length
    expect(examples).toBeGreaterThan(0)
    expect(examples).toBeLessThan(rules.length)
    expect(md.indexOf('Instead of:')).toBeLessThan(md.indexOf('## Patterns'))
    // examples leave before any why: with examples left, every why is there
    for (const r of rules) expect(md).toContain(r.why!.slice(0, 30))
    // a budget so tight that examples are not enough: guidance whys go from the last up, core whys stay
    const many = [
      ...Array.from({ length: 12 }, (_, i) => withAll('core', i)),
      ...Array.from({ length: 60 }, (_, i) =>
        rule(`Guidance rule ${i} ${'g'.repeat(150)}`, 'guidance', [i + 1, i + 2], { why: `Guidance reason ${i} ${'h'.repeat(150)}` })
      )
    ]
    const tight = renderSkillMd(skillOf(many))
    expect(withinBudget(tight)).toBe(true)
    expect(tight).not.toContain('Instead of:')
    expect(tight).toContain('Guidance reason 0 ')
    expect(tight).not.toContain('Guidance reason 59 ')
    for (const r of many.filter((x) => x.tier === 'core')) expect(tight).toContain(r.why!)
  })
})

/** The SKILL.md with every why and example, as if there were no budget (its parts, put together by hand). */
function renderWithoutBudget(rules: SkillRule[]): string {
  const plain = renderSkillMd(
    { frontMatter: { name: 'landing-page', description: 'x' }, title: 'T', whenToUse: 'w', rules },
    { plain: true }
  )
  const extra = rules.map((r) => `${r.why}\n${r.example?.wrong}\n${r.example?.right}`).join('\n')
  return `${plain}\n${extra}`
}
