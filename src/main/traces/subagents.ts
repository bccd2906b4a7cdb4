/**
 * A session's sub-agents: their transcripts (current format: files under `<session-id>/subagents/`;
 * old format: isSidechain records inline), and the link from each to the Task/Agent call that started it.
 */
import { readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { SubagentTrace, ToolCallEvent } from '../../shared/trace'
import { MAX_META, notRegular, readRegularFile, skipped, UnreadableFile } from '../base/safe-file'
import { isObj, type Rec } from './records'
import { deepWarning, isDeeperThan, pruneDeep } from './untrusted'
import { Conversation, type LinePos } from './conversation'
import { readConversation } from './read-conversation'

export interface Subagents {
  subagents: SubagentTrace[]
  /** each sub-agent's conversation, in the order of `subagents` */
  conversations: Conversation[]
  /** each sub-agent's first prompt, by agent id */
  firstPrompts: Map<string, string | undefined>
}

function toSubagent(agentId: string, conv: Conversation, extra: Partial<SubagentTrace> = {}): SubagentTrace {
  return {
    agentId,
    file: conv.file,
    events: conv.events,
    usage: conv.ledger.total(),
    models: [...conv.models],
    warnings: conv.warnings,
    ...extra
  }
}

/**
 * Current format: <dir>/<session-id>/subagents/agent-<id>.jsonl (+ agent-<id>.meta.json). The folder
 * may be a copy from anywhere: only regular files are read (no link followed, no FIFO waited on); what
 * is skipped or unreadable is a warning of the main conversation.
 */
export async function readSubagentFiles(file: string, main: Conversation, into: Subagents): Promise<void> {
  const subDir = join(dirname(file), basename(file, '.jsonl'), 'subagents')
  let names: string[] = []
  try {
    const entries = (await readdir(subDir, { withFileTypes: true })).filter((e) => e.name.endsWith('.jsonl'))
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const what = notRegular(e)
      if (what) main.warn(0, skipped(what), join(subDir, e.name))
      else names.push(e.name)
    }
  } catch {
    /* no sub-agents */
    names = []
  }
  for (const name of names) {
    const subFile = join(subDir, name)
    const sub = await readConversation(subFile, false)
    const agentId = name.replace(/^agent-/, '').replace(/\.jsonl$/, '')
    const metaFile = join(subDir, name.replace(/\.jsonl$/, '.meta.json'))
    let meta: unknown
    try {
      const bytes = await readRegularFile(metaFile, MAX_META)
      meta = JSON.parse(bytes.toString('utf8'))
      if (isDeeperThan(bytes, 0, bytes.length)) main.warn(1, deepWarning(pruneDeep(meta)), metaFile)
    } catch (err) {
      // optional; one that is there but not readable as what it says is named
      if (err instanceof UnreadableFile) main.warn(0, err.message, metaFile)
    }
    const m = isObj(meta) ? meta : {}
    into.conversations.push(sub.main)
    into.subagents.push(
      toSubagent(agentId, sub.main, {
        meta,
        description: typeof m.description === 'string' ? m.description : undefined,
        agentType: typeof m.agentType === 'string' ? m.agentType : typeof m.subagent_type === 'string' ? m.subagent_type : undefined
      })
    )
    into.firstPrompts.set(agentId, sub.main.firstUserText)
  }
}

/** Group old-style sidechain records into conversations (each rooted at a record whose parent is not a sidechain record). */
function sidechainConversations(file: string, records: { rec: Rec; pos: LinePos }[]): Conversation[] {
  const owner = new Map<string, Conversation>()
  const out: Conversation[] = []
  for (const { rec, pos } of records) {
    const parent = typeof rec.parentUuid === 'string' ? owner.get(rec.parentUuid) : undefined
    let conv = parent
    if (!conv) {
      conv = new Conversation(file)
      out.push(conv)
    }
    conv.handle(rec, pos)
    if (typeof rec.uuid === 'string') owner.set(rec.uuid, conv)
  }
  return out
}

/** Old format: isSidechain lines inline, one sub-agent per sidechain (`sidechain-<n>`). */
export function addSidechains(file: string, records: { rec: Rec; pos: LinePos }[], into: Subagents): void {
  sidechainConversations(file, records).forEach((conv, i) => {
    const id = `sidechain-${i + 1}`
    into.conversations.push(conv)
    into.subagents.push(toSubagent(id, conv))
    into.firstPrompts.set(id, conv.firstUserText)
  })
}

const promptOf = (call: ToolCallEvent): string | undefined =>
  isObj(call.input) && typeof call.input.prompt === 'string' ? call.input.prompt : undefined
const isAgentCall = (call: ToolCallEvent) => call.name === 'Task' || call.name === 'Agent' || promptOf(call) !== undefined

/** The agent id a Task/Agent call's result names, when Claude Code recorded one. */
function agentIdOf(call: ToolCallEvent): string | undefined {
  const extra = call.result?.extra
  if (isObj(extra) && typeof extra.agentId === 'string') return extra.agentId
  const m = call.result?.text.match(/agentId:\s*([A-Za-z0-9_-]+)/)
  return m?.[1]
}

/** Link each sub-agent to the call that started it: by the tool use id in its meta, by the agent id in the call's result, else by prompt. */
export function linkSubagents(main: Conversation, { subagents, firstPrompts }: Subagents): void {
  const calls = main.toolCalls().filter(isAgentCall)
  const taken = new Set<string>()
  for (const sub of subagents) {
    const byMeta =
      isObj(sub.meta) && typeof sub.meta.toolUseId === 'string' ? calls.find((c) => c.id === (sub.meta as Rec).toolUseId) : undefined
    if (byMeta && !byMeta.subagentId) link(byMeta, sub)
  }
  for (const call of calls) {
    if (call.subagentId) continue
    const id = agentIdOf(call)
    const sub = id ? subagents.find((s) => s.agentId === id) : undefined
    if (sub && !taken.has(sub.agentId)) link(call, sub)
  }
  for (const call of calls) {
    if (call.subagentId) continue
    const prompt = promptOf(call)?.trim()
    const sub = subagents.find((s) => !taken.has(s.agentId) && prompt && firstPrompts.get(s.agentId)?.trim() === prompt)
    if (sub) link(call, sub)
  }
  function link(call: ToolCallEvent, sub: SubagentTrace) {
    call.subagentId = sub.agentId
    sub.parentToolUseId = call.id
    if (!sub.description && isObj(call.input) && typeof call.input.description === 'string') sub.description = call.input.description
    if (!sub.agentType && isObj(call.input) && typeof call.input.subagent_type === 'string') sub.agentType = call.input.subagent_type
    taken.add(sub.agentId)
  }
}
