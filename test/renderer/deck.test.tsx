// @vitest-environment jsdom
/**
 * The review deck as a person uses it, from the keyboard: grading, the sentence, moving on, undo and
 * redo, blind mode; and what it sends through window.api.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Run } from '../../src/shared/runs'
import { batchViewOf, testRun as run } from '../support/builders'
import { mockApi, renderApp, type ApiMock } from './render-app'

let api: ApiMock

function setup(runs: Run[]) {
  api = mockApi({
    getBatch: () => batchViewOf(runs),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: runs.length, signals: [] } }),
    saveFeedback: (input) => ({
      ...runs.find((r) => r.id === input.runId)!,
      feedback: { label: input.label, text: input.text, updatedAt: 'now' }
    })
  })
}

/** The run the deck shows (its number). */
const shown = () => Number(screen.getByTestId('deck-run').getAttribute('data-number'))
const sentence = () => screen.getByTestId('feedback-text') as HTMLInputElement
const lastSave = () => api.saveFeedback.mock.calls.at(-1)?.[0]

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('the review deck', () => {
  it('grades a run good with g, takes the sentence, saves it and goes on to the next ungraded run with Enter', async () => {
    // run 2 is graded already; run 4 is still running: the deck opens on run 1 and Enter skips run 2
    setup([run(1), run(2, { feedback: { label: 'bad', text: 'broken', updatedAt: 'then' } }), run(3), run(4, { state: 'running' })])
    const app = renderApp('/review/b1')
    const user = userEvent.setup()
    expect(await screen.findByTestId('graded-count')).toHaveProperty('textContent', '1 of 3 graded')
    expect(shown()).toBe(1)
    expect(screen.getByText('Build a landing page (variation 1).')).toBeTruthy()
    await waitFor(() => expect(app.pathname()).toBe('/review/b1/1'))

    await user.keyboard('g')
    // the sentence field has the focus, and the g was not typed into it
    expect(document.activeElement).toBe(sentence())
    expect(sentence().value).toBe('')
    expect(screen.getByTestId('graded-count').textContent).toBe('2 of 3 graded')
    expect(screen.getByTestId('grade-good').className).toContain('on')

    await user.keyboard('Clean layout, readable.')
    expect(sentence().value).toBe('Clean layout, readable.')
    await waitFor(() => expect(lastSave()).toEqual({ runId: 'r1', label: 'good', text: 'Clean layout, readable.' }))
    expect(api.saveFeedback.mock.calls[0][0]).toMatchObject({ runId: 'r1', label: 'good' })
    await waitFor(() => expect(screen.getByTestId('save-state').textContent).toBe('saved'))

    await user.keyboard('{Enter}')
    expect(shown()).toBe(3)
    expect(sentence().value).toBe('')
    // "saved" belongs to run 1, not to the run now on screen
    expect(screen.getByTestId('save-state').textContent).toBe('')
    await waitFor(() => expect(app.pathname()).toBe('/review/b1/3'))
    // the running run is not in the deck
    expect(screen.getByText('3 / 3')).toBeTruthy()
  })

  it('grades bad with b; j/k and the arrows move between runs without saving anything', async () => {
    setup([run(1), run(2), run(3)])
    renderApp('/review/b1/2')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    expect(shown()).toBe(2)
    await user.keyboard('j')
    expect(shown()).toBe(3)
    await user.keyboard('j')
    expect(shown()).toBe(3)
    await user.keyboard('k{ArrowLeft}')
    expect(shown()).toBe(1)
    await user.keyboard('{ArrowRight}')
    expect(shown()).toBe(2)
    expect(api.saveFeedback).not.toHaveBeenCalled()

    await user.keyboard('b')
    expect(screen.getByTestId('grade-bad').className).toContain('on')
    await user.keyboard('Too many cards.{Escape}')
    // Escape leaves the sentence: the keys are the deck's again
    expect(document.activeElement).not.toBe(sentence())
    await waitFor(() => expect(lastSave()).toEqual({ runId: 'r2', label: 'bad', text: 'Too many cards.' }))
    await user.keyboard('j')
    expect(shown()).toBe(3)
  })

  it('undoes a grade and its sentence together with Ctrl+Z, and redoes it with Ctrl+Shift+Z, saving each', async () => {
    setup([run(1), run(2)])
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    await user.keyboard('bUgly.{Escape}')
    await waitFor(() => expect(lastSave()).toEqual({ runId: 'r1', label: 'bad', text: 'Ugly.' }))
    await user.keyboard('j')
    expect(shown()).toBe(2)

    // the undo goes back to the run it changed
    await user.keyboard('{Control>}z{/Control}')
    expect(shown()).toBe(1)
    expect(sentence().value).toBe('')
    expect(screen.getByTestId('grade-bad').className).not.toContain('on')
    expect(screen.getByTestId('graded-count').textContent).toBe('0 of 2 graded')
    await waitFor(() => expect(lastSave()).toEqual({ runId: 'r1', label: null, text: '' }))

    await user.keyboard('{Control>}{Shift>}z{/Shift}{/Control}')
    expect(sentence().value).toBe('Ugly.')
    expect(screen.getByTestId('grade-bad').className).toContain('on')
    expect(screen.getByTestId('graded-count').textContent).toBe('1 of 2 graded')
    await waitFor(() => expect(lastSave()).toEqual({ runId: 'r1', label: 'bad', text: 'Ugly.' }))
  })

  it('says on the run when its grade could not be saved', async () => {
    setup([run(1), run(2)])
    api.saveFeedback.mockRejectedValue(new Error('disk full'))
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    await user.keyboard('g')
    await waitFor(() => expect(screen.getByTestId('save-state').textContent).toBe('not saved: disk full'))
  })

  it('when the last run is graded, Enter puts the focus on Analyse', async () => {
    setup([run(1), run(2, { feedback: { label: 'good', text: 'fine', updatedAt: 'then' } })])
    renderApp('/review/b1/1')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    expect(screen.queryByTestId('all-graded')).toBeNull()
    await user.keyboard('gNice.{Enter}')
    const analyse = screen.getByTestId('all-graded')
    expect(analyse.textContent).toBe('All 2 graded. Analyse →')
    await waitFor(() => expect(document.activeElement).toBe(analyse))
  })

  it('blind mode hides which batch the run came from, and stays on', async () => {
    setup([run(1)])
    renderApp('/review/b1')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    expect(screen.getByText('← Landing page #1')).toBeTruthy()
    await user.click(screen.getByTestId('blind'))
    expect(screen.queryByText(/Landing page #1/)).toBeNull()
    expect(screen.getByText('Blind review')).toBeTruthy()
    expect(localStorage.getItem('t2s-blind')).toBe('1')
    // blind is a view setting: nothing is sent for it
    expect(api.saveFeedback).not.toHaveBeenCalled()
    cleanup()

    renderApp('/review/b1')
    await screen.findByTestId('deck-run')
    expect(screen.getByText('Blind review')).toBeTruthy()
    expect(screen.queryByText(/Landing page #1/)).toBeNull()
  })
})
