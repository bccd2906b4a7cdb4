/**
 * Untrusted text (what agents wrote) as markdown: no raw HTML, links inert (shown, not followed),
 * images never fetched. Callers may render more elements their own way (never `a` or `img`).
 */
import ReactMarkdown, { type Components } from 'react-markdown'
import remarkGfm from 'remark-gfm'

export function Markdown({
  text,
  components,
  className,
  testId
}: {
  text: string
  components?: Omit<Components, 'a' | 'img'>
  className?: string
  testId?: string
}) {
  return (
    <div className={className ? `md ${className}` : 'md'} data-testid={testId}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        components={{
          ...components,
          a: ({ children, href }) => (
            <span className="inert-link" title={href}>
              {children}
              {href && typeof children === 'string' && children !== href ? <span className="muted"> ({href})</span> : null}
            </span>
          ),
          img: ({ alt, src }) => (
            <span className="muted">
              [image{alt ? `: ${alt}` : ''}
              {typeof src === 'string' ? ` ${src}` : ''}]
            </span>
          )
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  )
}
