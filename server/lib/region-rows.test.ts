import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { freshDb, makeOrganisation, makeRegion } from '../../tests/support/db'
import { rowOfRegion } from './region-rows'

let conn: Connection
beforeEach(async () => {
  conn = await freshDb()
})
afterEach(() => conn.close())

describe('rowOfRegion', () => {
  it("finds a row of the region by its id, and not another region's row by the same id", async () => {
    const { db } = conn
    const here = await makeRegion(db)
    const there = await makeRegion(db)
    const ours = await makeOrganisation(db, here, { name: 'Gemeente Velsen' })
    const theirs = await makeOrganisation(db, there, { name: 'Gemeente Leiden' })
    expect(await rowOfRegion(db, 'organisations', here, ours).select(['name']).executeTakeFirst()).toEqual({ name: 'Gemeente Velsen' })
    expect(await rowOfRegion(db, 'organisations', here, theirs).select(['name']).executeTakeFirst()).toBeUndefined()
    expect(await rowOfRegion(db, 'organisations', here, 'bestaat-niet').select(['name']).executeTakeFirst()).toBeUndefined()
  })
})
