import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { bodyLimit, bodyLimitFor, DEFAULT_BODY_LIMIT, KB, tooLargeMessage } from './body-limit'

describe('bodyLimitFor', () => {
  it('gives every form the default and the document page (comments) more', () => {
    expect(bodyLimitFor('/taal')).toBe(DEFAULT_BODY_LIMIT)
    expect(bodyLimitFor('/inloggen')).toBe(DEFAULT_BODY_LIMIT)
    expect(bodyLimitFor('/regio/x/documenten/abc/reacties')).toBe(DEFAULT_BODY_LIMIT)
    expect(bodyLimitFor('/regio/x/documenten/abc')).toBe(128 * KB)
    // Remix single-fetch submissions post to <path>.data
    expect(bodyLimitFor('/regio/x/documenten/abc.data')).toBe(128 * KB)
  })

  it('fits the largest comment the schema accepts, URL-encoded, in the document page limit', () => {
    const text = (n: number) => '€'.repeat(n) // 3 bytes in UTF-8, 9 once percent-encoded
    const form = new URLSearchParams({ intent: 'comment', start: 'x'.repeat(400), end: 'x'.repeat(400), quote: text(5000), body: text(2000) })
    expect(Buffer.byteLength(form.toString())).toBeLessThan(bodyLimitFor('/regio/x/documenten/abc'))
  })

  it('says in Dutch first, then English, what happened', () => {
    expect(tooLargeMessage(64 * KB)).toMatch(/^Te groot: .*64 kB[\s\S]*\nToo large: /)
  })
})

describe('bodyLimit middleware', () => {
  /** A bare Express app behind the middleware that echoes the body it could read. */
  async function echoServer() {
    const app = express()
    app.use(bodyLimit())
    app.post('*', (req, res) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => res.set('Connection', 'close').send(`got ${Buffer.concat(parts).toString()}`))
    })
    const server = http.createServer(app)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return { server, port: (server.address() as AddressInfo).port }
  }

  /** Writes `pieces` one by one (each its own write) and returns the whole answer once the server closes. */
  async function exchange(port: number, pieces: string[]) {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    let answer = ''
    socket.on('data', (d) => (answer += d))
    await new Promise((r) => socket.once('connect', r))
    for (const p of pieces) await new Promise((r) => socket.write(p, r))
    await new Promise((r) => socket.once('close', r))
    return answer
  }

  const head = 'POST /taal HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
  const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`

  it('passes a chunked body on whole and in order, also when it comes in the same packet as the headers', async () => {
    const { server, port } = await echoServer()
    try {
      const words = ['taal=en', '&terug=', '%2F', 'profiel']
      expect(await exchange(port, [head + words.map(chunk).join('') + '0\r\n\r\n'])).toMatch(/got taal=en&terug=%2Fprofiel$/)
      expect(await exchange(port, [head, ...words.map(chunk), '0\r\n\r\n'])).toMatch(/got taal=en&terug=%2Fprofiel$/)
    } finally {
      server.close()
    }
  })

  it('refuses a chunked body that passes the limit, without the handler ever running', async () => {
    const { server, port } = await echoServer()
    try {
      const piece = chunk('a'.repeat(16 * KB))
      const answer = await exchange(port, [head, ...Array.from({ length: 5 }, () => piece), '0\r\n\r\n'])
      expect(answer).toMatch(/^HTTP\/1\.1 413 /)
      expect(answer).not.toContain('got ')
    } finally {
      server.close()
    }
  })
})
