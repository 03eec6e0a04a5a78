import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestHandler, Response } from 'express'

/**
 * Request bodies are limited before anything reads them. Remix's Express adapter streams `req`
 * into a web Request and `request.formData()` then reads all of it into memory, so without this a
 * single 100 MB post to /taal grew the process by 320 MB before the route could say 400.
 *
 * - A declared Content-Length over the limit is refused at once with 413; nothing is read.
 * - A body without a length (chunked) is counted while it arrives and is held back from the
 *   application until it is complete; past the limit the answer is 413 and the connection closes,
 *   so at most `limit` bytes of it are ever kept. The route therefore only ever sees a complete
 *   body within the limit, and never races with a half-sent 413.
 */
export const KB = 1024

/** Every form of the portal fits in this: the largest is a comment (see the table below). */
export const DEFAULT_BODY_LIMIT = 64 * KB

export interface BodyLimitRule {
  /** Matches the path without a trailing `.data` (Remix single-fetch submissions post to `<path>.data`). */
  path: RegExp
  limit: number
  /** Why this route needs more than the default: keep the table honest. */
  why: string
}

/** Routes that may send more than the default. Add an upload here, with its reason. */
export const bodyLimitRules: BodyLimitRule[] = [
  {
    path: /^\/regio\/[^/]+\/documenten\/[^/]+\/?$/,
    limit: 128 * KB,
    // quote ≤ 5,000 + body ≤ 2,000 characters; URL-encoded a 3-byte UTF-8 character takes 9 bytes.
    why: 'comment on words: up to 7,000 characters of text plus anchors, URL-encoded up to ~66 KB',
  },
]

export function bodyLimitFor(pathname: string, rules: BodyLimitRule[] = bodyLimitRules): number {
  const path = pathname.replace(/\.data$/, '')
  return rules.find((r) => r.path.test(path))?.limit ?? DEFAULT_BODY_LIMIT
}

export function tooLargeMessage(limit: number): string {
  const kb = Math.floor(limit / KB)
  return (
    `Te groot: dit verzoek is groter dan ${kb} kB en is niet verwerkt. Maak de tekst korter en probeer het opnieuw.\n` +
    `Too large: this request is larger than ${kb} kB and was not processed. Shorten the text and try again.\n`
  )
}

function refuse(res: Response, limit: number, onRefused?: (info: { path: string; limit: number }) => void) {
  if (res.headersSent) return
  onRefused?.({ path: res.req.path, limit })
  // Connection: close makes Node end the socket after this answer instead of reading (and
  // discarding) the rest of the body to keep the connection alive.
  res
    .status(413)
    .set('Connection', 'close')
    .type('text/plain; charset=utf-8')
    .send(tooLargeMessage(limit))
}

export function bodyLimit(
  opts: { rules?: BodyLimitRule[]; onRefused?: (info: { path: string; limit: number }) => void } = {},
): RequestHandler {
  return (req, res, next) => {
    const limit = bodyLimitFor(req.path, opts.rules)
    const declared = req.headers['content-length']
    if (declared !== undefined) {
      const length = Number(declared)
      // Node has already refused a malformed or duplicated Content-Length with 400.
      if (Number.isFinite(length) && length > limit) return refuse(res, limit, opts.onRefused)
      if (length === 0 || !req.headers['transfer-encoding']) return next()
    }
    if (!hasBody(req)) return next()
    holdUntilComplete(req, limit, {
      complete: () => next(),
      tooLarge: () => refuse(res, limit, opts.onRefused),
    })
  }
}

/**
 * For the server's 'checkContinue' event. A client that sends `Expect: 100-continue` (curl does,
 * for large bodies) waits for the server's go-ahead before sending the body; without this handler
 * Node says "continue" at once and the client sends megabytes before the 413. Here an oversized
 * declared length is refused before the go-ahead; anything else continues to the app as usual.
 */
export function checkContinue(app: (req: IncomingMessage, res: ServerResponse) => void, rules: BodyLimitRule[] = bodyLimitRules) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const limit = bodyLimitFor(new URL(req.url ?? '/', 'http://x').pathname, rules)
    if (Number(req.headers['content-length']) > limit) {
      res.writeHead(413, { Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(tooLargeMessage(limit))
      return
    }
    res.writeContinue()
    app(req, res)
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
}

/**
 * Node's HTTP parser hands each piece of the body to `req.push()` (the Readable implementer's API)
 * as it arrives, whether or not anyone reads. We take those pieces here instead, count them, and
 * only when the body has ended within the limit pass them on, in order, and let the application
 * run. Express calls this middleware synchronously from the 'request' event, which Node emits when
 * the headers are parsed, before any body byte is pushed; should some already be buffered (a
 * slower middleware in front), they count too and stay in front.
 */
function holdUntilComplete(req: IncomingMessage, limit: number, on: { complete: () => void; tooLarge: () => void }) {
  const push = req.push.bind(req)
  const held: Buffer[] = []
  let received = req.readableLength
  let state: 'holding' | 'passed' | 'refused' = 'holding'

  const release = () => {
    state = 'passed'
    req.push = push
    for (const chunk of held) push(chunk)
    push(null)
    on.complete()
  }

  if (req.complete) {
    if (received > limit) return on.tooLarge()
    return on.complete()
  }

  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (state === 'passed') return push(chunk, encoding)
    if (state === 'refused') return true // dropped: the socket closes once the 413 is out
    if (chunk === null) {
      release()
      return true
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding)
    received += buf.length
    if (received > limit) {
      state = 'refused'
      held.length = 0
      on.tooLarge()
      return true
    }
    held.push(buf)
    return true
  }
  // A client that gives up half-way never completes the body: let the held bytes go.
  req.once('close', () => {
    if (state === 'holding') held.length = 0
  })
}
