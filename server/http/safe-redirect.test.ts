import { describe, expect, it } from 'vitest'
import { safeRedirect } from './safe-redirect'
import { hostile } from './safe-redirect.payloads'

describe('safeRedirect', () => {
  it.each(hostile)('refuses %j', (payload) => {
    expect(safeRedirect(payload)).toBe('/')
    expect(safeRedirect(payload, '/regio')).toBe('/regio')
  })

  it('refuses anything but a string', () => {
    for (const v of [undefined, null, 42, ['/a'], { toString: () => '/a' }]) expect(safeRedirect(v)).toBe('/')
  })

  it.each([
    ['/', '/'],
    ['/profiel', '/profiel'],
    ['/regio/ijsselland/documenten/abc123', '/regio/ijsselland/documenten/abc123'],
    ['/regio/ijsselland/logboek?voor=40', '/regio/ijsselland/logboek?voor=40'],
    ['/uitnodiging/AbC-123_x', '/uitnodiging/AbC-123_x'],
    ['/regio/x/principes#c-12', '/regio/x/principes#c-12'],
    ['/zoek?q=jeugd%20zorg', '/zoek?q=jeugd%20zorg'],
  ])('keeps the path on this site %j', (target, expected) => {
    expect(safeRedirect(target)).toBe(expected)
  })

  it('returns a normalised, ASCII-only path (what lands in the Location header)', () => {
    expect(safeRedirect('/regio/a/../b')).toBe('/regio/b')
    expect(safeRedirect('/zoek?q=ë')).toBe('/zoek?q=%C3%AB')
    expect(safeRedirect('/／evil.example')).toBe('/%EF%BC%8Fevil.example')
    // Whatever came in, the answer never lets a browser leave the site.
    for (const payload of hostile) {
      const out = safeRedirect(payload)
      expect(new URL(out, 'https://samenspel.example').origin).toBe('https://samenspel.example')
    }
  })
})
