/**
 * Claude Code's decision about a skill, read from its stream-json: the first message of the main
 * conversation with a tool call or an answer. A Skill call naming it, another skill, another tool, text
 * alone (decided once the response is over), a failed run; a sub-agent's or Claude Code's own message
 * decides nothing; lines split anywhere; turns, tokens and cost up to the decision only.
 */
import { describe, expect, it } from 'vitest'
import { ClaudeDecisionReader, skillOfCall } from '../../src/main/agents/claude-code/decision'

const usage = { input_tokens: 10_000, output_tokens: 50, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }
const assistant = (id: string, content: unknown[], o: { parent?: string; model?: string } = {}) =>
  JSON.stringify({
    type: 'assistant',
    parent_tool_use_id: o.parent ?? null,
    message: { id, model: o.model ?? 'claude-sonnet-5-5', content, usage }
  })
const tool = (name: string, input: unknown) => ({ type: 'tool_use', id: `toolu_${name}`, name, input })
const text = (t: string) => ({ type: 'text', text: t })
const INIT = JSON.stringify({ type: 'system', subtype: 'init', session_id: 's1' })
const USER = JSON.stringify({ type: 'user', parent_tool_use_id: null, message: { content: [{ type: 'tool_result', tool_use_id: 'x' }] } })
const result = (subtype: string, isError: boolean, r = '') =>
  JSON.stringify({ type: 'result', subtype, is_error: isError, result: r, total_cost_usd: 9 })

const read = (lines: string[], name = 'landing-page', end = false) => {
  const reader = new ClaudeDecisionReader(name)
  for (const l of lines) reader.push(Buffer.from(`${l}\n`))
  if (end) reader.end()
  return reader
}

describe('reading the decision from the stream', () => {
  it('a Skill call naming the skill is loaded; another skill, another tool are not', () => {
    const loaded = read([INIT, assistant('m1', [text('Loading it.')]), assistant('m1', [tool('Skill', { skill: 'landing-page' })])])
    expect(loaded.decision).toMatchObject({ kind: 'loaded', turns: 1, tokens: 10_050 })
    expect(loaded.decision!.usd).toBeGreaterThan(0)
    // the usd is the estimate from usage, not the result line's (which comes after the decision)
    expect(loaded.decision!.usd).toBeLessThan(1)
    expect(read([assistant('m1', [tool('Skill', { skill: '/landing-page' })])]).decision?.kind).toBe('loaded')
    expect(read([assistant('m1', [tool('Skill', { skill: 'dataviz' })])]).decision).toMatchObject({ kind: 'other-skill', tool: 'dataviz' })
    expect(read([assistant('m1', [tool('Write', { file_path: 'a' })])]).decision).toMatchObject({ kind: 'other-tool', tool: 'Write' })
    expect(skillOfCall({ type: 'tool_use', name: 'Skill', input: { skill: ' x ' } } as never)).toBe('x')
  })

  it('text alone is an answer once the response is over (a tool call in the same response wins)', () => {
    const pending = read([assistant('m1', [text('Here is how.')])])
    expect(pending.decision).toBeNull()
    expect(read([assistant('m1', [text('Here is how.')]), result('success', false, 'Here is how.')]).decision?.kind).toBe('answer')
    expect(read([assistant('m1', [text('Here is how.')])], 'landing-page', true).decision?.kind).toBe('answer')
    expect(read([assistant('m1', [text('Let me.')]), assistant('m1', [tool('Bash', {})])]).decision?.kind).toBe('other-tool')
    expect(read([assistant('m1', [text('Hm.')]), USER]).decision?.kind).toBe('answer')
  })

  it("a sub-agent's message and Claude Code's own decide nothing; a failed run is an error", () => {
    const r = read([
      assistant('s1', [tool('Skill', { skill: 'landing-page' })], { parent: 'toolu_agent' }),
      assistant('x', [text('API Error: overloaded')], { model: '<synthetic>' })
    ])
    expect(r.decision).toBeNull()
    expect(r.spent.turns).toBe(0)
    expect(read([result('error_during_execution', true, 'Invalid API key')]).decision).toMatchObject({
      kind: 'error',
      error: 'error during execution: Invalid API key'
    })
    expect(read([INIT], 'landing-page', true).decision).toBeNull()
  })

  it('reads lines split anywhere, and nothing after the decision', () => {
    const all = `${INIT}\n${assistant('m1', [tool('Skill', { skill: 'landing-page' })])}\n${assistant('m2', [text('more')])}\n`
    const reader = new ClaudeDecisionReader('landing-page')
    const bytes = Buffer.from(all)
    for (let i = 0; i < bytes.length; i += 7) reader.push(bytes.subarray(i, i + 7))
    expect(reader.decision).toMatchObject({ kind: 'loaded', turns: 1 })
    expect(reader.spent.turns).toBe(1)
  })
})
