/**
 * Rivals named before measuring: a same-name skill in the user's skills folder and in an opened
 * project shadows this one; another installed skill whose description matches enough of the
 * should-trigger queries competes (with its count, counted by hand below); an unrelated one does not;
 * a link out of a skills folder is never followed; a folder above the data folder is looked in.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/main/store/store'
import { COMPETES_AT, competingCount, findRivals } from '../../src/main/triggers/rivals'
import { installedSkills, placesOf } from '../../src/main/triggers/installed'
import type { TriggerQuery } from '../../src/shared/triggers'

const stores: Store[] = []
const roots: string[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })))
})

const NAME = 'landing-page'
const DESCRIPTION = 'Build a landing page for a product launch: hero, pricing and signup.'
const SHOULD = [
  'Make a landing page for our coffee subscription',
  'Build the pricing section of our launch page',
  'Write a hero banner for the new app',
  'Create a signup form page for the beta',
  'Design a marketing site for the product'
]
const queries: TriggerQuery[] = [
  ...SHOULD.map((prompt, i) => ({ id: `q${i}`, prompt, should: true, source: 'person' as const })),
  // near misses are not what rivals compete for
  { id: 'n1', prompt: 'Tune the slow SQL queries behind our landing page', should: false, source: 'person' }
]

async function skill(skillsDir: string, folder: string, description: string, name = folder) {
  await mkdir(join(skillsDir, folder), { recursive: true })
  await writeFile(join(skillsDir, folder, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\n# ${name}\n\nBody.\n`)
}

/** home/ (HOME), config/ (the config folder in use), proj/ (an opened project), home/apps/t2s (the data folder), outside/. */
async function setup() {
  const root = await mkdtemp(join(tmpdir(), 't2s-rivals-'))
  roots.push(root)
  const home = join(root, 'home')
  const config = join(root, 'config')
  const proj = join(root, 'proj')
  const dataDir = join(home, 'apps', 't2s')
  await mkdir(dataDir, { recursive: true })
  await mkdir(config, { recursive: true })
  const store = await openStore(dataDir)
  stores.push(store)
  await store.index.addOpenedFolder(proj)
  const ctx = { store, configDir: config, env: { HOME: home } }
  return { root, home, config, proj, dataDir, ctx }
}

describe('findRivals', () => {
  it('names same-name skills (user and project) that shadow it, competing skills with their counts, and nothing unrelated', async () => {
    const { home, config, proj, ctx } = await setup()
    // same name in the user's skills folder (another description)
    await skill(join(config, 'skills'), NAME, 'An old landing page skill of mine.')
    // same name in the project, by its front matter (its folder is named otherwise)
    await skill(join(proj, '.claude', 'skills'), 'lp-old', 'Landing pages, the old way.', NAME)
    // competes: matches 4 of the 5 should-trigger queries at least as well (by hand: 1, 3, 4, 5; 2 is better matched by ours)
    await skill(
      join(proj, '.claude', 'skills'),
      'page-builder',
      'Builds marketing web pages: hero sections, landing pages and signup forms.'
    )
    // unrelated
    await skill(join(config, 'skills'), 'sql-tuner', 'Tune slow SQL queries in Postgres databases.')
    // Claude Code's default folder (the config folder in use is elsewhere): an exact copy of this skill is no rival
    await skill(join(home, '.claude', 'skills'), NAME, DESCRIPTION)
    // a folder above the data folder: listed in the app's own runs; competes for 2 of 5 (counted below)
    await skill(join(home, 'apps', '.claude', 'skills'), 'launch-kit', 'Product launch kit: pricing tables and hero copy.')

    const rivals = await findRivals(ctx, { skillId: 's1', name: NAME, description: DESCRIPTION, queries })
    const byName = (kind: string, name: string) => rivals.filter((r) => r.kind === kind && r.name === name)

    const same = rivals.filter((r) => r.kind === 'same-name')
    expect(same.map((r) => [r.where, r.path])).toEqual([
      ['user', join(config, 'skills', NAME, 'SKILL.md')],
      ['project', join(proj, '.claude', 'skills', 'lp-old', 'SKILL.md')]
    ])
    expect(same[0].message).toMatch(/shadows this one/)
    expect(same[0].message).toMatch(/--setting-sources project/)
    expect(same[1].message).toContain(proj)

    const pb = byName('competes', 'page-builder')
    expect(pb).toHaveLength(1)
    expect(pb[0]).toMatchObject({ where: 'project', queries: 4 })
    expect(pb[0].message).toMatch(/matches 4 of the 5 should-trigger queries/)
    expect(byName('competes', 'sql-tuner')).toEqual([])
    // most first
    const competes = rivals.filter((r) => r.kind === 'competes')
    expect(competes.map((r) => r.queries)).toEqual([...competes.map((r) => r.queries)].sort((a, b) => b! - a!))
  })

  it('counts a competing skill by words: hand counts, and the threshold', () => {
    const mine = { name: NAME, description: DESCRIPTION }
    // launch-kit's terms: launch, kit, product, pricing, table, hero, copy. Query 1: none; 2 (build pricing section launch page):
    // 2 against ours 4; 3 (hero banner app): 1 against 1; 4: none; 5 (design marketing site product): 1 against 1 -> 2 of 5
    expect(competingCount(mine, { name: 'launch-kit', description: 'Product launch kit: pricing tables and hero copy.' }, SHOULD)).toBe(2)
    expect(competingCount(mine, { name: 'sql-tuner', description: 'Tune slow SQL queries in Postgres databases.' }, SHOULD)).toBe(0)
    // a skill that shares no word with a query never counts for it, even where ours shares none either
    expect(competingCount(mine, { name: 'x', description: 'Nothing alike.' }, ['hello there'])).toBe(0)
    expect(COMPETES_AT).toBe(0.2)
  })

  it('lists a skill above the data folder (in every run the app makes) when it competes', async () => {
    const { home, ctx } = await setup()
    await skill(join(home, 'apps', '.claude', 'skills'), 'launch-kit', 'Product launch kit: pricing tables and hero copy.')
    // the home folder's own .claude/skills is the user's folder, not a project's: the walk stops below it
    const rivals = await findRivals(ctx, { skillId: 's1', name: NAME, description: DESCRIPTION, queries })
    expect(rivals).toHaveLength(1)
    expect(rivals[0]).toMatchObject({ kind: 'competes', name: 'launch-kit', where: 'project', queries: 2 })
    expect(rivals[0].message).toMatch(/every run the app makes/)
  })

  it('follows no link out of a skills folder, and no SKILL.md that is a link', async () => {
    const { root, config, proj, ctx } = await setup()
    const outside = join(root, 'outside')
    await skill(outside, 'evil', 'A landing page skill elsewhere.', NAME)
    await mkdir(join(config, 'skills'), { recursive: true })
    // a skill folder that is a link out of the skills folder
    await symlink(join(outside, 'evil'), join(config, 'skills', 'evil'))
    // a project whose .claude is a link out of the project
    await mkdir(proj, { recursive: true })
    await symlink(outside, join(proj, '.claude'))
    // a SKILL.md that is a link
    await mkdir(join(config, 'skills', 'linked-md'), { recursive: true })
    await symlink(join(outside, 'evil', 'SKILL.md'), join(config, 'skills', 'linked-md', 'SKILL.md'))
    // a link that stays inside the skills folder is followed
    await skill(join(config, 'skills'), 'real-one', 'Landing page skill kept here.', NAME)
    await symlink(join(config, 'skills', 'real-one'), join(config, 'skills', 'alias'))

    const rivals = await findRivals(ctx, { skillId: 's1', name: NAME, description: DESCRIPTION, queries })
    expect(rivals.map((r) => r.path)).toEqual([join(config, 'skills', 'real-one', 'SKILL.md')])
    expect(rivals.some((r) => r.path.startsWith(outside))).toBe(false)
  })

  it('caps the skill folders it reads, and skips an unreadable SKILL.md', async () => {
    const { config, ctx } = await setup()
    for (let i = 0; i < 5; i++) await skill(join(config, 'skills'), `s${i}`, `Skill ${i}.`)
    await mkdir(join(config, 'skills', 'dir-md', 'SKILL.md'), { recursive: true }) // not a file
    const places = await placesOf({ configDir: config, home: ctx.env.HOME, openedFolders: [], dataDir: ctx.store.dataDir })
    const capped = await installedSkills(places, 3)
    expect(capped.capped).toBe(true)
    // dir-md is read first (and has no SKILL.md file), then s0 and s1
    expect(capped.skills.map((s) => s.folder)).toEqual(['s0', 's1'])
    const all = await installedSkills(places)
    expect(all.capped).toBe(false)
    expect(all.skills.map((s) => s.folder)).toEqual(['s0', 's1', 's2', 's3', 's4'])
  })

  it('finds nothing to compete with when there are no should-trigger queries', async () => {
    const { proj, ctx } = await setup()
    await skill(
      join(proj, '.claude', 'skills'),
      'page-builder',
      'Builds marketing web pages: hero sections, landing pages and signup forms.'
    )
    const none = await findRivals(ctx, { skillId: 's1', name: NAME, description: DESCRIPTION, queries: queries.filter((q) => !q.should) })
    expect(none).toEqual([])
  })
})
