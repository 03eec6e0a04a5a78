import type { AppLoadContext } from '@remix-run/node'
import { forbidden, notFound, requireRegion } from '../../auth/guards'
import type { Permission } from '../../policy/can'
import { findDocument, permissionFor } from './documents'

const rank: Record<Permission, number> = { none: 0, read: 1, comment: 2, edit: 3 }

/**
 * The guard of a document page: a member of the region in the URL (else login, 404 or 403 from
 * requireRegion), a document of that region (else 404: an id from another region does not exist
 * here), and at least `need` on it (else 403).
 */
export async function requireDocument(
  request: Request,
  context: AppLoadContext,
  params: { region?: string; documentId?: string },
  need: Exclude<Permission, 'none'> = 'read',
) {
  const checked = await requireRegion(request, context, params.region)
  const doc = params.documentId ? await findDocument(context.db, params.documentId) : undefined
  if (!doc || doc.region_id !== checked.region.id) notFound()
  const permission = permissionFor(checked.auth.actor, doc)
  if (rank[permission] < rank[need]) forbidden()
  return { ...checked, doc, permission }
}
