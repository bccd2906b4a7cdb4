/**
 * The full parser: one Claude Code session file (plus its sub-agent transcripts) into the normalized
 * trace of src/shared/trace.ts. Tolerant by design: it never throws on any file; malformed lines,
 * unknown record types and a truncated last line are kept and reported, never dropped silently.
 *
 * A conversation's records become events in conversation.ts, a file is read in read-conversation.ts,
 * and the sub-agents are found and linked to their calls in subagents.ts.
 */
import { basename } from 'node:path'
import type { Trace } from '../../shared/trace'
import { sessionCost, totalTokens, type Numbers } from '../../shared/numbers'
import { costUsd } from './pricing'
import type { Conversation } from './conversation'
import { readConversation } from './read-conversation'
import { addSidechains, linkSubagents, readSubagentFiles, type Subagents } from './subagents'

/** The session's numbers (src/shared/numbers.ts): the main conversation's turns; the rest over it and every sub-agent. */
function traceTotals(main: Conversation, subs: Conversation[]): Numbers {
  const all = [main, ...subs]
  let toolCalls = 0
  let toolErrors = 0
  let tokens = 0
  let estimated = 0
  for (const conv of all) {
    for (const e of conv.events) {
      if (e.kind === 'tool_call') {
        toolCalls++
        if (e.result?.isError) toolErrors++
      } else if (e.kind === 'tool_result' && e.result.isError) toolErrors++
    }
    tokens += totalTokens(conv.ledger.total())
    estimated += conv.ledger.cost(costUsd)
  }
  return { turns: main.ledger.turns, toolCalls, toolErrors, tokens, ...sessionCost(main.reportedCost, estimated) }
}

export async function parseSessionFile(file: string, opts: { sessionId?: string } = {}): Promise<Trace> {
  const read = await readConversation(file, true)
  const main = read.main
  const sessionId = opts.sessionId ?? basename(file, '.jsonl')
  const subs: Subagents = { subagents: [], conversations: [], firstPrompts: new Map() }
  await readSubagentFiles(file, main, subs)
  addSidechains(file, read.sidechain, subs)
  linkSubagents(main, subs)

  const usage = main.ledger.total()
  const totals = traceTotals(main, subs.conversations)
  return {
    sessionId,
    file,
    cwd: main.cwd,
    fromArchive: false,
    events: main.events,
    subagents: subs.subagents,
    usage,
    models: [...main.models],
    costUsd: totals.costUsd,
    totals,
    lines: read.lines,
    bytes: read.bytes,
    warnings: main.warnings
  }
}
