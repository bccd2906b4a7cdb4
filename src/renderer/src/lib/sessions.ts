import type { SessionSummary } from '@shared/trace'

export type SortKey =
  | 'firstPrompt'
  | 'start'
  | 'end'
  | 'durationMs'
  | 'turns'
  | 'toolCalls'
  | 'toolErrors'
  | 'models'
  | 'tokens'
  | 'costUsd'
  | 'bytes'
  | 'subagents'

const value = (s: SessionSummary, key: SortKey): string | number => {
  switch (key) {
    case 'firstPrompt':
      return s.firstPrompt.toLowerCase()
    case 'start':
    case 'end':
      return s[key] ?? ''
    case 'models':
      return s.models.join(',')
    case 'tokens':
      return s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheCreation
    default:
      return s[key]
  }
}

/** Sorted copy; ties keep a stable order by session id. */
export function sortSessions(list: SessionSummary[], key: SortKey, desc: boolean): SessionSummary[] {
  const dir = desc ? -1 : 1
  return [...list].sort((a, b) => {
    const x = value(a, key)
    const y = value(b, key)
    if (x < y) return -dir
    if (x > y) return dir
    return a.sessionId.localeCompare(b.sessionId)
  })
}
