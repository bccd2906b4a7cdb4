/**
 * Untrusted text (what agents wrote) as markdown: no raw HTML, links inert (shown, not followed),
 * images never fetched.
 */
import ReactMarkdown from 'react-markdown'
import remarkGfm from 'remark-gfm'

export function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        components={{
          a: ({ children, href }) => (
            <span className="inert-link" title={href}>
              {children}
              {href && typeof children === 'string' && children !== href ? <span className="muted"> ({href})</span> : null}
            </span>
          ),
          img: ({ alt, src }) => <span className="muted">[image{alt ? `: ${alt}` : ''}{typeof src === 'string' ? ` ${src}` : ''}]</span>
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  )
}
