/**
 * A text box that grows (and shrinks) with its text, so a long rule or description is read whole
 * instead of scrolled inside a two-line box.
 */
import { forwardRef, useImperativeHandle, useLayoutEffect, useRef, type TextareaHTMLAttributes } from 'react'

type Props = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value'> & { value: string }

export const AutoTextarea = forwardRef<HTMLTextAreaElement, Props>(function AutoTextarea({ value, rows = 1, ...rest }, outer) {
  const el = useRef<HTMLTextAreaElement>(null)
  useImperativeHandle(outer, () => el.current!, [])
  // after each change of text (and on mount, and when the window's width changes the wrapping): as
  // tall as its text, borders included
  useLayoutEffect(() => {
    const fit = () => {
      const t = el.current
      if (!t) return
      t.style.height = 'auto'
      const border = t.offsetHeight - t.clientHeight
      t.style.height = `${t.scrollHeight + Math.max(0, border)}px`
    }
    fit()
    window.addEventListener('resize', fit)
    return () => window.removeEventListener('resize', fit)
  }, [value])
  return <textarea ref={el} value={value} rows={rows} {...rest} className={`auto-size${rest.className ? ` ${rest.className}` : ''}`} />
})
