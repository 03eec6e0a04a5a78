import { afterAll, beforeAll } from 'vitest'
import type { DB } from '../../db/connect'
import { createDocument } from '../../server/modules/documents/commands'
import type { DocumentKind } from '../../db/schema'
import { clientPool, storedText, type Client } from './collab'
import { regionIdOf } from './demo'
import { client, loginAll, startTestServer, type TestServer, type TestServerOptions } from './server'

/**
 * The portal for an integration suite, with what its tests keep asking for: called inside a
 * `describe` (usually `describe.each(testDialects())`), it starts the server before the tests, logs
 * in `users` (name → e-mail, such as a selection of DEMO), and closes every typing client and the
 * server afterwards. A suite's own beforeAll runs after this one; its own afterAll before it.
 *
 *   const live = liveServer({ dialect }, { drafter: DEMO.drafter, alderman: DEMO.alderman })
 *   const a = live.open(await live.newDoc('Titel'), 'drafter')
 */
export function liveServer<K extends string>(opts: TestServerOptions, users: Record<K, string> = {} as Record<K, string>) {
  let server: TestServer | undefined
  let regionId = ''
  const cookie = {} as Record<K, string>
  const started = (): TestServer => {
    if (!server) throw new Error('the test server is not started yet (use it inside a test or a beforeAll)')
    return server
  }
  const clients = clientPool(started)

  const live = {
    get server(): TestServer {
      return started()
    },
    get db(): DB {
      return started().context.db
    },
    /** the demo region's id */
    get regionId(): string {
      return regionId
    },
    /** each user's session cookie */
    cookie,
    /** fetch as `who` (anonymously with null), with a browser's same-origin header */
    as: (who: K | null) => client(started(), who === null ? undefined : cookie[who]),
    /** a typing client of `who` on the document, destroyed with the suite */
    open: (docId: string, who: K, opts?: Parameters<typeof clients.open>[2]): Client => clients.open(docId, cookie[who], opts),
    /** the document's text as the store holds it */
    storedText: (docId: string) => storedText(started().context.db, docId),
    /** a new document in the demo region (a proposal unless told) */
    newDoc: (title: string, kind: DocumentKind = 'proposal', now = started().context.clock()) =>
      createDocument(started().context.db, { regionId, kind, title, actorId: null, now }),
  }

  beforeAll(async () => {
    server = await startTestServer(opts)
    Object.assign(cookie, await loginAll(server, users))
    regionId = await regionIdOf(server.context.db)
  })
  afterAll(async () => {
    clients.destroyAll()
    await server?.close()
  })
  return live
}
