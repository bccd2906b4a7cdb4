/**
 * A reader for a server-sent events stream read with fetch (so the request can carry the token in a
 * header, which EventSource cannot): feed it text as it arrives, it calls back with each event's data.
 */
export function sseParser(onData: (data: string) => void): (chunk: string) => void {
  let buf = ''
  return (chunk) => {
    buf += chunk.replace(/\r\n?/g, '\n')
    let end: number
    while ((end = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, end)
      buf = buf.slice(end + 2)
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5))
      if (data.length) onData(data.join('\n'))
    }
  }
}

/** The address without its `token` query parameter (path, other parameters and hash kept). */
export function withoutToken(href: string): string {
  const u = new URL(href)
  if (!u.searchParams.has('token')) return href
  u.searchParams.delete('token')
  return `${u.pathname}${u.search}${u.hash}`
}
