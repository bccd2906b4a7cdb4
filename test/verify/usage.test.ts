/**
 * Did Claude Code load the skill? From a trace: a Skill tool call naming it (plain, plugin- or
 * folder-scoped), loaded from the run's own folder or from elsewhere (a same-name skill that shadows
 * the one under test); a Read of its SKILL.md; a failed call or another skill's is not a load.
 */
import { describe, expect, it } from 'vitest'
import type { Trace, TraceEvent } from '../../src/shared/trace'
import { skillUse } from '../../src/main/verify/usage'

let line = 0
const call = (name: string, input: unknown, result = 'ok', isError = false): TraceEvent => ({
  kind: 'tool_call',
  line: ++line,
  turn: 1,
  id: `t${line}`,
  name,
  input,
  result: { line: line + 1, text: result, isError, images: [] }
})
const user = (text: string): TraceEvent => ({ kind: 'user', line: ++line, turn: 1, text, images: [], isMeta: true })
const trace = (events: TraceEvent[], subagents: TraceEvent[][] = []): Trace =>
  ({
    sessionId: 's',
    file: '/x/s.jsonl',
    events,
    subagents: subagents.map((e, i) => ({ agentId: `a${i}`, file: `/x/a${i}.jsonl`, events: e, usage: {}, models: [], warnings: [] }))
  }) as unknown as Trace

const WS = '/data/workspaces/b/run-3-abcd'

describe('skill use in a trace', () => {
  it('a Skill call loaded from the run\u2019s folder is the one under test', () => {
    const t = trace([
      call('Skill', { skill: 'landing-page' }, 'Launching skill: landing-page'),
      user(`Base directory for this skill: ${WS}/.claude/skills/landing-page\n\n# Landing`)
    ])
    expect(skillUse(t, 'landing-page', [WS])).toMatchObject({ invoked: true, how: 'skill-tool', from: 'project' })
  })

  it('a same-name skill loaded from elsewhere shadows it', () => {
    const t = trace([call('Skill', { skill: 'landing-page' }), user('Base directory for this skill: /home/me/.claude/skills/landing-page')])
    expect(skillUse(t, 'landing-page', [WS])).toMatchObject({ invoked: true, from: 'elsewhere' })
    // a prefix of the workspace is not inside it
    const near = trace([
      call('Skill', { skill: 'landing-page' }),
      user(`Base directory for this skill: ${WS}-other/.claude/skills/landing-page`)
    ])
    expect(skillUse(near, 'landing-page', [WS]).from).toBe('elsewhere')
  })

  it('scoped names count; another skill, a failed call or no call do not', () => {
    expect(skillUse(trace([call('Skill', { skill: 'web:landing-page' })]), 'landing-page', [WS]).invoked).toBe(true)
    expect(skillUse(trace([call('Skill', { skill: 'landing-pages' })]), 'landing-page', [WS]).invoked).toBe(false)
    expect(skillUse(trace([call('Skill', { skill: 'landing-page' }, 'Unknown skill', true)]), 'landing-page', [WS]).invoked).toBe(false)
    expect(skillUse(trace([call('Write', { file_path: 'index.html', content: 'landing-page' })]), 'landing-page', [WS])).toEqual({
      invoked: false
    })
  })

  it('reading its SKILL.md counts, in a sub-agent too; inside or outside the run', () => {
    const rel = trace([], [[call('Read', { file_path: '.claude/skills/landing-page/SKILL.md' })]])
    expect(skillUse(rel, 'landing-page', [WS])).toMatchObject({ invoked: true, how: 'read', from: 'project' })
    const abs = trace([call('Read', { file_path: `${WS}/.claude/skills/landing-page/SKILL.md` })])
    expect(skillUse(abs, 'landing-page', [WS]).from).toBe('project')
    const mine = trace([call('Read', { file_path: '/home/me/.claude/skills/landing-page/SKILL.md' })])
    expect(skillUse(mine, 'landing-page', [WS]).from).toBe('elsewhere')
  })
})
