/**
 * A run's final answer as the batch page and the review deck show it: credentials in it (what the run
 * read: keys, tokens, passwords) are hidden on screen, and the label says how many. Display only: the
 * run's record keeps what the agent said.
 */
import { useMemo } from 'react'
import { redactText } from '@shared/redact'

/** The text with credentials hidden (for one-line previews). */
export const shownAnswer = (text: string) => redactText(text).text

export function FinalAnswer({ text }: { text: string }) {
  const shown = useMemo(() => redactText(text), [text])
  return (
    <>
      <div className="label">
        Final answer{' '}
        {shown.count ? (
          <span
            className="badge warn"
            data-testid="answer-redacted"
            title="The run's answer held what looks like a credential (a key, a token, a password): hidden here; the run's record is unchanged"
          >
            {shown.count} secret{shown.count === 1 ? '' : 's'} hidden
          </span>
        ) : null}
      </div>
      <pre data-testid="final-answer">{shown.text}</pre>
    </>
  )
}
