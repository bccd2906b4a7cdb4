/**
 * The exported folder as a whole (issue 20): SKILL.md with its rules' whys and examples, each topic's
 * reference file linked from it with when to read it, the included script with its run bit and the rule
 * that says when to run it; the front matter valid and the body within its budget. A script the person
 * did not include is not written, and SKILL.md does not point at it.
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSkillService } from '../../src/main/skills/service'
import { openStore } from '../../src/main/store/store'
import { parseSkillMd } from '../../src/shared/skill-md-read'
import { skillBody, validateFrontMatter, withinBudget } from '../../src/shared/skill-md'
import type { RuleScript, SkillRule } from '../../src/shared/skills'
import { testRule, testSkill } from '../support/builders'

const CHECK = '#!/bin/sh\n# every href of the page points at a file that is there\ngrep -o \'href="[^"]*"\' index.html\n'
const script = (over: Partial<RuleScript> = {}): RuleScript => ({
  name: 'check-links.sh',
  content: CHECK,
  runs: [1, 5],
  include: true,
  ...over
})

const rules: SkillRule[] = [
  testRule({
    id: 'r1',
    text: 'One hero section, one call to action',
    why: 'Pages with two calls to action above the fold were graded cluttered.',
    example: { wrong: '<a class="cta">Buy</a><a class="cta">Try</a>', right: '<a class="cta">Buy</a>', runs: [2, 7] },
    evidence: [1, 2, 5, 7, 9, 11, 14, 18]
  }),
  testRule({
    id: 'r2',
    text: 'Before reporting, check that every link points at a file that is there',
    tier: 'guidance',
    guard: true,
    evidence: [1, 5, 9, 13],
    script: script()
  }),
  testRule({
    id: 'r3',
    text: 'Keep the page under 200 lines',
    tier: 'guidance',
    evidence: [3, 4, 6, 8],
    script: script({ name: 'count-lines.sh', include: false })
  }),
  testRule({ id: 'r4', text: 'Label every input', tier: 'edge-case', evidence: [3, 12], topic: 'forms' }),
  testRule({ id: 'r5', text: 'Inline the critical CSS', tier: 'edge-case', evidence: [4, 6], topic: 'slow-network' })
]
const topics = [
  { name: 'forms', title: 'Forms', when: 'the page has a form' },
  { name: 'slow-network', title: 'Slow networks', when: 'assets come from a CDN' }
]

describe('the exported skill folder', () => {
  it('holds SKILL.md, every topic file it links with when, and the included script with its run bit', async () => {
    const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-folder-store-')))
    const skills = createSkillService({ store })
    const skill = testSkill({
      frontMatter: { name: 'landing-page', description: 'Builds landing pages. Use for one-page sites.' },
      rules,
      topics
    })
    await skills.saveVersion(skill, 'made')
    const folder = await mkdtemp(join(tmpdir(), 't2s-folder-'))
    await skills.export(skill.id, folder, { acceptFlagged: true })

    const root = join(folder, '.claude/skills/landing-page')
    expect((await readdir(root)).sort()).toEqual(['SKILL.md', 'references', 'scripts'])
    expect((await readdir(join(root, 'references'))).sort()).toEqual(['forms.md', 'slow-network.md'])
    expect(await readdir(join(root, 'scripts'))).toEqual(['check-links.sh'])
    expect(await readFile(join(root, 'scripts/check-links.sh'), 'utf8')).toBe(CHECK)
    expect((await stat(join(root, 'scripts/check-links.sh'))).mode & 0o777).toBe(0o755)

    const md = await readFile(join(root, 'SKILL.md'), 'utf8')
    const parsed = parseSkillMd(md)
    expect(validateFrontMatter({ name: parsed.frontMatter.name!, description: parsed.frontMatter.description! }, 'landing-page')).toEqual(
      []
    )
    expect(withinBudget(md)).toBe(true)
    expect(skillBody(md).split('\n').length).toBeLessThan(500)
    // the why in the rule's paragraph, the example from the runs under it
    expect(md).toContain(
      '1. One hero section, one call to action. Pages with two calls to action above the fold were graded cluttered. (runs 1, 2, 5, 7, 9, 11, 14, 18)'
    )
    expect(md).toMatch(/Example \(runs 2, 7\)\. Instead of:\n\s+```\n\s+<a class="cta">Buy<\/a><a class="cta">Try<\/a>/)
    // the rule that says when to run the script; none for the one left out
    expect(md).toMatch(/Before reporting, check that every link points at a file that is there.*Run `scripts\/check-links\.sh`\./)
    expect(md).not.toContain('count-lines.sh')
    // each reference file linked with when to read it, and holding its rules
    expect(md).toContain('Read [references/forms.md](references/forms.md) when the page has a form.')
    expect(md).toContain('Read [references/slow-network.md](references/slow-network.md) when assets come from a CDN.')
    expect(await readFile(join(root, 'references/forms.md'), 'utf8')).toContain('- Label every input (runs 3, 12)')
    expect(await readFile(join(root, 'references/slow-network.md'), 'utf8')).toContain('- Inline the critical CSS (runs 4, 6)')
    await store.close?.()
  })
})
