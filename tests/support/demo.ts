import type { DB } from '../../db/connect'

/**
 * The seeded demo (content/demo-accounts.json, content/regions): the regions tests use, the demo
 * password, and one name per demo account, so that a test says who acts (`DEMO.alderman`) and the
 * addresses live in one place.
 */
export const DEMO_REGION = 'ijmond-zuid-kennemerland'
export const OTHER_REGION = 'midden-limburg'
export const DEMO_PASSWORD = 'samenspel-demo'

export const DEMO = {
  /** region admin of both regions */
  admin: 'regiocoordinator@samenspel.example',
  alderman: 'wethouder@samenspel.example',
  /** a civil servant, who drafts the region's texts */
  drafter: 'beleidsmedewerker@samenspel.example',
  provider: 'aanbieder@samenspel.example',
  /** a member of another provider */
  competitor: 'aanbieder2@samenspel.example',
  evaluator: 'beoordelaar@samenspel.example',
  education: 'onderwijs@samenspel.example',
  parent: 'ouder@samenspel.example',
  /** a panel member under 16 */
  youth: 'jongere@samenspel.example',
  /** a civil servant of another region (Zuid-Holland Zuid), member of neither region above */
  outsider: 'beleid.zhz@samenspel.example',
} as const
export type DemoAccount = keyof typeof DEMO

/** The id of a seeded region (the demo region unless told). */
export async function regionIdOf(db: DB, slug: string = DEMO_REGION): Promise<string> {
  return (await db.selectFrom('regions').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id
}
