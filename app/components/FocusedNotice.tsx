import { useEffect, useRef, type ReactNode } from 'react'
import { Notice } from './forms'

/**
 * A message that takes the keyboard focus when it appears, and again whenever `focusKey` changes
 * (a new result): after a form is sent, the person hears what happened and goes on from there,
 * instead of starting over at the top of the page (WCAG 2.4.3, 4.1.3).
 */
export function FocusedNotice({ children, kind = 'ok', focusKey, id }: { children: ReactNode; kind?: 'ok' | 'error' | 'info'; focusKey?: unknown; id?: string }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [focusKey])
  return (
    <div ref={ref} tabIndex={-1} className="focus-target" id={id}>
      <Notice kind={kind}>{children}</Notice>
    </div>
  )
}
