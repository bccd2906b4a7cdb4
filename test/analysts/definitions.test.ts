/** The exported analyst agents say where the sessions really are. */
import { describe, expect, it } from 'vitest'
import { agentMarkdown, sessionsLocation } from '../../src/main/skills/definitions'

describe('agent definitions', () => {
  it('name the projects folder of the config folder in use', () => {
    expect(sessionsLocation('/home/ann/.claude', '/home/ann')).toBe('~/.claude/projects/')
    expect(sessionsLocation('/srv/claude-config', '/home/ann')).toBe('/srv/claude-config/projects/')
    expect(sessionsLocation('/home/ann/work/cc', '/home/ann')).toBe('~/work/cc/projects/')
    expect(sessionsLocation('/home/annex/cc', '/home/ann')).toBe('/home/annex/cc/projects/')
    const md = agentMarkdown('error', { sessions: '/srv/claude-config/projects/' })
    expect(md).toContain('`/srv/claude-config/projects/`')
    expect(md).toContain('$CLAUDE_CONFIG_DIR')
    expect(md).not.toContain('`~/.claude/projects/`')
    // without a location: the default, and how to find another
    expect(agentMarkdown('error')).toContain('`~/.claude/projects/`')
  })
})
