/**
 * References by topic: the edge cases in one file per topic, each linked from SKILL.md with when to
 * read it; the merge's topics (safe names, at most 5, unknown ones to "edge-cases", a deepened skill's
 * kept); the export and the install writing each file; versions saved before topics still diffing and
 * installing their one edge-cases.md.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mergeRules } from '../../src/main/skills/rules/consolidate'
import { MergeAnswerSchema, sameAsExisting } from '../../src/main/skills/rules/schema'
import { mergePrompt } from '../../src/main/skills/rules/prompt'
import { skillFiles, writeExport } from '../../src/main/skills/export'
import { createSkillService } from '../../src/main/skills/service'
import { openStore } from '../../src/main/store/store'
import { filesOf } from '../../src/main/verify/install'
import { EDGE_CASES_LINK, renderEdgeCasesMd, renderReferenceFiles, renderSkillMd } from '../../src/shared/skill-md'
import { skillProblems } from '../../src/shared/skill-md-read'
import { addTopic, editTopic, moveToTopic, normalizeTopics, renameTopic, topicGroups } from '../../src/shared/skill-references'
import type { AnalystRule, Skill, SkillRule, SkillVersion, Tier } from '../../src/shared/skills'

let n = 0
const rule = (text: string, tier: Tier, evidence: number[], o: Partial<SkillRule> = {}): SkillRule => ({
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
})
const skillOf = (rules: SkillRule[], topics?: Skill['topics']): Skill => ({
  id: 's1',
  batchIds: ['b1'],
  frontMatter: { name: 'landing-page', description: 'Builds landing pages.' },
  title: 'Landing page',
  whenToUse: 'When asked for a landing page.',
  rules,
  conflicts: [],
  setAside: [],
  ...(topics ? { topics } : {}),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z'
})

const TOPICS = [
  { name: 'forms', title: 'Forms', when: 'the page has a form' },
  { name: 'slow-network', title: 'Slow networks', when: 'When assets load from a CDN.' },
  { name: 'print', title: 'Printing', when: 'the page must print' }
]
const topical = () =>
  skillOf(
    [
      rule('Run the build before finishing', 'core', [1, 2, 3, 4, 5, 6, 7, 8]),
      rule('Label every input', 'edge-case', [3, 4], { topic: 'forms' }),
      rule('Validate the email field on blur', 'edge-case', [5, 6], { topic: 'forms' }),
      rule('Inline the critical CSS', 'edge-case', [7, 9], { topic: 'slow-network' }),
      rule('Keep the footer short', 'edge-case', [2, 9], { topic: 'no-such-topic' }),
      rule('Mind the favicon', 'edge-case', [10, 11])
    ],
    TOPICS
  )

describe('rendering references by topic', () => {
  it('links each topic file that has edge cases from SKILL.md, with when to read it', () => {
    const md = renderSkillMd(topical())
    expect(md).toContain(
      [
        '## References',
        '',
        'Read [references/forms.md](references/forms.md) when the page has a form.',
        '',
        // "When ..." and its full stop are not doubled
        'Read [references/slow-network.md](references/slow-network.md) when assets load from a CDN.',
        '',
        // rules with an unknown topic or none: the fallback, last
        'Read [references/edge-cases.md](references/edge-cases.md) when a situation is rarer than the rules above cover.',
        ''
      ].join('\n')
    )
    // a topic with no edge case renders no link and no file
    expect(md).not.toContain('print')
    expect(md).not.toContain(EDGE_CASES_LINK)
  })

  it('renders one file per topic, with its rules as edge-cases.md has them', () => {
    const files = renderReferenceFiles(topical())
    expect(files.map((f) => f.name)).toEqual(['forms', 'slow-network', 'edge-cases'])
    expect(files[0].content).toBe(
      ['# Landing page: Forms', '', '- Label every input (runs 3, 4)', '- Validate the email field on blur (runs 5, 6)', ''].join('\n')
    )
    expect(files[1].content).toBe(['# Landing page: Slow networks', '', '- Inline the critical CSS (runs 7, 9)', ''].join('\n'))
    expect(files[2].content).toBe(
      ['# Landing page: edge cases', '', '- Keep the footer short (runs 2, 9)', '- Mind the favicon (runs 10, 11)', ''].join('\n')
    )
  })

  it('renders a skill without topics exactly as before: one edge-cases.md and its link', () => {
    const old = skillOf([
      rule('Run the build', 'core', [1, 2, 3, 4, 5, 6, 7, 8]),
      rule('Mind the favicon', 'edge-case', [10, 11], { topic: 'forms' })
    ])
    expect(renderSkillMd(old)).toContain(`${EDGE_CASES_LINK}\n`)
    expect(renderSkillMd(old)).not.toContain('## References')
    expect(renderReferenceFiles(old)).toEqual([{ name: 'edge-cases', content: renderEdgeCasesMd(old) }])
    // and an empty list of topics is no topics
    expect(renderSkillMd({ ...old, topics: [] })).toBe(renderSkillMd(old))
    // no edge cases: no file, no link
    const none = skillOf([rule('Run the build', 'core', [1, 2, 3, 4, 5, 6, 7, 8])], TOPICS)
    expect(renderReferenceFiles(none)).toEqual([])
    expect(renderSkillMd(none)).not.toMatch(/references\//)
  })

  it('makes topic names safe file names, whatever they were given as', () => {
    const topics = normalizeTopics([
      { name: '../x', title: 'X', when: 'x' },
      { name: 'Forms & Inputs', title: 'Forms', when: 'read this when there is a form' },
      { name: '', title: 'Slow Networks!', when: '' },
      { name: 'x', title: 'Another x', when: 'taken' },
      { name: '/', title: '', when: '' }
    ])
    expect(topics).toEqual([
      { name: 'x', title: 'X', when: 'x' },
      { name: 'forms-inputs', title: 'Forms', when: 'there is a form' },
      { name: 'slow-networks', title: 'Slow Networks!', when: '' }
    ])
    const s = skillOf([rule('Label every input', 'edge-case', [3, 4], { topic: '../x' })], [{ name: '../x', title: 'X', when: 'x' }])
    expect(renderReferenceFiles(s).map((f) => f.name)).toEqual(['x'])
    expect(renderSkillMd(s)).toContain('Read [references/x.md](references/x.md) when x.')
  })

  it('keeps the 30-rule cap and the budget as they are: topics change only the links', () => {
    const s = topical()
    const main = (md: string) => md.split('## References')[0]
    expect(main(renderSkillMd(s))).toBe(main(renderSkillMd({ ...s, topics: undefined })).replace(`${EDGE_CASES_LINK}\n`, ''))
  })

  it('checks two rules with the same meaning across every reference file', () => {
    const s = skillOf(
      [
        rule('Label every input field', 'edge-case', [3, 4], { topic: 'forms' }),
        rule('Label every input field!', 'edge-case', [5, 6], { topic: 'print' })
      ],
      TOPICS
    )
    expect(skillProblems(s).join('\n')).toMatch(/two rules say the same thing/)
  })
})

const ar = (id: string, text: string, evidence: number[]): AnalystRule => ({
  id,
  rule: text,
  evidence,
  priority: 'medium',
  reason: `reason ${id}`,
  analyst: 'edge'
})

describe('the merge names topics', () => {
  const rules = [ar('a', 'Label every input', [3, 4]), ar('b', 'Inline the critical CSS', [7, 9]), ar('c', 'Mind the favicon', [10, 11])]

  it('gives each group its topic; an unknown topic or none goes to edge-cases; names made safe', () => {
    const out = mergeRules({
      rules,
      groups: [
        { members: ['a'], wording: 'Label every input', topic: 'Forms' },
        { members: ['b'], wording: 'Inline the critical CSS', topic: 'made-up' },
        { members: ['c'], wording: 'Mind the favicon' }
      ],
      contradictions: [],
      topics: [
        { name: 'Forms', title: 'Forms', when: 'the page has a form' },
        { name: '../../etc/passwd', title: 'Sneaky', when: 'never' }
      ]
    })
    expect(out.topics).toEqual([
      { name: 'forms', title: 'Forms', when: 'the page has a form' },
      { name: 'etc-passwd', title: 'Sneaky', when: 'never' }
    ])
    const topicOfText = Object.fromEntries(out.rules.map((r) => [r.text, r.topic]))
    expect(topicOfText).toEqual({ 'Label every input': 'forms', 'Inline the critical CSS': 'edge-cases', 'Mind the favicon': 'edge-cases' })
  })

  it('keeps at most 5 topics from the model', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, title: `T${i}`, when: `w${i}` }))
    expect(mergeRules({ rules, groups: [], contradictions: [], topics: many }).topics!.map((t) => t.name)).toEqual([
      't0',
      't1',
      't2',
      't3',
      't4'
    ])
  })

  it('names no topics for an answer without them: the skill keeps its one edge-cases.md', () => {
    const out = mergeRules({ rules, groups: [{ members: ['a'], wording: 'Label every input', topic: 'forms' }], contradictions: [] })
    expect(out.topics).toBeUndefined()
    // a group's topic among no topics is no topic (nothing unchecked is kept)
    expect(out.rules.every((r) => r.topic === undefined)).toBe(true)
    // an old-shaped answer still fits the schema
    expect(
      MergeAnswerSchema.safeParse({
        groups: [{ members: ['a'], wording: 'x' }],
        contradictions: [],
        skill: { name: 'n', description: 'd', title: 't', whenToUse: 'w' }
      }).success
    ).toBe(true)
    expect(sameAsExisting({ members: ['a'], wording: 'x', topic: ' forms ' }, 0).topic).toBe('forms')
  })

  it('deepening: existing rules keep their topic and the topics are carried forward', () => {
    const out = mergeRules({
      rules: [ar('a', 'Inline the critical CSS', [7, 9])],
      groups: [{ members: ['a'], wording: 'Inline the critical CSS', topic: 'perf' }],
      contradictions: [],
      existing: [
        { text: 'Label every input', tier: 'edge-case', evidence: [3, 4], batchId: 'b1', topic: 'forms' },
        // a new finding that restates an existing rule goes into it, in the existing rule's file
        { text: 'Inline the critical CSS', tier: 'edge-case', evidence: [1, 2], batchId: 'b1', topic: 'slow-network' }
      ],
      batchId: 'b1',
      topics: [{ name: 'perf', title: 'Performance', when: 'pages are slow' }],
      existingTopics: [TOPICS[0], TOPICS[1]]
    })
    expect(out.topics!.map((t) => t.name)).toEqual(['forms', 'slow-network', 'perf'])
    expect(out.rules.map((r) => [r.text, r.topic])).toEqual(
      expect.arrayContaining([
        ['Label every input', 'forms'],
        ['Inline the critical CSS', 'slow-network']
      ])
    )
    expect(out.rules).toHaveLength(2)
  })

  it('asks the model for topics, and shows it the deepened skill’s', () => {
    const p = mergePrompt({ name: 'Landing', text: 'Build it' }, rules, ['Label every input'], [TOPICS[0]])
    expect(p).toMatch(/at most 5 topics/)
    expect(p).toContain('forms: Forms (read when the page has a form)')
  })
})

describe('export and install of reference files', () => {
  it('writes each reference file, and refuses a name that is a path', async () => {
    const files = skillFiles({
      name: 'landing-page',
      skillMd: 'S',
      references: [
        { name: 'forms', content: 'F' },
        { name: 'edge-cases', content: 'E' },
        { name: 'empty', content: '  ' }
      ],
      agents: []
    })
    expect(files).toEqual([
      { path: '.claude/skills/landing-page/SKILL.md', content: 'S' },
      { path: '.claude/skills/landing-page/references/forms.md', content: 'F' },
      { path: '.claude/skills/landing-page/references/edge-cases.md', content: 'E' }
    ])
    for (const name of ['../x', 'a/b', '..', ''])
      expect(() => skillFiles({ name: 'landing-page', skillMd: 'S', references: [{ name, content: 'x' }], agents: [] })).toThrow(
        /invalid reference name/
      )
    expect(() =>
      skillFiles({ name: 'landing-page', skillMd: 'S', edgeCasesMd: 'E', references: [{ name: 'edge-cases', content: 'E2' }], agents: [] })
    ).toThrow(/twice/)
    const folder = await mkdtemp(join(tmpdir(), 't2s-refs-export-'))
    await writeExport(folder, files, { backupDir: join(folder, '..', 'backups') })
    expect(await readFile(join(folder, '.claude/skills/landing-page/references/forms.md'), 'utf8')).toBe('F')
  })

  it('installs every reference file of a version, and the one edge-cases.md of a version saved before topics', () => {
    const s = topical()
    const v: SkillVersion = {
      id: 'v2',
      skillId: 's1',
      number: 2,
      createdAt: s.createdAt,
      skillMd: renderSkillMd(s),
      edgeCasesMd: '',
      references: renderReferenceFiles(s),
      state: s
    }
    expect(filesOf(v).map((f) => f.path)).toEqual([
      '.claude/skills/landing-page/SKILL.md',
      '.claude/skills/landing-page/references/forms.md',
      '.claude/skills/landing-page/references/slow-network.md',
      '.claude/skills/landing-page/references/edge-cases.md'
    ])
    const old = skillOf([rule('Mind the favicon', 'edge-case', [10, 11])])
    const { references: _r, ...oldV } = { ...v, skillMd: renderSkillMd(old), edgeCasesMd: renderEdgeCasesMd(old), state: old }
    expect(filesOf(oldV)).toEqual([
      { path: '.claude/skills/landing-page/SKILL.md', content: renderSkillMd(old) },
      { path: '.claude/skills/landing-page/references/edge-cases.md', content: renderEdgeCasesMd(old) }
    ])
    // an old version without edge cases installs no edge-cases.md
    const bare = skillOf([rule('Run the build', 'core', [1, 2, 3, 4, 5, 6, 7, 8])])
    expect(filesOf({ ...oldV, edgeCasesMd: renderEdgeCasesMd(bare), state: bare }).map((f) => f.path)).toEqual([
      '.claude/skills/landing-page/SKILL.md'
    ])
  })
})

describe('versions with reference files', () => {
  it('diffs each reference file; a version saved before topics diffs by its edge-cases.md', async () => {
    const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-refs-store-')))
    const skills = createSkillService({ store })
    const old = skillOf([rule('Label every input', 'edge-case', [3, 4]), rule('Mind the favicon', 'edge-case', [10, 11])])
    // version 1 as versions were saved before topics: no references field
    await store.skills.putWithVersion(old, {
      id: 'v-old',
      skillId: old.id,
      number: 1,
      createdAt: old.createdAt,
      skillMd: renderSkillMd(old),
      edgeCasesMd: renderEdgeCasesMd(old),
      state: old
    })
    // the same content saved again: identical to the old version
    const same = await skills.save(old.id, { title: 'Landing page' })
    expect((same as { unchangedSince?: number }).unchangedSince).toBe(1)
    // the person moves one rule to a new topic
    const moved = moveToTopic(
      editTopic(addTopic(old, old.rules[0].id).draft, 'new-topic', { title: 'Forms', when: 'there is a form' }),
      old.rules[0].id,
      'new-topic'
    )
    const v2 = await skills.save(old.id, { rules: moved.rules, topics: moved.topics })
    expect(v2.references!.map((f) => f.name)).toEqual(['edge-cases', 'new-topic'])
    expect(v2.skillMd).toContain('Read [references/new-topic.md](references/new-topic.md) when there is a form.')
    const [v1, second] = (await store.skills.versions(old.id)).map((v) => v.id)
    const diff = await skills.diff(v1, second)
    expect(diff.identical).toBe(false)
    expect(diff.references.map((r) => r.name)).toEqual(['edge-cases', 'new-topic'])
    expect(diff.references[0].diff).toMatch(/^-- Label every input \(runs 3, 4\)$/m)
    expect(diff.references[1].diff).toMatch(/^\+- Label every input \(runs 3, 4\)$/m)
    expect(diff.edgeCasesMd).toMatch(/^-- Label every input/m)
    const again = await skills.diff(v1, v1)
    expect(again.identical).toBe(true)
    expect(again.references[0].diff).toMatch(/identical/)
    await store.close?.()
  })

  it('saves topics with safe names whatever the client sent', async () => {
    const store = await openStore(await mkdtemp(join(tmpdir(), 't2s-refs-store-')))
    const skills = createSkillService({ store })
    const s = skillOf([rule('Label every input', 'edge-case', [3, 4], { topic: '../etc' })])
    await skills.saveVersion(s, 'first')
    const v = await skills.save(s.id, { topics: [{ name: '../etc', title: 'Etc', when: 'always' }] })
    expect(v.skill.topics).toEqual([{ name: 'etc', title: 'Etc', when: 'always' }])
    expect(v.references!.map((f) => f.name)).toEqual(['etc'])
    await store.close?.()
  })
})

describe("the composer's topic edits", () => {
  it('adds, renames, moves and edits topics of a draft, a skill without topics getting its edge-cases topic first', () => {
    const d = skillOf([rule('Label every input', 'edge-case', [3, 4]), rule('Mind the favicon', 'edge-case', [10, 11])])
    const { draft, name } = addTopic(d, d.rules[0].id)
    expect(name).toBe('new-topic')
    expect(draft.topics!.map((t) => t.name)).toEqual(['edge-cases', 'new-topic'])
    const renamed = renameTopic(draft, 'new-topic', 'Forms!')
    expect(renamed.rules[0].topic).toBe('forms')
    expect(renameTopic(renamed, 'forms', 'edge-cases')).toBe(renamed)
    const groups = topicGroups(editTopic(renamed, 'forms', { when: 'there is a form' }))!
    expect(groups.map((g) => [g.name, g.when, g.rules.map((r) => r.text)])).toEqual([
      ['edge-cases', 'a situation is rarer than the rules above cover', ['Mind the favicon']],
      ['forms', 'there is a form', ['Label every input']]
    ])
  })
})
