import http from 'node:http'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { hostile } from '../../server/http/safe-redirect.payloads'
import { notify } from '../../server/modules/comments/notifications'
import { client, loginAs, testDialects, type TestServer } from '../support/server'
import { liveServer } from '../support/live'

/**
 * The HTTP edge (issue 7, section 3): body limits before anything reads, redirects only to this
 * site, throttling that an attacker cannot turn against the real person, private pages not cached,
 * and no state change on GET. Waits are for conditions (a response, a closed socket), never for time.
 */
const ALDERMAN = 'wethouder@samenspel.example'
const PASSWORD = 'samenspel-demo'
const MB = 1024 * 1024

/** A raw HTTP/1.1 exchange over one socket, so the test controls exactly what is sent. */
function rawExchange(server: TestServer) {
  const socket = net.connect(server.port, '127.0.0.1')
  let response = ''
  let closed = false
  let answered: () => void
  const answer = new Promise<void>((resolve) => (answered = resolve))
  const closing = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true
      answered()
      resolve()
    }),
  )
  socket.on('data', (d) => {
    response += d.toString('latin1')
    answered()
  })
  // Writing after the server has hung up gives EPIPE or ECONNRESET: that is the point.
  socket.on('error', () => {})
  return {
    socket,
    connected: new Promise<void>((resolve) => socket.once('connect', () => resolve())),
    /** resolves at the first byte of the answer or when the connection closes */
    answer,
    closing,
    get response() {
      return response
    },
    get closed() {
      return closed
    },
  }
}

/**
 * Posts `first` and then up to `total` bytes of padding as a chunked body, 64 KB at a time, waiting
 * for the socket to drain between pieces. Stops as soon as the server answers or hangs up, and
 * tells how much was handed to the socket by then.
 */
async function postChunked(server: TestServer, path: string, first: string, total: number) {
  const x = rawExchange(server)
  await x.connected
  x.socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.origin}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
  )
  const frame = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')])
  const piece = frame(Buffer.alloc(64 * 1024, 'a'))
  x.socket.write(frame(Buffer.from(first)))
  let written = first.length
  while (x.response === '' && !x.closed && written < total) {
    const flushed = x.socket.write(piece)
    written += 64 * 1024
    if (!flushed) await Promise.race([new Promise((r) => x.socket.once('drain', r)), x.answer])
  }
  if (x.response === '' && !x.closed) x.socket.write('0\r\n\r\n')
  await x.closing
  return { response: x.response, written }
}

/** A form POST from a given local address (the loopback has all of 127/8), as a browser would send it. */
function postFrom(server: TestServer, localAddress: string, path: string, form: Record<string, string>) {
  const body = new URLSearchParams(form).toString()
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'POST',
        localAddress,
        headers: { Origin: server.origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function sessionCount(server: TestServer) {
  return (await server.context.db.selectFrom('sessions').select('id').execute()).length
}

describe.each(testDialects())('the HTTP edge on %s', (dialect) => {
  const live = liveServer({ dialect })

  describe('body size', () => {
    it('answers a declared 200 MB body with 413 at once, before a byte of it is sent, and closes', async () => {
      const x = rawExchange(live.server)
      await x.connected
      x.socket.write(
        `POST /taal HTTP/1.1\r\nHost: 127.0.0.1:${live.server.port}\r\nOrigin: ${live.server.origin}\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${200 * MB}\r\n\r\n`,
      )
      // Nothing of the body is sent: the answer must come from the header alone.
      await x.closing
      expect(x.response).toMatch(/^HTTP\/1\.1 413 /)
      expect(x.response).toMatch(/\r\nConnection: close\r\n/i)
      expect(x.response).toContain('Te groot: dit verzoek is groter dan 64 kB')
      expect(x.response).toContain('Too large')
      expect(x.response).not.toMatch(/set-cookie/i)
    })

    it('refuses a declared 200 MB body before saying "100 Continue" to a client that waits for it', async () => {
      const x = rawExchange(live.server)
      await x.connected
      x.socket.write(
        `POST /taal HTTP/1.1\r\nHost: 127.0.0.1:${live.server.port}\r\nOrigin: ${live.server.origin}\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${200 * MB}\r\nExpect: 100-continue\r\n\r\n`,
      )
      await x.closing
      expect(x.response).toMatch(/^HTTP\/1\.1 413 /)
      expect(x.response).not.toContain('100 Continue')
      expect(x.response).toContain('Te groot')
    })

    it('cuts off a chunked body at the limit: 413, connection closed, nothing written', async () => {
      const before = await sessionCount(live.server)
      const login = `email=${encodeURIComponent(ALDERMAN)}&password=${PASSWORD}&terug=%2F&pad=`
      const { response, written } = await postChunked(live.server, '/inloggen', login, 100 * MB)
      expect(response).toMatch(/^HTTP\/1\.1 413 /)
      expect(response).toContain('Te groot')
      expect(response).not.toMatch(/set-cookie/i)
      // Refused by bytes: far less than the 100 MB went out (what did is in the sockets' buffers).
      expect(written).toBeLessThan(32 * MB)
      expect(await sessionCount(live.server)).toBe(before)
    })

    it('lets a chunked body within the limit through, whole', async () => {
      const { response } = await postChunked(live.server, '/taal', 'taal=en&terug=%2Fprofiel', 0)
      expect(response).toMatch(/^HTTP\/1\.1 302 /)
      expect(response).toMatch(/\r\nLocation: \/profiel\r\n/i)
      expect(response).toMatch(/Set-Cookie: samenspel_lang=/i)
    })

    it('gives a form the default limit and the document page (comments) more', async () => {
      const form = { taal: 'en', terug: '/', pad: 'a'.repeat(100 * 1024) }
      expect((await client(live.server)('/taal', { form })).status).toBe(413)
      const doc = await client(live.server)('/regio/ijsselland/documenten/bestaat-niet', { form })
      expect(doc.status).not.toBe(413)
    })
  })

  describe('redirects only within this site', () => {
    const issue = '/\t/evil.example/phish' // /inloggen?terug=%2F%09%2Fevil.example%2Fphish

    it('the login page carries no hostile target along, and logging in lands on this site', async () => {
      const page = await client(live.server)(`/inloggen?terug=${encodeURIComponent(issue)}`)
      expect(await page.text()).toContain('<input type="hidden" name="terug" value="/"/>')
      for (const terug of [issue, ...hostile.slice(0, 12)]) {
        const res = await client(live.server)('/inloggen', { form: { email: ALDERMAN, password: PASSWORD, terug } })
        expect(res.status, JSON.stringify(terug)).toBe(302)
        expect(res.headers.get('location'), JSON.stringify(terug)).toBe('/')
      }
      const fine = await client(live.server)('/inloggen', { form: { email: ALDERMAN, password: PASSWORD, terug: '/profiel?tab=1' } })
      expect(fine.headers.get('location')).toBe('/profiel?tab=1')
    })

    it('the language switch goes back to this site only, for every known payload', async () => {
      // (A target over 2,000 characters is refused by the form's schema with 400 before any redirect.)
      for (const terug of [issue, ...hostile.filter((h) => h.length <= 2000)]) {
        const res = await client(live.server)('/taal', { form: { taal: 'nl', terug } })
        expect(res.status, JSON.stringify(terug)).toBe(302)
        expect(res.headers.get('location'), JSON.stringify(terug)).toBe('/')
      }
    })
  })

  describe('login throttling', () => {
    it('lets the real person in from their own address while an attacker hammers from another', async () => {
      const attacker = '127.0.0.2'
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        statuses.push((await postFrom(live.server, attacker, '/inloggen', { email: ALDERMAN, password: `geraden-${i}-wachtwoord` })).status)
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
      expect(statuses.slice(5)).toEqual([429, 429, 429])
      // Even the right password waits, from the attacker's address.
      const guessed = await postFrom(live.server, attacker, '/inloggen', { email: ALDERMAN, password: PASSWORD })
      expect(guessed.status).toBe(429)
      expect(Number(guessed.headers['retry-after'])).toBeGreaterThanOrEqual(60)
      // The alderman, from the town hall, at the same moment.
      const real = await postFrom(live.server, '127.0.0.1', '/inloggen', { email: ALDERMAN, password: PASSWORD })
      expect(real.status).toBe(302)
      expect(String(real.headers['set-cookie'])).toContain('samenspel_session=')
    })

    it('keeps a limit per address over all accounts', async () => {
      const sprayer = '127.0.0.3'
      for (let i = 0; i < 20; i++) {
        const res = await postFrom(live.server, sprayer, '/inloggen', { email: `persoon${i}@samenspel.example`, password: 'zomer2026-wachtwoord' })
        expect(res.status).toBe(401)
      }
      const next = await postFrom(live.server, sprayer, '/inloggen', { email: 'beoordelaar@samenspel.example', password: PASSWORD })
      expect(next.status).toBe(429)
      expect(Number(next.headers['retry-after'])).toBeGreaterThan(14 * 60)
      const elsewhere = await postFrom(live.server, '127.0.0.4', '/inloggen', { email: 'beoordelaar@samenspel.example', password: PASSWORD })
      expect(elsewhere.status).toBe(302)
    })
  })

  describe('headers', () => {
    it('a logged-in page is not stored by any cache, and every page denies camera, microphone and location', async () => {
      const cookie = await loginAs(live.server, ALDERMAN)
      for (const path of ['/profiel', '/mijn-reacties', '/regio/ijmond-zuid-kennemerland']) {
        const res = await client(live.server, cookie)(path)
        expect(res.status, path).toBe(200)
        expect(res.headers.get('cache-control'), path).toBe('no-store')
      }
      for (const res of [await client(live.server, cookie)('/profiel'), await client(live.server)('/inloggen')]) {
        const policy = res.headers.get('permissions-policy') ?? ''
        for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()']) expect(policy).toContain(feature)
      }
      // Static assets are the same for everyone and stay cacheable.
      const html = await (await client(live.server, cookie)('/profiel')).text()
      const asset = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1]
      expect(asset).toBeTruthy()
      expect((await client(live.server, cookie)(asset!)).headers.get('cache-control')).toMatch(/max-age=\d+/)
    })

    it('marks the language cookie Secure where cookies are secure (production)', async () => {
      const insecure = await client(live.server)('/taal', { form: { taal: 'en', terug: '/' } })
      expect(insecure.headers.getSetCookie().join('\n')).not.toMatch(/;\s*Secure/i)
      live.server.context.config.cookieSecure = true
      try {
        const res = await client(live.server)('/taal', { form: { taal: 'en', terug: '/' } })
        const lang = res.headers.getSetCookie().find((c) => c.startsWith('samenspel_lang='))!
        expect(lang).toMatch(/;\s*Secure/i)
        expect(lang).toMatch(/;\s*HttpOnly/i)
      } finally {
        live.server.context.config.cookieSecure = false
      }
    })
  })

  describe('no state change on GET', () => {
    it('opening Mijn reacties leaves notifications unread; the button marks the ones shown as read', async () => {
      const db = live.server.context.db
      const user = await db.selectFrom('users').select('id').where('email', '=', 'ouder@samenspel.example').executeTakeFirstOrThrow()
      const shownAt = new Date(Date.now() - 60_000)
      await notify(db, { userId: user.id, regionId: null, kind: 'comment.answered', subjectId: null, data: { title: 'Toetsprincipe' }, now: shownAt })
      const unread = () => db.selectFrom('notifications').select(['created_at', 'read_at']).where('user_id', '=', user.id).where('read_at', 'is', null).execute()
      const cookie = await loginAs(live.server, 'ouder@samenspel.example')
      const http = client(live.server, cookie)

      for (let i = 0; i < 2; i++) {
        const page = await http('/mijn-reacties')
        const html = await page.text()
        expect(html).toContain('“Toetsprincipe” heeft antwoord gekregen')
        expect(html).toContain('Markeer als gelezen')
      }
      const before = await unread()
      expect(before.length).toBeGreaterThan(0)
      const upTo = before.map((n) => n.created_at).sort().at(-1)!

      // One more arrives after the page was opened: the button must not mark it read unseen.
      await notify(db, { userId: user.id, regionId: null, kind: 'comment.approved', subjectId: null, data: { title: 'Later' }, now: new Date(Date.parse(upTo) + 1000) })
      const marked = await http('/mijn-reacties', { form: { intent: 'markRead', upTo } })
      expect(marked.status).toBe(200)
      expect(await marked.text()).toContain('Je meldingen zijn gemarkeerd als gelezen.')
      const left = await unread()
      expect(left).toHaveLength(1)
      expect(left[0]!.created_at > upTo).toBe(true)

      expect((await http('/mijn-reacties', { form: { intent: 'markRead', upTo: 'gisteren' } })).status).toBe(400)
    })
  })
})
