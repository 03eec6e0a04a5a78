import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireRegion } from '../../server/auth/guards'
import { rolesIn } from '../../server/policy/can'
import { onlyPanelMember } from '../../server/policy/memberships'
import { panelHome } from '../../server/modules/panels/queries'
import { regionOverview } from '../../server/modules/regions/queries'
import { BarChart } from '../components/BarChart'
import { PanelHome } from '../components/PanelHome'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/**
 * A region's home page. People who are only panel members here get a home of their own, in plain
 * words: what is open for their reaction, what happened with their reactions, who to ask. Everyone
 * else sees their roles, what they may do here, and the region at a glance.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region, abilities } = await requireRegion(request, context, params.region)
  const here = auth.actor.memberships.filter((m) => m.regionId === region.id)
  const base = { region, name: auth.user.name }
  if (onlyPanelMember(here)) return { ...base, panel: await panelHome(context.db, auth.actor, region.id, context.clock()), staff: null }
  return { ...base, panel: null, staff: { abilities, roles: [...rolesIn(auth.actor, region.id)], ...(await regionOverview(context.db, region.id)) } }
}

export default function RegionHome() {
  const { region, name, panel, staff } = useLoaderData<typeof loader>()
  if (panel) return <PanelHome slug={region.slug} regionName={region.name} name={name} home={panel} />
  return <StaffHome region={region} name={name} staff={staff!} />
}

type Staff = NonNullable<Awaited<ReturnType<typeof loader>>['staff']>

function StaffHome({ region, name, staff }: { region: { slug: string; name: string; description: string }; name: string; staff: Staff }) {
  const { abilities, roles, municipalities, organisationCount, countByKind } = staff
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
