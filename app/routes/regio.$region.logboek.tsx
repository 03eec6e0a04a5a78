import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { eventGroups } from '../../server/modules/audit/events'
import { auditActors, latestCheckpoints, logbookPage, verifyAuditForRegion } from '../../server/modules/audit/queries'
import { filterParams, parseLogQuery } from '../../server/modules/audit/schemas'
import { AuditEntries, AuditFilterForm, Checkpoints, VerificationNotice } from '../components/AuditLog'
import { SubmitButton } from '../components/forms'
import { getLocale } from '../i18n/locale.server'
import { useT } from '../i18n/use'

const PAGE = 50
/** Checkpoints shown (and printed) with the log: enough to compare a printout with a later one. */
const CHECKPOINTS = 5

/** The region's logbook as sentences, narrowed by who, what and period (GET), paged back by seq. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  const url = new URL(request.url)
  const query = parseLogQuery(url.searchParams)
  const locale = await getLocale(request)
  const base = { groups: eventGroups, checkpoints: latestCheckpoints(context.db, CHECKPOINTS), now: context.clock().toISOString() }
  if (!query.ok) {
    const actors = await auditActors(context.db, region.id)
    return data({ ...base, actors, entries: [], next: null, filtered: null, download: null, values: query.values, errors: query.errors }, { status: 400 })
  }
  const page = await logbookPage(context.db, region.id, { ...query.data, limit: PAGE, locale })
  const download = `/regio/${region.slug}/logboek.csv?${filterParams(query.data.filter)}`
  return data({ ...base, ...page, download, values: Object.fromEntries(url.searchParams), errors: undefined })
}

/**
 * Verifying walks the whole chain and compares it with the checkpoints; it changes nothing in the
 * database but appends the verified head to the checkpoint file, so it is a POST.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  return verifyAuditForRegion(context.db, region.id)
}

export default function AuditLog() {
  const { entries, next, checkpoints, now, actors, groups, values, errors, filtered, download } = useLoaderData<typeof loader>()
  const verified = useActionData<typeof action>()
  const t = useT()
  return (
    <div className="content">
      <Heading level={1}>{t('audit.title')}</Heading>
      <Paragraph>{t('audit.intro')}</Paragraph>
      <Form method="post" className="no-print">
        <SubmitButton secondary>{t('audit.verify')}</SubmitButton>
      </Form>
      {verified ? <VerificationNotice verified={verified} /> : null}
      <AuditFilterForm actors={actors} groups={groups} values={values} errors={errors} />
      {filtered ? <Paragraph role="status">{t('audit.filter.shown', { filter: filtered })}</Paragraph> : null}
      {download ? (
        <Paragraph className="no-print">
          <a href={download} download>
            {t('audit.export')}
          </a>
        </Paragraph>
      ) : null}
      {entries.length === 0 && !errors ? <Paragraph>{filtered ? t('audit.filter.none') : t('audit.empty')}</Paragraph> : null}
      {entries.length > 0 ? <AuditEntries entries={entries} /> : null}
      {next ? (
        <Paragraph className="no-print">
          <Link to={next}>{t('audit.older')}</Link>
        </Paragraph>
      ) : null}
      <Checkpoints checkpoints={checkpoints} now={now} />
    </div>
  )
}
