// @vitest-environment jsdom
/**
 * Exporting a skill as a person does it: type a folder, Preview, Export N files. No error after a
 * successful export (it once showed "Missing queryFn" in red every time), the same folder can be
 * previewed again, and a preview where every file is already identical says there is nothing to write.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RequestOutput } from '../../src/shared/contract'
import { skillViewOf, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const VIEW = skillViewOf(testSkill())
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
