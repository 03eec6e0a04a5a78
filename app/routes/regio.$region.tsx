import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { NavLink, Outlet, useLoaderData } from '@remix-run/react'
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
  return (
    <div className="region">
      <nav className="region-nav" aria-label={t('nav.region')}>
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
      </nav>
      <div className="region__content">
        <Outlet />
      </div>
    </div>
  )
}
