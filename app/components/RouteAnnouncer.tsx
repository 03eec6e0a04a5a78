import { useLocation } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'

/**
 * After a client-side navigation the browser neither moves focus nor says that a new page is there,
 * as it does for a full page load (WCAG 2.4.3, 4.1.3). This puts focus on the new page's heading, so
 * the next Tab continues in the page and a screen reader reads where one is, and says the page's
 * title in a polite live region. Only a new path counts: a filter in the query string or a form that
 * comes back to the same page leaves focus where the person is working.
 */
export function RouteAnnouncer() {
  const { pathname } = useLocation()
  const previous = useRef(pathname)
  const [message, setMessage] = useState('')

  useEffect(() => {
    if (previous.current === pathname) return
    previous.current = pathname
    const main = document.querySelector<HTMLElement>('main')
    const target = main?.querySelector<HTMLElement>('h1') ?? main
    if (target) {
      // A heading is not focusable by itself; -1 keeps it out of the Tab order.
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1')
      target.focus({ preventScroll: true })
    }
    // The live region must change after it is in the page; emptying it first makes the same title
    // (two documents with one name) be read again.
    setMessage('')
    const timer = window.setTimeout(() => setMessage(document.title), 150)
    return () => window.clearTimeout(timer)
  }, [pathname])

  return (
    // aria-live without role="status": the page's own status messages stay the one status on the page.
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="route-announcer">
      {message}
    </div>
  )
}
