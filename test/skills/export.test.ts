import { mkdir, mkdtemp, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkName,
  planExport,
  removeEmptyDirInside,
  removeInside,
  skillFiles,
  writeExport,
  writeInside,
  type ExportFile
} from '../../src/main/skills/export'

const tmp = async (prefix = 't2s-export-') => realpath(await mkdtemp(join(tmpdir(), prefix)))

const SKILL = '---\nname: landing-page\ndescription: Build landing pages.\n---\n# Landing page\n\n1. Keep it short (runs 1, 2)\n'
const EDGE = '# Edge cases\n\n- If the brief is empty, ask (runs 4, 9)\n'
const AGENTS = [
  { name: 'error-analyst', content: '# Error analyst\n' },
  { name: 'edge-analyst', content: '# Edge analyst\nünïcödé ✓\n' }
]
const files = (skillMd = SKILL): ExportFile[] => skillFiles({ name: 'landing-page', skillMd, edgeCasesMd: EDGE, agents: AGENTS })
const NOW = () => new Date('2026-11-24T10:15:30.123Z')

/** every file under dir, relative, '/'-separated, sorted */
async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/')
    )
    .sort()
}

describe('skillFiles', () => {
  it('lays out SKILL.md, the edge cases reference and one file per agent', () => {
    expect(files()).toEqual([
      { path: '.claude/skills/landing-page/SKILL.md', content: SKILL },
      { path: '.claude/skills/landing-page/references/edge-cases.md', content: EDGE },
      { path: '.claude/agents/error-analyst.md', content: '# Error analyst\n' },
      { path: '.claude/agents/edge-analyst.md', content: '# Edge analyst\nünïcödé ✓\n' }
    ])
  })

  it('omits the edge cases file when it is empty or missing', () => {
    const expected = [
      { path: '.claude/skills/x/SKILL.md', content: 'S' },
      { path: '.claude/agents/a.md', content: 'A' }
    ]
    expect(skillFiles({ name: 'x', skillMd: 'S', edgeCasesMd: '', agents: [{ name: 'a', content: 'A' }] })).toEqual(expected)
    expect(skillFiles({ name: 'x', skillMd: 'S', agents: [{ name: 'a', content: 'A' }] })).toEqual(expected)
  })
})

describe('checkName', () => {
  it('accepts ordinary names and refuses paths with one-line messages', () => {
    expect(() => checkName('landing-page', 'skill name')).not.toThrow()
    expect(() => checkName('..hidden', 'skill name')).not.toThrow()
    expect(() => checkName('', 'skill name')).toThrow('invalid skill name: "" is empty')
    expect(() => checkName('.', 'skill name')).toThrow('invalid skill name: "." is not allowed')
    expect(() => checkName('..', 'agent name')).toThrow('invalid agent name: ".." is not allowed')
    expect(() => checkName('a/b', 'skill name')).toThrow('invalid skill name: "a/b" contains a path separator')
    expect(() => checkName('a\\b', 'skill name')).toThrow('invalid skill name: "a\\\\b" contains a path separator')
    expect(() => checkName('../evil', 'skill name')).toThrow('invalid skill name: "../evil" contains \'..\' as a path segment')
    expect(() => checkName('a\\..\\b', 'skill name')).toThrow('invalid skill name: "a\\\\..\\\\b" contains \'..\' as a path segment')
    expect(() => checkName('/etc', 'skill name')).toThrow('invalid skill name: "/etc" is an absolute path')
    expect(() => checkName('C:\\x', 'skill name')).toThrow('invalid skill name: "C:\\\\x" is an absolute path')
    expect(() => checkName('a\0b', 'skill name')).toThrow('invalid skill name: "a\\u0000b" contains a NUL character')
    expect(() => checkName('a\nb', 'skill name')).toThrow('invalid skill name: "a\\nb" contains a control character')
  })
})

describe('writeExport / planExport', () => {
  it('round trip: writes every file, reads back identical, then everything is the same', async () => {
    const target = await tmp()
    const backupDir = join(await tmp('t2s-backup-'), 'backups')
    const fs = files()
    const plan = await planExport(target, fs)
    expect(plan).toEqual({
      folder: target,
      files: fs.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content, 'utf8'), status: 'new' }))
    })
    expect(await readdir(target)).toEqual([]) // planning writes nothing

    const res = await writeExport(target, fs, { backupDir, now: NOW })
    expect(res).toEqual({ folder: target, written: fs.map((f) => f.path), unchanged: [], backups: [] })
    expect(await listAll(target)).toEqual(fs.map((f) => f.path).sort())
    for (const f of fs) expect(await readFile(join(target, f.path), 'utf8')).toBe(f.content)

    const again = await planExport(target, fs)
    expect(again.files.map((f) => [f.path, f.status, f.diff])).toEqual(fs.map((f) => [f.path, 'same', undefined]))

    const res2 = await writeExport(target, fs, { backupDir, now: NOW })
    expect(res2).toEqual({ folder: target, written: [], unchanged: fs.map((f) => f.path), backups: [] })
    await expect(readdir(backupDir)).rejects.toThrow(/ENOENT/) // no backup folder was ever made
    expect(await listAll(target)).toEqual(fs.map((f) => f.path).sort()) // no temp files left behind
  })

  it('a changed file: the plan shows a diff, the write backs up the old content', async () => {
    const target = await tmp()
    const backupDir = await tmp('t2s-backup-')
    await writeExport(target, files(), { backupDir, now: NOW })
    const newSkill = SKILL + '2. Use one hero image (runs 3, 5, 8)\n'

    const plan = await planExport(target, files(newSkill))
    expect(plan.files.map((f) => [f.path, f.status])).toEqual([
      ['.claude/skills/landing-page/SKILL.md', 'changed'],
      ['.claude/skills/landing-page/references/edge-cases.md', 'same'],
      ['.claude/agents/error-analyst.md', 'same'],
      ['.claude/agents/edge-analyst.md', 'same']
    ])
    const diff = plan.files[0].diff ?? ''
    expect(diff).toContain('--- a/.claude/skills/landing-page/SKILL.md')
    expect(diff).toContain('+++ b/.claude/skills/landing-page/SKILL.md')
    expect(diff).toContain('\n+2. Use one hero image (runs 3, 5, 8)\n')
    expect(plan.files[0].bytes).toBe(Buffer.byteLength(newSkill))
    expect(await readFile(join(target, '.claude/skills/landing-page/SKILL.md'), 'utf8')).toBe(SKILL) // plan wrote nothing

    const res = await writeExport(target, files(newSkill), { backupDir, now: NOW })
    const backup = join(backupDir, '2026-11-24T10-15-30-123Z', '.claude/skills/landing-page/SKILL.md')
    expect(res).toEqual({
      folder: target,
      written: ['.claude/skills/landing-page/SKILL.md'],
      unchanged: [
        '.claude/skills/landing-page/references/edge-cases.md',
        '.claude/agents/error-analyst.md',
        '.claude/agents/edge-analyst.md'
      ],
      backups: [{ path: '.claude/skills/landing-page/SKILL.md', backup }]
    })
    expect(await readFile(backup, 'utf8')).toBe(SKILL)
    expect(await listAll(backupDir)).toEqual(['2026-11-24T10-15-30-123Z/.claude/skills/landing-page/SKILL.md'])
    expect(await readFile(join(target, '.claude/skills/landing-page/SKILL.md'), 'utf8')).toBe(newSkill)
    expect((await planExport(target, files(newSkill))).files.map((f) => f.status)).toEqual(['same', 'same', 'same', 'same'])
  })

  it('refuses bad skill and agent names, and bad paths, writing nothing', async () => {
    const target = await tmp()
    const backupDir = await tmp('t2s-backup-')
    const bad = ['..', '../evil', 'a/b', 'a\\b', '/etc/cron.d', '', '.']
    for (const name of bad) {
      expect(() => skillFiles({ name, skillMd: 'S', agents: [] })).toThrow(/^invalid skill name: /)
      expect(() => skillFiles({ name: 'ok', skillMd: 'S', agents: [{ name, content: 'A' }] })).toThrow(/^invalid agent name: /)
    }
    const badPaths = [
      '.claude/skills/../../evil.md',
      '../evil.md',
      '.claude/skills/a\\..\\..\\evil.md',
      '/tmp/evil.md',
      '.claude//SKILL.md',
      '.claude/./x.md',
      ''
    ]
    for (const path of badPaths) {
      const fs = [
        { path: '.claude/skills/ok/SKILL.md', content: 'fine' },
        { path, content: 'evil' }
      ]
      await expect(planExport(target, fs)).rejects.toThrow(/^(invalid path|refused: )/)
      await expect(writeExport(target, fs, { backupDir, now: NOW })).rejects.toThrow(/^(invalid path|refused: )/)
    }
    await expect(writeExport(target, [{ path: '../evil.md', content: 'x' }], { backupDir })).rejects.toThrow(
      'invalid path "../evil.md": segment: ".." is not allowed'
    )
    await expect(writeExport(target, [{ path: '/tmp/evil.md', content: 'x' }], { backupDir })).rejects.toThrow(
      'refused: "/tmp/evil.md" is an absolute path'
    )
    expect(await readdir(target)).toEqual([])
    expect(await readdir(backupDir)).toEqual([])
  })

  it('refuses when .claude is a link to a folder outside', async () => {
    const target = await tmp()
    const outside = await tmp('t2s-outside-')
    await symlink(outside, join(target, '.claude'), 'dir')
    const backupDir = await tmp('t2s-backup-')
    await expect(planExport(target, files())).rejects.toThrow('refused: .claude/skills/landing-page/SKILL.md goes through a symbolic link')
    await expect(writeExport(target, files(), { backupDir })).rejects.toThrow(
      'refused: .claude/skills/landing-page/SKILL.md goes through a symbolic link'
    )
    expect(await readdir(outside)).toEqual([])
    expect(await readdir(target)).toEqual(['.claude'])
    expect(await readdir(backupDir)).toEqual([])
  })

  it('refuses when .claude/skills is a link to a folder outside', async () => {
    const target = await tmp()
    const outside = await tmp('t2s-outside-')
    await mkdir(join(target, '.claude'))
    await symlink(outside, join(target, '.claude/skills'), 'dir')
    await expect(writeExport(target, files(), { backupDir: await tmp('t2s-backup-') })).rejects.toThrow(
      'refused: .claude/skills/landing-page/SKILL.md goes through a symbolic link'
    )
    expect(await readdir(outside)).toEqual([])
    expect(await listAll(target)).toEqual(['.claude/skills'])
  })

  it('checks every file before writing any: a link on the last file stops the first one too', async () => {
    const target = await tmp()
    const outside = await tmp('t2s-outside-')
    await mkdir(join(target, '.claude'))
    await symlink(outside, join(target, '.claude/agents'), 'dir')
    await expect(writeExport(target, files(), { backupDir: await tmp('t2s-backup-') })).rejects.toThrow(
      'refused: .claude/agents/error-analyst.md goes through a symbolic link'
    )
    expect(await readdir(outside)).toEqual([])
    expect(await listAll(target)).toEqual(['.claude/agents'])
  })

  it('refuses when SKILL.md itself is a link to a file outside, which stays unchanged', async () => {
    const target = await tmp()
    const outside = await tmp('t2s-outside-')
    const secret = join(outside, 'secret.txt')
    await writeFile(secret, 'do not touch\n')
    await mkdir(join(target, '.claude/skills/landing-page'), { recursive: true })
    await symlink(secret, join(target, '.claude/skills/landing-page/SKILL.md'), 'file')
    const backupDir = await tmp('t2s-backup-')
    await expect(planExport(target, files())).rejects.toThrow('refused: .claude/skills/landing-page/SKILL.md goes through a symbolic link')
    await expect(writeExport(target, files(), { backupDir })).rejects.toThrow(
      'refused: .claude/skills/landing-page/SKILL.md goes through a symbolic link'
    )
    expect(await readFile(secret, 'utf8')).toBe('do not touch\n')
    expect(await listAll(target)).toEqual(['.claude/skills/landing-page/SKILL.md'])
    expect(await readdir(backupDir)).toEqual([])
  })

  it('refuses a file where a folder is needed', async () => {
    const target = await tmp()
    await writeFile(join(target, '.claude'), 'a file')
    await expect(writeExport(target, files(), { backupDir: await tmp('t2s-backup-') })).rejects.toThrow(
      'refused: .claude/skills/landing-page/SKILL.md needs .claude to be a folder, and it is not'
    )
    expect(await readFile(join(target, '.claude'), 'utf8')).toBe('a file')
  })

  it('gives clear errors for a missing folder, a file, and a relative path', async () => {
    const base = await tmp()
    const missing = join(base, 'nope')
    await expect(planExport(missing, files())).rejects.toThrow(`export folder does not exist: ${missing}`)
    await expect(writeExport(missing, files(), { backupDir: base })).rejects.toThrow(`export folder does not exist: ${missing}`)
    const file = join(base, 'file.txt')
    await writeFile(file, 'x')
    await expect(planExport(file, files())).rejects.toThrow(`not a folder: ${file}`)
    await expect(writeExport(file, files(), { backupDir: base })).rejects.toThrow(`not a folder: ${file}`)
    await expect(planExport('relative/dir', files())).rejects.toThrow('export folder must be an absolute path: relative/dir')
    expect(await readdir(base)).toEqual(['file.txt'])
  })
})

describe("verify's installer: writeInside, removeInside, removeEmptyDirInside", () => {
  it('removes a folder with what it holds, a link itself (never what it points to), and refuses a link on the way', async () => {
    const base = await tmp()
    const home = join(base, 'home')
    const work = join(base, 'work')
    await mkdir(join(home, 'skills', 'landing-page'), { recursive: true })
    await writeFile(join(home, 'skills', 'landing-page', 'mine.md'), 'mine\n')
    // a folder that holds a link out: the folder goes, the link's target stays
    await mkdir(join(work, '.claude', 'skills', 'landing-page'), { recursive: true })
    await symlink(join(home, 'skills', 'landing-page'), join(work, '.claude', 'skills', 'landing-page', 'out'))
    expect(await removeInside(work, '.claude/skills/landing-page')).toBe(true)
    expect(await readdir(join(work, '.claude', 'skills'))).toEqual([])
    expect(await readFile(join(home, 'skills', 'landing-page', 'mine.md'), 'utf8')).toBe('mine\n')
    // the last segment a link: the link goes, not its target
    await symlink(join(home, 'skills', 'landing-page'), join(work, '.claude', 'skills', 'landing-page'))
    expect(await removeInside(work, '.claude/skills/landing-page')).toBe(true)
    expect(await readdir(join(home, 'skills', 'landing-page'))).toEqual(['mine.md'])
    // a link on the way: refused, nothing removed through it
    const other = join(base, 'other')
    await mkdir(other)
    await symlink(home, join(other, '.claude'))
    await expect(removeInside(other, '.claude/skills/landing-page')).rejects.toThrow(/symbolic link \(\.claude\)/)
    expect(await readdir(join(home, 'skills', 'landing-page'))).toEqual(['mine.md'])
    expect(await removeEmptyDirInside(other, '.claude/skills')).toBe(false)
    expect(await removeInside(work, '.claude/skills/nothing-here')).toBe(false)
    // an empty folder goes; one with something in it stays
    expect(await removeEmptyDirInside(work, '.claude')).toBe(false)
    expect(await removeEmptyDirInside(work, '.claude/skills')).toBe(true)
    expect(await removeEmptyDirInside(work, '.claude')).toBe(true)
    expect(await readdir(work)).toEqual([])
  })

  it('writes as an export does, replacing what is there, and refuses a link on any segment', async () => {
    const base = await tmp()
    const work = join(base, 'work')
    await mkdir(join(work, '.claude', 'skills', 'landing-page'), { recursive: true })
    await writeFile(join(work, '.claude', 'skills', 'landing-page', 'SKILL.md'), 'old\n')
    const two = files().slice(0, 2)
    expect(await writeInside(work, two)).toEqual(two.map((f) => f.path))
    expect(await readFile(join(work, '.claude', 'skills', 'landing-page', 'SKILL.md'), 'utf8')).toBe(SKILL)
    const outside = join(base, 'outside')
    await mkdir(outside)
    const linked = join(base, 'linked')
    await mkdir(join(linked, '.claude'), { recursive: true })
    await symlink(outside, join(linked, '.claude', 'skills'))
    await expect(writeInside(linked, two)).rejects.toThrow(/symbolic link/)
    expect(await readdir(outside)).toEqual([])
  })
})
