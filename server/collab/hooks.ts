import type { IncomingMessage } from 'node:http'
import type { RoomPresence } from './presence'
import type { Actor, Permission } from '../policy/can'
import type { Conn } from './room'

/**
 * The named hooks through which rules reach the collaboration server, so that a rule (a deadline,
 * a notice to the decision log, presence checks) never means editing the room's internals.
 * Each is optional except authorize; see ADR 0011.
 */

/** Who is connecting and what they may do, decided before any websocket exists. */
export type UpgradeDecision =
  | { ok: true; userId: string; actor: Actor; docId: string; permission: Exclude<Permission, 'none'> }
  | { ok: false; status: 401 | 403 | 404; reason: string }

export type Verdict = { ok: true } | { ok: false; reason: string; recheckAccess?: boolean }

export interface UpdateAttempt {
  docId: string
  userId: string
  permission: Permission
  update: Uint8Array
  /** the server clock when the update is judged */
  now: Date
}

export interface StoredUpdate {
  docId: string
  seq: number
  /** the stored row (several clients' updates merged) */
  update: Uint8Array
  /** whose updates are in it (empty for a change the server made) */
  userIds: string[]
  storedAt: Date
}

/**
 * ok: apply `update` (the client's, or a rewritten one; null: apply nothing, e.g. only echoes).
 * not ok: drop the message; with a closeCode (44xx) also close the connection.
 */
export type AwarenessVerdict = { ok: true; update?: Uint8Array | null } | { ok: false; reason: string; closeCode?: number }

/**
 * The sending connection, the same object for every message of it (hooks may key a WeakMap on
 * it). `awarenessIds` are the client ids it introduced: the room adds the ids it applied for this
 * connection and removes their states when it closes; a hook may move an id between connections.
 */
export type AwarenessConn = Pick<Conn, 'userId' | 'permission' | 'awarenessIds'> & { hookData?: Conn['hookData'] }

export interface AwarenessAttempt {
  docId: string
  conn: AwarenessConn
  /** the awareness update as the client sent it (awarenessProtocol.encodeAwarenessUpdate) */
  update: Uint8Array
  /** the room's presence: each client id's clock and whether a state is held */
  presence: RoomPresence
  /** every connection of the room (the room always passes it) */
  conns?: ReadonlyMap<unknown, AwarenessConn>
  /** the server clock (the room always passes it) */
  now?: Date
}

export interface AccessNotice {
  docId?: string
  userId?: string
}

export interface CollabHooks {
  /** At the upgrade: session, Origin, permission. Refusals answer with an HTTP status. */
  authorize(req: IncomingMessage): Promise<UpgradeDecision>
  /** The permission a connected user has now (after a lock, a deadline, a role change). */
  permissionOf(userId: string, docId: string): Promise<Permission>
  /**
   * Before an update is stored and applied, on every update: may refuse with a reason. A refusal
   * with recheckAccess makes the server look up every connection's permission again at once.
   */
  beforeUpdate?(attempt: UpdateAttempt): Verdict | Promise<Verdict>
  /** After an update is stored (and applied): synchronous and cheap, errors are logged. */
  afterStored?(stored: StoredUpdate): void
  /**
   * Before a presence (awareness) update is applied and relayed: may rewrite it or close the
   * connection (a 44xx code). Synchronous: presence is frequent.
   */
  beforeAwareness?(attempt: AwarenessAttempt): AwarenessVerdict
  /**
   * A connection was accepted, before the room sends it anything or handles its messages (they
   * wait): load what later hooks need into conn.hookData. A failure closes the connection (1011).
   */
  connected?(c: { docId: string; conn: Conn }): void | Promise<void>
  /** Access changed (a lock, a deadline, a membership): before the server looks permissions up again. */
  accessChanged?(notice: AccessNotice): void
  /**
   * When a loaded document's permissions change by time alone (a deadline), or null: the server
   * looks up every connection's permission again once its clock passes that moment.
   */
  accessChangesAt?(docId: string): Promise<Date | null>
}
