import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireAbility } from '../../server/auth/guards'
import { csvHeaders, downloadRefused } from '../../server/lib/csv'
import { recordExport } from '../../server/modules/audit/commands'
import { auditCsvStream } from '../../server/modules/audit/export'
import { parseLogQuery } from '../../server/modules/audit/schemas'
import { translate } from '../i18n/messages'
import { getLocale } from '../i18n/locale.server'

/**
 * The filtered logbook as CSV for Dutch Excel, in the reader's language, streamed a page at a time.
 * Who may read the page may download it; the download itself is recorded (who, which filter).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region, auth } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  const locale = await getLocale(request)
  const query = parseLogQuery(new URL(request.url).searchParams)
  if (!query.ok) return downloadRefused(translate(locale, 'audit.export.invalid'), 400)
  const { filter } = query.data
  await recordExport(context.db, { actorId: auth.actor.userId, regionId: region.id, filter, now: context.clock() })
  return new Response(auditCsvStream(context.db, region.id, { filter, locale }), {
    headers: { ...csvHeaders(`${translate(locale, 'audit.csv.file')}-${region.slug}`), 'Cache-Control': 'no-store' },
  })
}
