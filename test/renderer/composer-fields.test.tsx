// @vitest-environment jsdom
/**
 * The composer's text fields show their whole text: a rule's box grows with the rule as it is typed,
 * and the skill's description (up to 1,024 characters) is a multi-line field that grows too, not a
 * one-line input that cuts it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { skillViewOf, testSkill } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const DESCRIPTION =
  `Builds single-page landing sites. ${'Use it when a landing page is asked for, with its hero, cards and call to action. '.repeat(8)}`.trim()
const VIEW = skillViewOf(testSkill({ frontMatter: { name: 'landing-pages', description: DESCRIPTION } }))

// jsdom has no layout: a text box's content height is 20 px a line, a line every 60 characters or newline
const LINE = 20
let restore: PropertyDescriptor | undefined
beforeAll(() => {
  restore = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'scrollHeight')
  Object.defineProperty(HTMLTextAreaElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLTextAreaElement) {
      return this.value.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 60)), 0) * LINE
    }
  })
})
afterAll(() => {
  if (restore) Object.defineProperty(HTMLTextAreaElement.prototype, 'scrollHeight', restore)
  else delete (HTMLTextAreaElement.prototype as { scrollHeight?: number }).scrollHeight
})
beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('the composer’s text fields', () => {
  it('a rule’s box grows with its text as it is typed', async () => {
    mockApi({ getSkill: () => VIEW, listVerifications: () => [] })
    renderApp('/skill/s1')
    const user = userEvent.setup()
    const box = (await screen.findByDisplayValue('Run the build before finishing')) as HTMLTextAreaElement
    expect(box.style.height).toBe(`${LINE}px`)
    await user.type(box, '{Enter}open it{Enter}stop')
    expect(box.style.height).toBe(`${3 * LINE}px`)
  })

  it('the description is a multi-line field holding all of it, as tall as its text', async () => {
    mockApi({ getSkill: () => VIEW, listVerifications: () => [] })
    renderApp('/skill/s1')
    const field = (await screen.findByTestId('fm-description')) as HTMLTextAreaElement
    expect(field.tagName).toBe('TEXTAREA')
    expect(field.value).toBe(DESCRIPTION)
    expect(field.style.height).toBe(`${Math.ceil(DESCRIPTION.length / 60) * LINE}px`)
  })
})
