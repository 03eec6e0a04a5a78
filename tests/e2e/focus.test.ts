import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { hydrated, REGION } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * Where focus goes and what is said (WCAG 2.4.1, 2.4.3, 4.1.3, 2.4.11): the skip link passes the
 * region menu, a client-side navigation puts focus on the new page's heading and announces its
 * title, the region menu folds on a phone (with and without JavaScript), and the editor's text
 * shows focus with enough contrast.
 */
e2eSuite('e2e: focus and announcements', (portal) => {
  const base = `/regio/${REGION}`

  const active = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      return { tag: el.tagName.toLowerCase(), id: el.id, text: el.innerText.trim().slice(0, 80), inMenu: Boolean(el.closest('nav[aria-label="Regiomenu"]')) }
    })

  it('the skip link lands past the region menu, on the page content', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await page.goto(`${base}/documenten`)
      await hydrated(page)
      await page.keyboard.press('Tab')
      expect((await active(page)).text).toBe('Naar de inhoud')
      await page.keyboard.press('Enter')
      await expect.poll(async () => (await active(page)).id).toBe('inhoud')
      // The target holds the page's heading and not the menu; the next Tab stays in the content.
      const target = page.locator('#inhoud')
      expect(await target.locator('h1').innerText()).toBe('Documenten')
      expect(await target.locator('nav[aria-label="Regiomenu"]').count()).toBe(0)
      await page.keyboard.press('Tab')
      expect((await active(page)).inMenu).toBe(false)
    })
  })

  it('after a client-side navigation focus is on the new heading and the title is announced', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await page.goto(base)
      await hydrated(page)
      const announcer = page.getByTestId('route-announcer')
      expect(await announcer.getAttribute('aria-live')).toBe('polite')
      const link = page.getByRole('navigation', { name: 'Regiomenu' }).getByRole('link', { name: 'Documenten' })
      await link.focus()
      await page.keyboard.press('Enter')
      await page.waitForURL(`**${base}/documenten`)
      await expect.poll(async () => (await active(page)).tag).toBe('h1')
      expect((await active(page)).text).toBe('Documenten')
      await expect.poll(() => announcer.innerText()).toBe(await page.title())
      // Once more, to a page whose heading is another: the announcement follows.
      await page.getByRole('link', { name: 'Beheer', exact: true }).click()
      await page.waitForURL(`**${base}/beheer/gemeenten`)
      await expect.poll(async () => (await active(page)).text).toBe('Beheer')
      await expect.poll(() => announcer.innerText()).toBe(await page.title())
    })
  })

  it('on a phone the region menu is a folded disclosure, with and without JavaScript; on a desktop it is open', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await portal.newContext('beleidsmedewerker@samenspel.example')
      const page = javaScriptEnabled ? await context.newPage() : await (await portal.browser.newContext({ baseURL: portal.server.url, javaScriptEnabled: false, storageState: await context.storageState() })).newPage()
      try {
        await page.setViewportSize({ width: 375, height: 667 })
        await page.goto(base)
        if (javaScriptEnabled) await hydrated(page)
        const nav = page.getByRole('navigation', { name: 'Regiomenu' })
        const toggle = nav.locator('summary')
        const documents = nav.getByRole('link', { name: 'Documenten' })
        expect(await toggle.isVisible(), `the toggle is shown (JS ${javaScriptEnabled})`).toBe(true)
        expect(await documents.isVisible(), `the menu starts folded (JS ${javaScriptEnabled})`).toBe(false)
        expect(await expanded(page, 'nav[aria-label="Regiomenu"] summary')).toBe(false)
        await toggle.click()
        expect(await documents.isVisible(), `the menu opens (JS ${javaScriptEnabled})`).toBe(true)
        expect(await expanded(page, 'nav[aria-label="Regiomenu"] summary')).toBe(true)
        // Wide, the same menu is open without a toggle.
        await page.setViewportSize({ width: 1280, height: 900 })
        await page.goto(base)
        expect(await toggle.isVisible()).toBe(false)
        expect(await documents.isVisible()).toBe(true)
      } finally {
        await page.context().close()
        await context.close()
      }
    }
  })

  it("the editor's text shows keyboard focus with at least 3:1 contrast", async () => {
    await portal.withPage('wethouder@samenspel.example', async (page) => {
      const doc = await portal.db.selectFrom('documents').select('id').where('region_id', '=', await portal.regionId()).where('kind', '=', 'principles').executeTakeFirstOrThrow()
      await page.goto(`${base}/documenten/${doc.id}`)
      await hydrated(page)
      const text = page.locator('.ProseMirror[contenteditable="true"]')
      await text.waitFor()
      await text.focus()
      const style = await text.evaluate((el) => {
        const s = getComputedStyle(el)
        return { width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor }
      })
      expect(style.style).not.toBe('none')
      expect(style.width).toBeGreaterThanOrEqual(2)
      expect(contrast(style.color, 'rgb(255, 255, 255)'), `outline ${style.color} against white`).toBeGreaterThanOrEqual(3)
    })
  })
})

/** The expanded state the browser gives assistive technology for the element (Chrome's accessibility tree). */
async function expanded(page: Page, selector: string): Promise<boolean | undefined> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 })
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })
    const prop = nodes[0]?.properties?.find((p) => p.name === 'expanded')
    return prop ? Boolean(prop.value.value) : undefined
  } finally {
    await cdp.detach()
  }
}

/** WCAG contrast ratio of two rgb()/rgba() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/[\d.]+/g)!.slice(0, 3).map(Number).map((v) => {
      const s = v / 255
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
    })
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!
  }
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x)
  return (hi! + 0.05) / (lo! + 0.05)
}
