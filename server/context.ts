import type { DB } from '../db/connect'
import type { Dialect } from '../db/migrations/index'
import type { Config } from './env'
import type { Clock } from './lib/time'
import type { Logger } from './lib/log'
import type { CollabServer } from './collab/server'

/** What the server shares with every request: created once in createServer, never module state. */
export interface ServerContext {
  db: DB
  dialect: Dialect
  config: Config
  clock: Clock
  logger: Logger
  /** The collaboration server: routes tell it when access changes, and restore versions through it. */
  collab: CollabServer
}

export interface RequestContext extends ServerContext {
  /** The CSP nonce of this response, for the few inline scripts Remix needs. */
  nonce: string
  /** The client's address, used (hashed) only for login throttling. */
  clientAddress: string
}

declare module '@remix-run/node' {
  interface AppLoadContext extends RequestContext {}
}
