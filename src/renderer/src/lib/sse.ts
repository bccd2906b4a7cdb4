import { createParser } from 'eventsource-parser'

/**
 * A reader for a server-sent events stream read with fetch (so the request can carry the token in a
 * header, which EventSource cannot): feed it text as it arrives, it calls back with each event's data.
 * The parsing is eventsource-parser's (the spec's line endings, comments, multi-line data).
 */
export function sseParser(onData: (data: string) => void): (chunk: string) => void {
  const parser = createParser({ onEvent: (e) => onData(e.data) })
  return (chunk) => parser.feed(chunk)
}

/** The address without its `token` query parameter (path, other parameters and hash kept). */
export function withoutToken(href: string): string {
  const u = new URL(href)
  if (!u.searchParams.has('token')) return href
  u.searchParams.delete('token')
  return `${u.pathname}${u.search}${u.hash}`
}
