// @vitest-environment jsdom
/**
 * Promote in the composer's Versions list: only a version labelled as a candidate offers it; promoting
 * one sends its id, the skill and its versions on screen become what came back, and the list says so;
 * promoting the version the skill already is says nothing was saved.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { SkillView } from '../../src/shared/contract'
import { skillViewOf, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const at = '2025-01-01T00:00:00.000Z'
const VERSIONS: SkillView['versions'] = [
  { id: 'v1', number: 1, createdAt: at, label: 'from the analysts' },
  { id: 'v2', number: 2, createdAt: at, label: 'candidate 1 of 2 (seed 1, claude-sonnet-5-5)' },
  { id: 'v3', number: 3, createdAt: at, label: 'candidate 2 of 2 (seed 2, claude-opus-5-5)' }
]

afterEach(() => cleanup())

/** The Versions list's row of version n. */
const row = (n: number) => screen.getByText(`Version ${n}`).closest('.version') as HTMLElement

describe('promote a candidate from the Versions list', () => {
  it('offers Promote on candidates only; a promoted candidate becomes the skill as a new version', async () => {
    const skill = testSkill({ title: 'Candidate B' })
    const promoted: SkillView = {
      ...skillViewOf({ ...skill, title: 'Candidate A' }),
      versions: [...VERSIONS, { id: 'v4', number: 4, createdAt: at, label: 'promoted version 2' }]
    }
    const api = mockApi({
      getSkill: () => ({ ...skillViewOf(skill), versions: VERSIONS }),
      listVerifications: () => [],
      promoteSkillVersion: () => promoted
    })
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    expect(screen.getAllByTestId('promote-version')).toHaveLength(2)
    expect(within(row(1)).queryByTestId('promote-version')).toBeNull()
    expect(within(row(2)).getByTestId('promote-version').textContent).toBe('Promote')

    await userEvent.setup().click(within(row(2)).getByTestId('promote-version'))
    await waitFor(() =>
      expect(screen.getByTestId('versions-note').textContent).toBe('Promoted version 2: it is the skill now, as version 4.')
    )
    expect(api.promoteSkillVersion).toHaveBeenCalledWith({ versionId: 'v2' })
    expect(screen.getByText('Versions (4): tick two to diff')).toBeTruthy()
    // the promoted version is no candidate: nothing to promote on it
    expect(within(row(4)).queryByTestId('promote-version')).toBeNull()
    expect(screen.getByDisplayValue('Candidate A')).toBeTruthy()
  })

  it('promoting the version the skill already is says nothing was saved', async () => {
    const view: SkillView = { ...skillViewOf(testSkill()), versions: VERSIONS }
    const api = mockApi({ getSkill: () => view, listVerifications: () => [], promoteSkillVersion: () => ({ ...view, unchangedSince: 3 }) })
    renderApp('/skill/s1')
    await screen.findByTestId('skill')
    await userEvent.setup().click(within(row(3)).getByTestId('promote-version'))
    await waitFor(() =>
      expect(screen.getByTestId('versions-note').textContent).toBe('Version 3 is already the skill (as version 3): nothing to promote.')
    )
    expect(api.promoteSkillVersion).toHaveBeenCalledWith({ versionId: 'v3' })
    expect(screen.getByText('Versions (3): tick two to diff')).toBeTruthy()
  })
})
