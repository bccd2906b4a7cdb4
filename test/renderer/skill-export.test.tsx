// @vitest-environment jsdom
/**
 * Exporting a skill as a person does it: type a folder, Preview, Export N files. No error after a
 * successful export (it once showed "Missing queryFn" in red every time), the same folder can be
 * previewed again, and a preview where every file is already identical says there is nothing to write.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestOutput, SkillView } from '../../src/shared/contract'
import { renderEdgeCasesMd, renderSkillMd } from '../../src/shared/skill-md'
import type { Skill } from '../../src/shared/skills'
import { mockApi, renderApp } from './render-app'

const SKILL: Skill = {
  id: 's1',
  batchIds: ['b1'],
  frontMatter: { name: 'landing-pages', description: 'Build landing pages that work.' },
  title: 'Landing pages',
  whenToUse: 'When building a landing page.',
  rules: [
    {
      id: 'c1',
      text: 'Run the build before finishing',
      evidence: [1, 2, 3, 4, 5, 6, 7, 8],
      priority: 'high',
      tier: 'core',
      sources: [],
      analysts: ['error'],
      reasons: [],
      pointers: [],
      guard: false,
      existing: false,
      pinnedTier: false
    }
  ],
  conflicts: [],
  setAside: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z'
}
const VIEW: SkillView = {
  skill: SKILL,
  skillMd: renderSkillMd(SKILL),
  edgeCasesMd: renderEdgeCasesMd(SKILL),
  versions: [{ id: 'v1', number: 1, createdAt: SKILL.createdAt }],
  problems: []
}
const FILES = ['.claude/skills/landing-pages/SKILL.md', '.claude/agents/error-analyst.md']

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('exporting a skill', () => {
  it('writes the files and shows what it did, with no error, and the same folder previews again', async () => {
    let written = false
    const api = mockApi({
      getSkill: () => VIEW,
      listVerifications: () => [],
      planSkillExport: ({ folder }): RequestOutput<'planSkillExport'> => ({
        folder,
        files: FILES.map((path) => ({ path, bytes: 10, status: written ? 'same' : 'new' }))
      }),
      exportSkill: ({ folder }) => {
        written = true
        return { folder, written: FILES, unchanged: [], backups: [] }
      }
    })
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await user.type(await screen.findByTestId('export-folder'), '/work/project')
    await user.click(screen.getByTestId('export-preview'))
    const write = await screen.findByTestId('export-write')
    expect(write.textContent).toBe('Export 2 files')
    await user.click(write)
    expect((await screen.findByTestId('export-result')).textContent).toContain('Wrote 2 files into /work/project')
    // nothing in red after a successful export
    expect(screen.queryByRole('alert')).toBeNull()
    expect(document.body.textContent).not.toMatch(/Missing queryFn/)

    // the same folder again: asked afresh, and now every file is identical
    const asked = api.planSkillExport.mock.calls.length
    await user.click(screen.getByTestId('export-preview'))
    const nothing = await screen.findByTestId('export-nothing')
    expect(nothing.textContent).toBe('Nothing to write: every file in /work/project is already identical.')
    expect(screen.queryByTestId('export-write')).toBeNull()
    expect(api.planSkillExport.mock.calls.length).toBeGreaterThan(asked)
    expect(screen.queryByRole('alert')).toBeNull()
  })
})
