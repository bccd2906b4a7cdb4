/**
 * Reading a run of `claude -p` until it shows whether it loads a skill (issue 23): the first message of
 * the main conversation with a tool call or an answer. A `Skill` call naming the skill is 'loaded',
 * naming another one 'other-skill'; any other tool call 'other-tool'; text alone (the turn ended on it)
 * 'answer'. Its turns, tokens and cost are read from the stream's usage as StreamTracker reads them
 * (estimated at list prices: the run is ended before Claude Code's own figure arrives). Electron-free.
 */
import { readdir, realpath, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DecisionReader, SkillDecision } from '../driver'
import { SYNTHETIC_MODEL } from '../../traces/records'
import { StreamTracker } from './monitor'
import { StreamReader, type ClaudeMessage, type ContentBlock } from './stream'

/** The skill a `Skill` call names (Claude Code 2.1: `{ skill: "<name>", args? }`; a leading `/` is a slash command's). */
export function skillOfCall(b: ContentBlock): string | undefined {
  const input = (b as { input?: unknown }).input
  const name = input && typeof input === 'object' ? (input as { skill?: unknown }).skill : undefined
  return typeof name === 'string' ? name.trim().replace(/^\//, '') : undefined
}

export class ClaudeDecisionReader implements DecisionReader {
  decision: SkillDecision | null = null
  private readonly tracker = new StreamTracker()
  private readonly reader = new StreamReader((m) => this.message(m))
  /** a main-conversation message with text and no tool call yet: an answer, unless a tool call follows in it */
  private pending: string | undefined

  constructor(private readonly skillName: string) {}

  push(chunk: Buffer): void {
    if (!this.decision) this.reader.push(chunk)
  }

  end(): void {
    if (this.decision) return
    this.reader.end()
    if (!this.decision && this.pending !== undefined) this.decide({ kind: 'answer' })
  }

  get spent() {
    const p = this.tracker.progress
    return { turns: p.turns, tokens: p.tokens, usd: p.costUsd }
  }

  private decide(d: Omit<SkillDecision, 'turns' | 'tokens' | 'usd'>): void {
    this.decision = { ...d, ...this.spent }
  }

  private ofTool(b: ContentBlock): Omit<SkillDecision, 'turns' | 'tokens' | 'usd'> {
    if (b.name !== 'Skill') return { kind: 'other-tool', tool: String(b.name ?? b.type) }
    const skill = skillOfCall(b)
    return skill === this.skillName ? { kind: 'loaded' } : { kind: 'other-skill', tool: skill ?? '' }
  }

  private message(m: ClaudeMessage): void {
    if (this.decision) return
    if (m.type === 'assistant' && !m.parent_tool_use_id && m.message.model !== SYNTHETIC_MODEL) {
      const id = m.message.id ?? ''
      // a new response after a text-only one: that one was the answer
      if (this.pending !== undefined && id !== this.pending) return this.decide({ kind: 'answer' })
      this.tracker.message(m)
      for (const b of m.message.content) {
        if (b.type === 'tool_use' || b.type === 'server_tool_use') return this.decide(this.ofTool(b))
        if (b.type === 'text' && b.text?.trim()) this.pending = id
      }
      return
    }
    if (m.type === 'user' && !m.parent_tool_use_id && this.pending !== undefined) return this.decide({ kind: 'answer' })
    if (m.type === 'result') {
      if (this.pending !== undefined) return this.decide({ kind: 'answer' })
      if (m.is_error || m.subtype !== 'success')
        return this.decide({ kind: 'error', error: `${m.subtype.replace(/_/g, ' ')}${m.result ? `: ${m.result.slice(0, 300)}` : ''}` })
      // it finished without a tool call or a word: no load, an (empty) answer
      return this.decide({ kind: 'answer' })
    }
    // the init line, Claude Code's own (synthetic) messages, a sub-agent's: figures only
    this.tracker.message(m)
  }
}

/** Does a folder hold any file (in it or below). */
async function holdsFiles(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) if (!e.isDirectory() || (await holdsFiles(join(dir, e.name)))) return true
  return false
}

/**
 * What a run without a session (`--no-session-persistence`) still leaves in the config folder: the
 * folder of its working directory's sessions (projects/<name>, with an empty memory/ folder), removed
 * when it holds no file. Claude Code names it after the real path, every character not a letter or
 * digit '-' (a name over 200 characters is shortened with a hash: left alone).
 */
export async function removeEmptySessionFolder(configDir: string, workspace: string): Promise<void> {
  const real = await realpath(workspace).catch(() => workspace)
  for (const cwd of new Set([workspace, real])) {
    const name = cwd.replace(/[^a-zA-Z0-9]/g, '-')
    if (name.length > 200) continue
    const dir = join(configDir, 'projects', name)
    if (!(await holdsFiles(dir))) await rm(dir, { recursive: true, force: true })
  }
}
