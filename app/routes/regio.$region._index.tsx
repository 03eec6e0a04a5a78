import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireRegion } from '../../server/auth/guards'
import { rolesIn } from '../../server/policy/can'
import { listMunicipalities, listOrganisations } from '../../server/modules/regions/queries'
import { organisationKinds } from '../../db/schema'
import { BarChart } from '../components/BarChart'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/** A region's home page: the user's roles, what they may do here, and the region at a glance. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region, abilities } = await requireRegion(request, context, params.region)
  const [municipalities, organisations] = await Promise.all([
    listMunicipalities(context.db, region.id),
    listOrganisations(context.db, region.id),
  ])
  const countByKind = organisationKinds.map((kind) => ({ kind, count: organisations.filter((o) => o.kind === kind).length }))
  return {
    region,
    abilities,
    name: auth.user.name,
    roles: [...rolesIn(auth.actor, region.id)],
    municipalities,
    organisationCount: organisations.length,
    countByKind,
  }
}

export default function RegionHome() {
  const { region, abilities, name, roles, municipalities, organisationCount, countByKind } = useLoaderData<typeof loader>()
  const t = useT()
  const base = `/regio/${region.slug}`
  const subregions = [...new Set(municipalities.map((m) => m.subregion))]
  const tasks: Array<{ to: string; label: MessageKey }> = [
    { to: `${base}/principes`, label: 'region.task.principles' },
    { to: `${base}/documenten`, label: 'region.task.documents' },
    ...(abilities.membership.manage ? [{ to: `${base}/beheer`, label: 'region.task.admin' as const }] : []),
    ...(abilities.panelAccess.manage ? [{ to: `${base}/panels`, label: 'region.task.panels' as const }] : []),
    ...(abilities.auditLog.read ? [{ to: `${base}/logboek`, label: 'region.task.audit' as const }] : []),
    { to: '/profiel', label: 'region.task.profile' },
  ]
  return (
    <div className="content">
      <Heading level={1}>{region.name}</Heading>
      <Paragraph lead>{region.description}</Paragraph>
      <Paragraph>
        {t('home.title', { name })} · {t('region.yourRoles')}:{' '}
        <strong>{roles.map((r) => t(`role.${r}` as MessageKey)).join(', ')}</strong>
      </Paragraph>

      <section aria-labelledby="tasks">
        <Heading level={2} id="tasks">
          {t('region.whatYouCanDo')}
        </Heading>
        <ul className="tile-list">
          {tasks.map((task) => (
            <li key={task.to}>
              <Link to={task.to} className="tile">
                {t(task.label)}
              </Link>
            </li>
          ))}
        </ul>
        <Paragraph className="muted">{t('region.comingSoon')}</Paragraph>
      </section>

      <div className="columns">
        <section aria-labelledby="munis">
          <Heading level={2} id="munis">
            {t('region.municipalities')} ({municipalities.length})
          </Heading>
          {subregions.map((sub) => (
            <div key={sub || 'all'}>
              {sub ? <Heading level={3}>{sub}</Heading> : null}
              <ul className="plain-list">
                {municipalities
                  .filter((m) => m.subregion === sub)
                  .map((m) => (
                    <li key={m.id}>{m.name}</li>
                  ))}
              </ul>
            </div>
          ))}
        </section>
        <section aria-labelledby="orgs">
          <Heading level={2} id="orgs">
            {t('region.chartTitle')}
          </Heading>
          <BarChart
            label={`${t('region.chartTitle')}: ${t('region.orgCount', { count: organisationCount })}`}
            bars={countByKind.map((c) => ({ label: t(`kind.${c.kind}` as MessageKey), value: c.count }))}
          />
        </section>
      </div>
    </div>
  )
}
