import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import {
  Form,

  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useMatches,
  useParams,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import utrechtCss from '@utrecht/component-library-css/dist/index.css?url'
import themeCss from './styles/theme.css?url'
import { getAuth } from '../server/auth/guards'
import { listRegionsOf } from '../server/modules/regions/queries'
import { unreadCount } from '../server/modules/comments/queries'
import { getLocale } from './i18n/locale.server'
import { translate, type Locale } from './i18n/messages'
import { useNonce } from './nonce'
import { ErrorPage } from './components/ErrorPage'
import { RouteAnnouncer } from './components/RouteAnnouncer'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: utrechtCss },
  { rel: 'stylesheet', href: themeCss },
  // The SVG for browsers that take one; /favicon.ico (32 px) for those that ask for it by name.
  { rel: 'icon', href: '/favicon.ico', sizes: '32x32' },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [{ title: 'Samenspel' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const auth = await getAuth(request, context)
  const regionIds = [...new Set(auth?.actor.memberships.map((m) => m.regionId) ?? [])]
  const regions = auth ? await listRegionsOf(context.db, regionIds) : []
  return {
    locale,
    user: auth ? { id: auth.user.id, name: auth.user.name, unread: await unreadCount(context.db, auth.user.id) } : null,
    regions: regions.map((r) => ({ slug: r.slug, name: r.name })),
  }
}

type RootData = Awaited<ReturnType<typeof loader>>

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData('root') as RootData | undefined
  const nonce = useNonce()
  const locale: Locale = data?.locale ?? 'nl'
  // A region page has its menu inside <main>; there the region layout's content column carries the
  // skip link's target, so skipping passes the menu too. An error page replaces the region layout
  // (useRouteError gives null, not undefined, when there is no error).
  const matches = useMatches()
  const error = useRouteError()
  const inRegion = error == null && matches.some((m) => m.id === 'routes/regio.$region')
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="samenspel-theme utrecht-document utrecht-document--surface">
        <a className="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">
          {translate(locale, 'nav.skip')}
        </a>
        <Header data={data} locale={locale} />
        <main id={inRegion ? undefined : 'inhoud'} tabIndex={-1} className="page-main">
          {children}
        </main>
        <footer className="page-footer">
          <p>{translate(locale, 'footer.text')}</p>
        </footer>
        <RouteAnnouncer />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

function Header({ data, locale }: { data: RootData | undefined; locale: Locale }) {
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string>) => translate(locale, k, v)
  const params = useParams()
  const location = useLocation()
  const current = data?.regions.find((r) => r.slug === params.region)
  return (
    <header className="page-header">
      <div className="page-header__bar">
        <Link to="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Samenspel</span>
        </Link>
        {/* A switcher only when there is something to switch to: one region is reached via the brand link. */}
        {data?.user && data.regions.length > 1 ? (
          <details className="region-switcher">
            <summary>
              <span className="visually-hidden">{t('nav.switchRegion')}: </span>
              {current ? current.name : t('nav.regions')}
            </summary>
            <ul aria-label={t('nav.regions')}>
              {data.regions.map((r) => (
                <li key={r.slug}>
                  <Link to={`/regio/${r.slug}`} aria-current={r.slug === params.region ? 'page' : undefined}>
                    {r.name}
                  </Link>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        <div className="page-header__tools">
          <Form method="post" action="/taal" className="inline-form">
            <input type="hidden" name="terug" value={location.pathname + location.search} />
            <input type="hidden" name="taal" value={locale === 'nl' ? 'en' : 'nl'} />
            <button type="submit" className="link-button" lang={locale === 'nl' ? 'en' : 'nl'} aria-label={t('lang.switchLabel')}>
              {t('lang.switch')}
            </button>
          </Form>
          {data?.user ? (
            <>
              <Link to="/mijn-reacties">
                {t('nav.myComments')}
                {data.user.unread > 0 ? (
                  <span className="badge badge--count">
                    {data.user.unread}
                    <span className="visually-hidden"> {t('nav.unread')}</span>
                  </span>
                ) : null}
              </Link>
              <Link to="/profiel">{t('nav.profile')}</Link>
              <Form method="post" action="/uitloggen" className="inline-form">
                <button type="submit" className="link-button">
                  {t('nav.logout')}
                </button>
              </Form>
            </>
          ) : (
            <Link to="/inloggen">{t('nav.login')}</Link>
          )}
        </div>
      </div>
    </header>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  const error = useRouteError()
  return <ErrorPage error={error} />
}

