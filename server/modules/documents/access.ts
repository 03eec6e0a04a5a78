import type { AppLoadContext } from '@remix-run/node'
import { forbidden, notFound, requireRegion } from '../../auth/guards'
import { can } from '../../policy/can'
import { documentStanding, findDocument } from './queries'

/**
 * The guard of a document's pages: a member of the region in the URL (else login, 404 or 403 from
 * requireRegion), a document of that region (else 404: an id from another region does not exist
 * here), and allowed to `need` it at the server's clock (else 403). Returns what it checked, with
 * the person's abilities on the document for the page's buttons.
 */
export async function requireDocument(
  request: Request,
  context: AppLoadContext,
  params: { region?: string; documentId?: string },
  need: 'read' | 'comment' | 'edit' = 'read',
) {
  const checked = await requireRegion(request, context, params.region)
  const doc = params.documentId ? await findDocument(context.db, params.documentId) : undefined
  if (!doc || doc.region_id !== checked.region.id) notFound()
  const standing = documentStanding(checked.auth.actor, doc, context.clock())
  if (!can(checked.auth.actor, need, standing.resource)) forbidden()
  return { ...checked, doc, ...standing }
}
