/**
 * The scripted trigger model reads the person's prompt, not Claude Code's reminders (which list the
 * skills, descriptions and all): a reminder in the prompt's message counts for nothing; of several
 * skills that fit, the one sharing most words loads; a run then writes and answers.
 */
import { describe, expect, it } from 'vitest'
import { chosenSkill, promptOf, triggerStep } from '../support/trigger-script'

const listing = (skills: [string, string][]) =>
  `<system-reminder>\nThe following skills are available for use with the Skill tool:\n\n${skills.map(([n, d]) => `- ${n}: ${d}`).join('\n')}\n</system-reminder>\n`
const body = (prompt: string, skills: [string, string][], messages: unknown[] = []) => ({
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: listing(skills) },
        { type: 'text', text: `<system-reminder>Landing page hero cards.</system-reminder>${prompt}` }
      ]
    },
    ...messages
  ]
})

describe('the scripted trigger model', () => {
  it('reads the typed prompt only, and loads the skill sharing most words', () => {
    const skills: [string, string][] = [
      ['landing-page', 'Build a landing page with hero cards.'],
      ['pages', 'Build pages.']
    ]
    expect(promptOf(body('Write an email to the bakery', skills))).toBe('Write an email to the bakery')
    // the reminders share words with the first skill: they do not count
    expect(chosenSkill(body('Write an email to the bakery', skills))).toBeUndefined()
    expect(chosenSkill(body('Build the landing page', skills))).toBe('landing-page')
    expect(chosenSkill(body('Build pages', skills))).toBe('pages')
  })

  it('a run loads it, writes, then answers', () => {
    const skills: [string, string][] = [['landing-page', 'Build a landing page.']]
    const call = (name: string) => ({ role: 'assistant', content: [{ type: 'tool_use', id: name, name, input: {} }] })
    expect(triggerStep(body('Build a landing page', skills)).step).toBe('skill')
    expect(triggerStep(body('Build a landing page', skills, [call('Skill')])).step).toBe('write')
    expect(triggerStep(body('Build a landing page', skills, [call('Skill'), call('Write')])).step).toBe('answer')
    expect(triggerStep(body('Build a landing page', skills, [call('Skill'), call('Write')]), 2).step).toBe('write')
    expect(triggerStep(body('Write an email', skills)).step).toBe('write')
  })
})
