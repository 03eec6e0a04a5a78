import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireUser } from '../../server/auth/guards'
import { listRegionsOf } from '../../server/modules/regions/queries'
import { awaitingConsent } from '../../server/modules/accounts/login'
import { useT } from '../i18n/use'

/** The start: straight to the user's region when there is one, else a choice or an explanation. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireUser(request, context)
  const regionIds = [...new Set(auth.actor.memberships.map((m) => m.regionId))]
  const regions = await listRegionsOf(context.db, regionIds)
  if (regions.length === 1) throw redirect(`/regio/${regions[0]!.slug}`)
  return {
    name: auth.user.name,
    regions: regions.map((r) => ({ slug: r.slug, name: r.name })),
    waitingForConsent: await awaitingConsent(context.db, auth.user),
  }
}

export default function Start() {
  const { name, regions, waitingForConsent } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="content narrow">
      <Heading level={1}>{t('home.title', { name })}</Heading>
      {waitingForConsent ? (
        <section aria-labelledby="consent-title" className="card">
          <Heading level={2} id="consent-title">
            {t('consent.waitingTitle')}
          </Heading>
          <Paragraph>{t('consent.waitingText')}</Paragraph>
        </section>
      ) : regions.length === 0 ? (
        <Paragraph>{t('home.noRegions')}</Paragraph>
      ) : (
        <nav aria-labelledby="choose-region">
          <Heading level={2} id="choose-region">
            {t('home.chooseRegion')}
          </Heading>
          <ul className="tile-list">
            {regions.map((r) => (
              <li key={r.slug}>
                <Link to={`/regio/${r.slug}`} className="tile">
                  {r.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </div>
  )
}
