import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { forbidden, requireAbility } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { saveNamed, type NamedTable } from '../../server/modules/regions/commands'
import { listMunicipalities, listOrganisations } from '../../server/modules/regions/queries'
import { municipalitySchema, organisationSchema, regionRefusals } from '../../server/modules/regions/schemas'

/**
 * The loader and action of the two admin lists of a region's named things (municipalities and
 * organisations): the same guard, parse, command and reply, so the route files only name the table.
 * UI routing, not a module: it lives in app/ beside the routes that use it.
 */
const spec = {
  municipalities: { resource: 'municipality', schema: municipalitySchema, list: listMunicipalities },
  organisations: { resource: 'organisation', schema: organisationSchema, list: listOrganisations },
} as const

export async function namedListLoader<T extends NamedTable>(table: T, { request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, spec[table].resource, 'update')
  return { rows: (await spec[table].list(context.db, region.id)) as Awaited<ReturnType<(typeof spec)[T]['list']>> }
}

export async function namedListAction<T extends NamedTable>(table: T, { request, params, context }: ActionFunctionArgs) {
  const { resource, schema } = spec[table]
  const { auth, region } = await requireAbility(request, context, params.region, resource, 'create')
  const parsed = await parseForm(request, schema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const fields = parsed.data as { id?: string; name: string } & Record<string, string>
  if (fields.id && !can(auth.actor, 'update', { type: resource, regionId: region.id })) forbidden()
  // The schema of this table parsed the fields, so they are the table's own.
  const input = { ...fields, regionId: region.id, actorId: auth.user.id, now: context.clock() }
  const result = await saveNamed(context.db, table, input as Parameters<typeof saveNamed<T>>[2])
  if (!result.ok) return refusal(result, regionRefusals, fields)
  return data({ ok: true as const, errors: {} as Record<string, string>, values: {} as Record<string, string> })
}
