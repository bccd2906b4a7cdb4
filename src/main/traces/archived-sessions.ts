/** Archived sessions whose original file is gone: listed from the last summary the index had of them. */
import { emptyUsage, type SessionSummary } from '../../shared/trace'
import type { Store } from '../store/store'
import type { FileSummary } from './summary'

/** Archived sessions of a project whose original file is gone, from the last summary we had. */
export function archivedMissing(
  store: Store,
  summaryOf: (file: string) => FileSummary | undefined,
  projectId: string,
  present: Set<string>
): SessionSummary[] {
  const out: SessionSummary[] = []
  for (const a of store.sessions.archives()) {
    if (a.projectId !== projectId || present.has(a.sessionId)) continue
    const s = summaryOf(a.originalFile)
    out.push({
      sessionId: a.sessionId,
      projectId,
      file: a.originalFile,
      cwd: a.cwd ?? s?.cwd,
      firstPrompt: s?.firstPrompt ?? '',
      start: s?.start,
      end: s?.end,
      durationMs: s?.durationMs ?? 0,
      turns: s?.turns ?? 0,
      prompts: s?.prompts,
      toolCalls: s?.toolCalls ?? 0,
      toolErrors: s?.toolErrors ?? 0,
      models: s?.models ?? [],
      usage: s?.usage ?? emptyUsage(),
      costUsd: s?.costUsd ?? 0,
      costSource: s?.costSource,
      bytes: s?.bytes ?? a.sourceSize,
      lines: s?.lines ?? 0,
      subagents: a.subagents.filter((x) => x.name.endsWith('.jsonl')).length,
      gitBranch: s?.gitBranch,
      version: s?.version,
      warnings: s?.warnings ?? 0,
      pinned: !!store.sessions.pin(a.sessionId),
      archived: true,
      missing: true
    })
  }
  return out
}
