import type { LoaderFunctionArgs } from '@remix-run/node'
import { NavLink, Outlet, useLoaderData } from '@remix-run/react'
import { Heading } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { useT } from '../i18n/use'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'region', 'administer')
  return { slug: region.slug }
}

export default function AdminLayout() {
  const { slug } = useLoaderData<typeof loader>()
  const t = useT()
  const base = `/regio/${slug}/beheer`
  return (
    <div className="content">
      <Heading level={1}>{t('admin.title')}</Heading>
      <nav aria-label={t('admin.title')} className="tabs">
        <ul>
          <li><NavLink to={`${base}/gemeenten`}>{t('admin.municipalities')}</NavLink></li>
          <li><NavLink to={`${base}/organisaties`}>{t('admin.organisations')}</NavLink></li>
          <li><NavLink to={`${base}/leden`}>{t('admin.members')}</NavLink></li>
          <li><NavLink to={`${base}/uitnodigingen`}>{t('admin.invitations')}</NavLink></li>
          <li><NavLink to={`${base}/instellingen`}>{t('admin.settings')}</NavLink></li>
        </ul>
      </nav>
      <Outlet />
    </div>
  )
}
