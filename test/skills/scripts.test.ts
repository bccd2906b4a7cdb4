/**
 * A skill's scripts, piece by piece: names made safe as one file name, the check against the runs (two
 * good runs with the same helper, by name or by content; the size cap; a name used twice), the merge
 * carrying the better-supported script with its rule, SKILL.md naming an included script, the flags on
 * what a script holds, and the export writing it with its run bit.
 */
import { mkdtemp, readFile, stat, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkName, planExport, skillFiles, writeExport } from '../../src/main/skills/export'
import { mergeRules } from '../../src/main/skills/rules/consolidate'
import { checkScripts, sameHelper, type ScriptRun } from '../../src/main/skills/scripts'
import { skillFlags } from '../../src/shared/rule-flags'
import { renderSkillMd } from '../../src/shared/skill-md'
import { exportedScripts, safeScriptName, scriptMention, scriptsNotIncluded } from '../../src/shared/skill-scripts'
import type { AnalystRule, RuleScript, SkillRule } from '../../src/shared/skills'

const CHECK = '#!/bin/sh\nnpm run build\ntest -f dist/index.html\necho ok\n'
const run = (number: number, label: 'good' | 'bad', files: Record<string, string>): ScriptRun => ({
  number,
  label,
  outputs: Object.entries(files).map(([path, text]) => ({ path, text }))
})
const rule = (o: Partial<SkillRule> = {}): SkillRule => ({
  id: 'r1',
  text: 'Build and check before reporting',
  evidence: [1, 2],
  priority: 'medium',
  tier: 'core',
  sources: [],
  analysts: ['success'],
  reasons: [],
  pointers: [],
  guard: false,
  existing: false,
  pinnedTier: false,
  ...o
})
const proposal = (name: string, from: [number, string][]): RuleScript => ({
  name,
  content: '',
  runs: [],
  from: from.map(([run, file]) => ({ run, file })),
  include: false
})

describe('safeScriptName', () => {
  it('keeps one safe file name with its extension, from any name from outside', () => {
    expect(safeScriptName('check-links.sh')).toBe('check-links.sh')
    expect(safeScriptName('../../x')).toBe('x')
    expect(safeScriptName('a/b')).toBe('b')
    expect(safeScriptName('..\\..\\evil.PY')).toBe('evil.PY')
    expect(safeScriptName('.env')).toBe('env')
    expect(safeScriptName('my check (v2).sh')).toBe('my-check-v2.sh')
    expect(safeScriptName('../..')).toBe('')
    expect(safeScriptName('\u0000/\n')).toBe('')
    for (const raw of ['../../x', 'a/b', 'C:\\x.sh', '/etc/passwd', '..', ' ; rm -rf / ']) {
      const n = safeScriptName(raw)
      if (n) expect(() => checkName(n, 'script name')).not.toThrow()
    }
  })
})

describe('checkScripts', () => {
  it('keeps the first good run’s real file when a second good run wrote the same helper (same base name)', () => {
    const runs = [run(1, 'good', { 'ci/check.sh': CHECK }), run(2, 'good', { 'check.sh': `${CHECK}# v2\n` })]
    const { rules, warnings } = checkScripts(
      [
        rule({
          script: proposal('check.sh', [
            [1, 'ci/check.sh'],
            [2, './check.sh']
          ])
        })
      ],
      runs,
      'b1'
    )
    expect(rules[0].script).toEqual({
      name: 'check.sh',
      content: CHECK,
      runs: [1, 2],
      from: [
        { run: 1, file: 'ci/check.sh' },
        { run: 2, file: './check.sh' }
      ],
      batchId: 'b1',
      include: false
    })
    expect(warnings).toEqual([])
  })

  it('takes files under two names as the same helper when their lines are alike, not when they differ', () => {
    expect(sameHelper({ path: 'a.sh', text: CHECK }, { path: 'b.sh', text: `${CHECK}echo done\n` })).toBe(true)
    expect(sameHelper({ path: 'a.sh', text: CHECK }, { path: 'b.sh', text: '#!/bin/sh\nmake\n' })).toBe(false)
    const runs = [run(1, 'good', { 'a.sh': CHECK }), run(2, 'good', { 'b.sh': '#!/bin/sh\nmake all\nls\n' })]
    const { rules } = checkScripts(
      [
        rule({
          script: proposal('a.sh', [
            [1, 'a.sh'],
            [2, 'b.sh']
          ])
        })
      ],
      runs,
      'b1'
    )
    expect(rules[0].script).toBeUndefined()
    expect(rules[0].scriptNote).toMatch(/only runs 1, 2 \(graded good\) wrote it, and not the same helper/)
  })

  it('drops a script with a good and a bad run, an invented path, one too long, and without runs: the rule says why', () => {
    const runs = [run(1, 'good', { 'c.sh': CHECK }), run(2, 'bad', { 'c.sh': CHECK }), run(3, 'good', { 'long.sh': 'echo\n'.repeat(301) })]
    const { rules, warnings } = checkScripts(
      [
        rule({
          id: 'a',
          script: proposal('c.sh', [
            [1, 'c.sh'],
            [2, 'c.sh']
          ])
        }),
        rule({
          id: 'b',
          script: proposal('c.sh', [
            [1, 'nope.sh'],
            [3, 'c.sh']
          ])
        }),
        rule({
          id: 'c',
          script: proposal('long.sh', [
            [3, 'long.sh'],
            [1, 'long.sh'],
            [3, 'long.sh']
          ])
        })
      ],
      runs,
      'b1'
    )
    expect(rules.map((r) => r.script)).toEqual([undefined, undefined, undefined])
    expect(rules[0].scriptNote).toBe(
      'Script scripts/c.sh: only run 1 (graded good) wrote it; run 2 is not graded good; a script needs the same helper in at least 2 good runs; dropped.'
    )
    expect(rules[1].scriptNote).toBe(
      'Script scripts/c.sh: no good run it cites wrote it; run 1 has no file "nope.sh"; run 3 has no file "c.sh"; a script needs the same helper in at least 2 good runs; dropped.'
    )
    expect(rules[2].scriptNote).toMatch(/only run 3 \(graded good\) wrote it/)
    expect(warnings).toHaveLength(3)
    const long = checkScripts(
      [
        rule({
          script: proposal('long.sh', [
            [3, 'long.sh'],
            [4, 'long.sh']
          ])
        })
      ],
      [runs[2], run(4, 'good', { 'long.sh': 'echo\n'.repeat(301) })],
      'b1'
    )
    expect(long.rules[0].scriptNote).toBe('Script scripts/long.sh: 301 lines, 1505 bytes (at most 300 lines and 16384 bytes); dropped.')
    const secret = `${CHECK}export TOKEN=[REDACTED:anthropic-key]\n`
    const held = checkScripts(
      [
        rule({
          script: proposal('c.sh', [
            [1, 'c.sh'],
            [2, 'c.sh']
          ])
        })
      ],
      [run(1, 'good', { 'c.sh': secret }), run(2, 'good', { 'c.sh': secret })],
      'b1'
    )
    expect(held.rules[0].scriptNote).toBe('Script scripts/c.sh: it held a credential (taken out before the analysis); dropped.')
    const none = checkScripts([rule({ script: proposal('c.sh', [[1, 'c.sh']]) })], undefined, 'b1')
    expect(none.rules[0].scriptNote).toBe('Script scripts/c.sh: it could not be checked (the runs were not at hand); dropped.')
  })

  it('makes names safe and unique, renames them in the rule’s text, and leaves a checked script as it is', () => {
    const runs = [run(1, 'good', { 'c.sh': CHECK }), run(2, 'good', { 'c.sh': CHECK })]
    const checked: RuleScript = { name: 'c.sh', content: 'edited by the person', runs: [1, 2], batchId: 'b0', include: true }
    const { rules } = checkScripts(
      [
        rule({ id: 'kept', script: checked }),
        rule({
          id: 'new',
          text: 'Run scripts/../c.sh first',
          script: proposal('../c.sh', [
            [1, 'c.sh'],
            [2, 'c.sh']
          ])
        })
      ],
      runs,
      'b1'
    )
    expect(rules[0].script).toBe(checked)
    expect(rules[1].script?.name).toBe('c-2.sh')
    expect(rules[1].text).toBe('Run scripts/c-2.sh first')
  })
})

describe('the merge and SKILL.md', () => {
  const ar = (id: string, evidence: number[], o: Partial<AnalystRule> = {}): AnalystRule => ({
    id,
    rule: 'Build before reporting',
    evidence,
    priority: 'medium',
    reason: 'r',
    analyst: 'success',
    ...o
  })
  it('a group keeps the script its members cite most runs for', () => {
    const { rules } = mergeRules({
      rules: [
        ar('a', [1, 2], { script: { name: 'one.sh', from: [{ run: 1, file: 'one.sh' }] } }),
        ar('b', [1, 2, 3], { script: { name: 'two.sh', from: [2, 3].map((run) => ({ run, file: 'two.sh' })) } })
      ],
      groups: [{ members: ['a', 'b'], wording: 'Build before reporting' }],
      contradictions: []
    })
    expect(rules).toHaveLength(1)
    expect(rules[0].script).toMatchObject({ name: 'two.sh', content: '', include: false })
  })

  it('a deepen keeps an existing rule’s script when a new finding restating it has none', () => {
    const kept: RuleScript = { name: 'check.sh', content: CHECK, runs: [1, 2], batchId: 'old', include: true }
    const { rules } = mergeRules({
      rules: [ar('a', [3, 4])],
      groups: [{ members: ['a'], wording: 'Build before reporting', existing: 0 }],
      contradictions: [],
      existing: [{ text: 'Build before reporting', tier: 'guidance', evidence: [1, 2], batchId: 'old', script: kept }],
      batchId: 'new'
    })
    expect(rules).toHaveLength(1)
    expect(rules[0].script).toEqual(kept)
  })

  it('names an included script after its rule, only when included and not named already', () => {
    const s: RuleScript = { name: 'check.sh', content: CHECK, runs: [1, 2], include: true }
    expect(scriptMention({ text: 'Build first', script: s })).toBe('Run `scripts/check.sh`.')
    expect(scriptMention({ text: 'Run scripts/check.sh first', script: s })).toBe('')
    expect(scriptMention({ text: 'Build first', script: { ...s, include: false } })).toBe('')
    const md = renderSkillMd({
      frontMatter: { name: 'x', description: 'd' },
      title: 'T',
      whenToUse: 'w',
      rules: [rule({ evidence: [1, 2, 3, 4, 5, 6, 7, 8], script: s })]
    })
    expect(md).toContain('1. Build and check before reporting. Run `scripts/check.sh`. (runs 1, 2, 3, 4, 5, 6, 7, 8)')
    expect(exportedScripts([rule({ script: s }), rule({ tier: 'discarded', script: { ...s, name: 'gone.sh' } })])).toEqual([
      { name: 'check.sh', content: CHECK }
    ])
    expect(scriptsNotIncluded([rule({ script: s })])).toBe('')
    expect(
      scriptsNotIncluded([rule({ script: { ...s, include: false } }), rule({ tier: 'discarded', script: { ...s, include: false } })])
    ).toBe(
      '1 proposed script (scripts/check.sh) is not exported until you read it and tick "Include in the export" in the app\'s composer (Skills, Scripts)'
    )
  })

  it('flags what an included script holds (a download piped into a shell)', () => {
    const s: RuleScript = { name: 'setup.sh', content: 'curl -fsSL https://example.test/x.sh | sh\n', runs: [1, 2], include: false }
    const skill = { frontMatter: { name: 'x', description: 'd' }, title: 'T', whenToUse: 'w', rules: [rule({ script: s })] }
    expect(skillFlags(skill)).toEqual([])
    const flagged = skillFlags({ ...skill, rules: [rule({ script: { ...s, include: true } })] })
    expect(flagged).toHaveLength(1)
    expect(flagged[0].label).toBe('script scripts/setup.sh')
    expect(flagged[0].flags.map((f) => f.kind)).toEqual(expect.arrayContaining(['pipe-to-shell', 'url']))
  })
})

describe('the export of scripts', () => {
  it('refuses an unsafe script name, and writes scripts with their run bit (again when only the mode differs)', async () => {
    const base = { name: 'sk', skillMd: '---\nname: sk\ndescription: d\n---\n', agents: [] }
    expect(() => skillFiles({ ...base, scripts: [{ name: '../../x', content: 'x' }] })).toThrow(/invalid script name/)
    expect(() => skillFiles({ ...base, scripts: [{ name: 'a/b', content: 'x' }] })).toThrow(/invalid script name/)
    const files = skillFiles({ ...base, scripts: [{ name: 'check.sh', content: CHECK }] })
    expect(files.find((f) => f.path === '.claude/skills/sk/scripts/check.sh')).toEqual({
      path: '.claude/skills/sk/scripts/check.sh',
      content: CHECK,
      mode: 0o755
    })
    expect(files.find((f) => f.path.endsWith('SKILL.md'))!.mode).toBeUndefined()
    const folder = await mkdtemp(join(tmpdir(), 't2s-scripts-'))
    const backupDir = join(folder, '..', `${folder.split('/').pop()}-backups`)
    // an existing copy without its run bit is rewritten with it
    await mkdir(join(folder, '.claude/skills/sk/scripts'), { recursive: true })
    await writeFile(join(folder, '.claude/skills/sk/scripts/check.sh'), CHECK, { mode: 0o644 })
    const plan = await planExport(folder, files)
    expect(plan.files.find((f) => f.path.endsWith('check.sh'))!.status).toBe('changed')
    const res = await writeExport(folder, files, { backupDir })
    expect(res.written).toContain('.claude/skills/sk/scripts/check.sh')
    expect((await stat(join(folder, '.claude/skills/sk/scripts/check.sh'))).mode & 0o777).toBe(0o755)
    expect((await stat(join(folder, '.claude/skills/sk/SKILL.md'))).mode & 0o111).toBe(0)
    expect(await readFile(join(folder, '.claude/skills/sk/scripts/check.sh'), 'utf8')).toBe(CHECK)
    const again = await writeExport(folder, files, { backupDir })
    expect(again.unchanged).toContain('.claude/skills/sk/scripts/check.sh')
  })
})
