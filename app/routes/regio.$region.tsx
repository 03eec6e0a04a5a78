import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { NavLink, Outlet, useLoaderData, useLocation } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { requireRegion } from '../../server/auth/guards'
import { useT } from '../i18n/use'

/** Every page of a region sits under this layout: it checks the membership once and shows the region menu. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region, abilities } = await requireRegion(request, context, params.region)
  return { region, abilities }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.region.name} · Samenspel` : 'Samenspel' }]

export default function RegionLayout() {
  const { region, abilities } = useLoaderData<typeof loader>()
  const t = useT()
  const base = `/regio/${region.slug}`
  // On a phone the menu is folded away, so the page's own content is on the first screen (see theme.css).
  const menu = useRef<HTMLDetailsElement>(null)
  const location = useLocation()
  useEffect(() => {
    const details = menu.current
    if (!details) return
    const wide = window.matchMedia('(min-width: 48rem)').matches
    // Browsers without ::details-content cannot show a closed menu on a wide screen: open it there.
    if (wide && !CSS.supports('selector(::details-content)')) details.open = true
    // After choosing a page the menu folds again, so the new page is what a phone user sees.
    else if (!wide) details.open = false
  }, [location.pathname])
  return (
    <div className="region">
      <nav className="region-nav" aria-label={t('nav.region')}>
        <details className="region-nav__disclosure" ref={menu}>
          <summary className="region-nav__toggle">
            {t('nav.menu')}
            <span className="region-nav__toggle-region"> · {region.name}</span>
          </summary>
          <p className="region-nav__name">{region.name}</p>
          <ul>
            <li>
              <NavLink to={base} end>
                {t('nav.home')}
              </NavLink>
            </li>
            <li>
              <NavLink to={`${base}/principes`}>{t('nav.principles')}</NavLink>
            </li>
            <li>
              <NavLink to={`${base}/documenten`}>{t('nav.documents')}</NavLink>
            </li>
            {abilities.membership.manage ? (
              <li>
                <NavLink to={`${base}/beheer`}>{t('nav.admin')}</NavLink>
              </li>
            ) : null}
            {abilities.panelAccess.manage ? (
              <li>
                <NavLink to={`${base}/panels`}>{t('nav.panels')}</NavLink>
              </li>
            ) : null}
            {abilities.auditLog.read ? (
              <li>
                <NavLink to={`${base}/logboek`}>{t('nav.audit')}</NavLink>
              </li>
            ) : null}
          </ul>
        </details>
      </nav>
      {/* The skip link lands here, past the menu (2.4.1); root.tsx points it at this id. */}
      <div className="region__content" id="inhoud" tabIndex={-1}>
        <Outlet />
      </div>
    </div>
  )
}
