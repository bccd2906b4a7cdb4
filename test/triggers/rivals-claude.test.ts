/**
 * What the rivals' messages say of the app's own runs, checked with the real `claude` (only the model
 * scripted: it records the skills each request lists). With the app's isolation (`--setting-sources
 * project`, as runIsolation gives it) Claude Code does not list the user's skills folder, so a
 * same-name skill there does not shadow the one a run installs; with the user's settings it lists the
 * user's one and not the project's; and it lists the skills of the folders above the run's folder,
 * the nearest of a name first.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runIsolation } from '../../src/main/agents/claude-code/isolation'
import { runClaude } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { listedSkills } from '../support/verify-script'

let server: ModelServer
let root: string
beforeAll(async () => {
  server = await startModelServer(() => ({ text: 'Done.' }))
  root = await mkdtemp(join(tmpdir(), 't2s-rivals-claude-'))
})
afterAll(async () => {
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

async function skill(skillsDir: string, name: string, description: string) {
  await mkdir(join(skillsDir, name), { recursive: true })
  await writeFile(join(skillsDir, name, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\n# ${name}\n\nBody.\n`)
}

/** The skills (name: description) the first request of a run of `claude` in `cwd` lists. */
async function listed(o: { config: string; home: string; cwd: string; useMine: boolean }): Promise<string[]> {
  const isolation = runIsolation({ tools: [], sandbox: { denyRead: [], allowRead: [] } }, o.useMine)
  const before = server.requests.length
  const r = await runClaude({
    configDir: o.config,
    cwd: o.cwd,
    prompt: 'hello',
    serverUrl: server.url,
    maxTurns: 2,
    env: { HOME: o.home },
    extraArgs: isolation.args
  })
  expect(r.code, r.stderr).toBe(0)
  const first = server.requests.slice(before).find((q) => listedSkills(q.body).length)
  return first ? listedSkills(first.body).map((s) => `${s.name}: ${s.description}`) : []
}

describe("the user's skills folder and a run's isolation (real claude)", () => {
  it("a run with the app's settings lists the run folder's skill and not the user's same-name one; with the user's settings, the user's wins", async () => {
    const home = join(root, 'a', 'home')
    const config = join(home, '.claude')
    const run = join(root, 'a', 'run')
    await skill(join(config, 'skills'), 'landing-page', 'USER copy of landing-page.')
    await skill(join(config, 'skills'), 'user-only', 'Only in the user folder.')
    await skill(join(run, '.claude', 'skills'), 'landing-page', 'RUN copy of landing-page.')

    const isolated = await listed({ config, home, cwd: run, useMine: false })
    expect(isolated).toContain('landing-page: RUN copy of landing-page.')
    expect(isolated.some((s) => s.startsWith('user-only:') || s.includes('USER copy'))).toBe(false)

    const mine = await listed({ config, home, cwd: run, useMine: true })
    expect(mine).toContain('landing-page: USER copy of landing-page.')
    expect(mine).toContain('user-only: Only in the user folder.')
    expect(mine.some((s) => s.includes('RUN copy'))).toBe(false)
  }, 120_000)

  it('a run lists the skills of the folders above its own (the nearest of a name first), and not ~/.claude/skills when the config folder is elsewhere', async () => {
    const home = join(root, 'b', 'home')
    const config = join(root, 'b', 'config')
    const data = join(root, 'b', 'data')
    const run = join(data, 'workspaces', 'q1')
    await mkdir(config, { recursive: true })
    await skill(join(home, '.claude', 'skills'), 'home-default', 'In ~/.claude/skills.')
    await skill(join(data, '.claude', 'skills'), 'above', 'A folder above the run.')
    await skill(join(data, '.claude', 'skills'), 'landing-page', 'ABOVE copy.')
    await skill(join(run, '.claude', 'skills'), 'landing-page', 'RUN copy.')

    const got = await listed({ config, home, cwd: run, useMine: true })
    expect(got).toContain('above: A folder above the run.')
    expect(got).toContain('landing-page: RUN copy.')
    expect(got.some((s) => s.includes('ABOVE copy') || s.startsWith('home-default:'))).toBe(false)
  }, 120_000)
})
