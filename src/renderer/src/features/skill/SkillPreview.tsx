import { type ReactNode } from 'react'
import { parseCitations } from '@shared/skill-md'
import { Markdown } from '../../components/Markdown'
import { RunBadges } from '../../components/RunBadge'

/** Analyst text is untrusted (Markdown keeps it inert); citations become badges into the review deck. */
export function SkillPreview({ text, batchId }: { text: string; batchId?: string }) {
  const badges = (children: ReactNode): ReactNode =>
    Array.isArray(children)
      ? children.map((c, i) => <span key={i}>{badges(c)}</span>)
      : typeof children === 'string'
        ? withBadges(children, batchId)
        : children
  // the YAML front matter is shown as it is, not as markdown
  const fm = /^---\n([\s\S]*?)\n---\n?/.exec(text)
  const body = fm ? text.slice(fm[0].length) : text
  return (
    <div className="skill-preview" data-testid="skill-preview">
      {fm ? <pre className="front-matter-preview">{fm[1]}</pre> : null}
      <Markdown
        text={body}
        components={{
          li: ({ children }) => <li>{badges(children)}</li>,
          p: ({ children }) => <p>{badges(children)}</p>
        }}
      />
    </div>
  )
}

function withBadges(text: string, batchId?: string): ReactNode {
  const found = parseCitations(text)
  if (!found.length) return text
  const out: ReactNode[] = []
  let at = 0
  for (const c of found) {
    out.push(text.slice(at, c.start))
    out.push(
      <span key={c.start} className="citation">
        <RunBadges batchId={batchId} runs={c.runs} counts={false} />
      </span>
    )
    at = c.end
  }
  out.push(text.slice(at))
  return out
}
