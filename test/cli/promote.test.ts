/**
 * `trace2skill promote <skill> --version N` from the built command: a candidate becomes the skill as a
 * new version (the store says so), promoting what the skill already is saves nothing and says so, and
 * bad arguments are refused in one line with nothing changed.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { plantSkill } from '../support/skill'
import { SKILL_NAME } from '../support/verify-script'
import { cliIn, oneLine } from './support'

describe('promote from the command line', () => {
  let dataDir: string
  let skillId: string
  const env = () => ({ TRACE2SKILL_DATA_DIR: dataDir, CLAUDE_CONFIG_DIR: join(dataDir, 'claude'), ANTHROPIC_API_KEY: 'test-key' })
  const cli = (args: string[]) => cliIn(args, env())
  /** the skill as the store holds it (read through a read-only service, as another process would) */
  const stored = async () => {
    const service = await createService({ configDir: join(dataDir, 'claude'), dataDir, mode: 'web', version: 'test', readOnly: true })
    try {
      return await service.handlers.getSkill({ skillId })
    } finally {
      await service.dispose()
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 't2s-cli-promote-'))
    const service = await createService({ configDir: join(dataDir, 'claude'), dataDir, mode: 'web', version: 'test' })
    try {
      ;({ skillId } = await plantSkill(service))
      await service.handlers.saveSkill({ skillId, patch: { title: 'Candidate A' }, label: 'candidate 1 of 2 (seed 1, claude-sonnet-5-5)' })
      await service.handlers.saveSkill({ skillId, patch: { title: 'Candidate B' }, label: 'candidate 2 of 2 (seed 2, claude-opus-5-5)' })
    } finally {
      await service.dispose()
    }
  })

  it('refuses bad arguments in one line, nothing changed', async () => {
    const cases: [string[], number, RegExp][] = [
      [['promote'], 2, /^trace2skill: promote needs a skill \(its id or name\) and --version N$/],
      [['promote', SKILL_NAME], 2, /promote needs --version N: the version to promote/],
      [['promote', SKILL_NAME, '--version'], 2, /^trace2skill: promote --version takes a version number of the skill \(--version N\)$/],
      [['promote', SKILL_NAME, '--version', 'two'], 2, /--version takes a version number of the skill .*not two$/],
      [['promote', SKILL_NAME, '--version', '9'], 1, /has no version 9 \(--version 9; its versions: 1, 2, 3\)/],
      [['promote', 'no-such-skill', '--version', '2'], 1, /no such skill: no-such-skill/]
    ]
    for (const [args, code, message] of cases) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
      expect(oneLine(r)).toMatch(message)
      expect(r.stdout).toBe('')
    }
    expect((await stored()).versions).toHaveLength(3)
  })

  it('a candidate becomes the skill as a new version; promoting it again saves nothing', async () => {
    const r = await cli(['promote', SKILL_NAME, '--version', '2'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe(
      `promoted version 2 of ${SKILL_NAME} (candidate 1 of 2 (seed 1, claude-sonnet-5-5)): it is the skill now, as version 4; next: \`trace2skill export ${SKILL_NAME} <folder>\``
    )
    const view = await stored()
    expect(view.skill.title).toBe('Candidate A')
    expect(view.versions.map((v) => v.label).slice(-1)).toEqual(['promoted version 2'])

    const again = await cli(['promote', skillId, '--version', '4', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({
      skillId,
      name: SKILL_NAME,
      promoted: 4,
      label: 'promoted version 2',
      version: 4,
      saved: false
    })
    const words = await cli(['promote', SKILL_NAME, '--version', '2'])
    expect(words.stdout.trim()).toBe(`version 2 of ${SKILL_NAME} is already the skill (as version 4): nothing saved`)
    expect((await stored()).versions).toHaveLength(4)

    const other = await cli(['promote', SKILL_NAME, '--version', '3', '--json'])
    expect(JSON.parse(other.stdout)).toMatchObject({ promoted: 3, version: 5, saved: true })
    expect((await stored()).skill.title).toBe('Candidate B')
  })
})
