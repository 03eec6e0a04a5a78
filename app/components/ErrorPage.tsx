import { isRouteErrorResponse, Link } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { useT } from '../i18n/use'

/** Friendly pages for 400/403/404/500: no stack traces, a way back. */
export function ErrorPage({ error }: { error: unknown }) {
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const [title, text] =
    status === 404
      ? (['error.notFound.title', 'error.notFound.text'] as const)
      : status === 403
        ? (['error.forbidden.title', 'error.forbidden.text'] as const)
        : status >= 400 && status < 500
          ? (['error.badRequest.title', 'error.notFound.text'] as const)
          : (['error.server.title', 'error.server.text'] as const)
  return (
    <div className="content narrow">
      <Heading level={1}>{t(title)}</Heading>
      <Paragraph>{t(text)}</Paragraph>
      <Paragraph>
        <span className="status-code">HTTP {status}</span>
      </Paragraph>
      <Paragraph>
        <Link to="/">{t('error.toHome')}</Link>
      </Paragraph>
    </div>
  )
}
