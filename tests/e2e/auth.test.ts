import { expect, it } from 'vitest'
import { hydrated, loginViaForm, OTHER_REGION, REGION, regionMenu } from '../support/browser'
import { e2eSuite } from '../support/portal'

/** Logging in through the form as every demo role, the menus each one gets, and logging out elsewhere. */
e2eSuite('e2e: logging in and out', (portal) => {
  /**
   * The region-menu items that depend on the role, plus "Start" which everyone has. Items every
   * member sees (such as documents) are left out, so new shared pages do not change these cases.
   */
  const gated = (menu: string[]) => menu.filter((item) => ['Start', 'Beheer', 'Panels', 'Logboek'].includes(item))

  /** `roles`: what the staff home names as the person's roles; panel members get a home of their own, without it. */
  type Case = { email: string; region: string; menu: string[]; roles: string | null }
  const cases: Case[] = [
    { email: 'wethouder@samenspel.example', region: REGION, menu: ['Start'], roles: 'wethouder' },
    { email: 'beleidsmedewerker@samenspel.example', region: REGION, menu: ['Start', 'Panels'], roles: 'beleidsmedewerker' },
    { email: 'aanbieder@samenspel.example', region: REGION, menu: ['Start'], roles: 'medewerker aanbieder' },
    { email: 'onderwijs@samenspel.example', region: REGION, menu: ['Start'], roles: 'onderwijspartner' },
    { email: 'beoordelaar@samenspel.example', region: REGION, menu: ['Start'], roles: 'beoordelaar' },
    { email: 'ouder@samenspel.example', region: REGION, menu: ['Start'], roles: null },
    { email: 'jongere@samenspel.example', region: REGION, menu: ['Start'], roles: null },
    { email: 'beleid.ml@samenspel.example', region: OTHER_REGION, menu: ['Start', 'Panels'], roles: 'beleidsmedewerker' },
  ]

  for (const c of cases) {
    it(`${c.email} logs in through the form and sees the menu ${c.menu.join(', ')}`, async () => {
      await portal.withPage(undefined, async (page) => {
        await loginViaForm(page, c.email)
        // One region: the start page sends the user straight to it.
        await page.waitForURL(`**/regio/${c.region}`)
        expect(gated(await regionMenu(page))).toEqual(c.menu)
        if (c.roles) await expect.poll(() => page.locator('main strong').first().innerText()).toBe(c.roles)
        else await page.getByRole('heading', { level: 2, name: 'Hier kun je nu op reageren' }).waitFor()
        // One region, so no region switcher; the header offers the profile and logging out.
        await expect.poll(() => page.locator('.region-switcher').count()).toBe(0)
        expect(await page.getByRole('link', { name: 'Mijn profiel' }).isVisible()).toBe(true)
        expect(await page.getByRole('button', { name: 'Uitloggen' }).isVisible()).toBe(true)
        // What the menu hides is refused too, with the friendly 403 page.
        if (!c.menu.includes('Beheer')) {
          const res = await page.goto(`/regio/${c.region}/beheer/leden`)
          expect(res?.status()).toBe(403)
          expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Geen toegang')
        }
      })
    })
  }

  it('the region admin of two regions chooses a region, sees Beheer, Panels and Logboek, and the switcher with both', async () => {
    await portal.withPage(undefined, async (page) => {
      await loginViaForm(page, 'regiocoordinator@samenspel.example')
      // Two regions: the start page asks which one.
      await page.waitForURL((url) => url.pathname === '/')
      const choose = page.getByRole('navigation', { name: 'Kies een regio' })
      expect((await choose.getByRole('link').allInnerTexts()).sort()).toEqual(['IJmond en Zuid-Kennemerland', 'Midden-Limburg'])
      await hydrated(page)
      await choose.getByRole('link', { name: 'IJmond en Zuid-Kennemerland' }).click()
      await page.waitForURL(`**/regio/${REGION}`)
      expect(gated(await regionMenu(page))).toEqual(['Start', 'Beheer', 'Panels', 'Logboek'])

      // The switcher lists both regions, the current one marked, and switches.
      const switcher = page.locator('details.region-switcher')
      await switcher.locator('summary').click()
      const list = switcher.getByRole('list', { name: 'Mijn regio’s' })
      expect(await list.getByRole('link').allInnerTexts()).toEqual(['IJmond en Zuid-Kennemerland', 'Midden-Limburg'])
      expect(await list.getByRole('link', { name: 'IJmond en Zuid-Kennemerland' }).getAttribute('aria-current')).toBe('page')
      await list.getByRole('link', { name: 'Midden-Limburg' }).click()
      await page.waitForURL(`**/regio/${OTHER_REGION}`)
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Midden-Limburg')
      expect(gated(await regionMenu(page))).toEqual(['Start', 'Beheer', 'Panels', 'Logboek'])
      expect(await page.locator('details.region-switcher summary').innerText()).toContain('Midden-Limburg')
    })
  })

  it('a wrong password and an unknown address get the same single message, and the e-mail is kept', async () => {
    await portal.withPage(undefined, async (page) => {
      const messages: string[] = []
      for (const email of ['aanbieder@samenspel.example', 'niemand@samenspel.example']) {
        await loginViaForm(page, email, 'dit-is-niet-het-wachtwoord')
        const alert = page.getByRole('alert')
        await alert.waitFor()
        expect(await alert.count()).toBe(1)
        messages.push((await alert.innerText()).trim())
        expect(page.url()).toContain('/inloggen')
        expect(await page.getByLabel('E-mailadres').inputValue()).toBe(email)
      }
      expect(messages).toEqual([
        'Deze combinatie van e-mailadres en wachtwoord kennen we niet.',
        'Deze combinatie van e-mailadres en wachtwoord kennen we niet.',
      ])
      // Still not logged in.
      const res = await page.goto(`/regio/${REGION}`)
      expect(new URL(page.url()).pathname).toBe('/inloggen')
      expect(res?.status()).toBe(200)
    })
  })

  it('"Overal elders uitloggen" in one browser ends the session in the other', async () => {
    // A user no other test in this file logs in as, so exactly the two sessions below exist.
    const email = 'aanbieder2@samenspel.example'
    const a = await (await portal.newContext()).newPage()
    const b = await (await portal.newContext()).newPage()
    try {
      await loginViaForm(a, email)
      await a.waitForURL(`**/regio/${REGION}`)
      await loginViaForm(b, email)
      await b.waitForURL(`**/regio/${REGION}`)

      await a.goto('/profiel')
      await hydrated(a)
      // Both sessions are listed, this one marked.
      expect(await a.getByTestId('session-row').count()).toBe(2)
      expect(await a.getByTestId('session-row').filter({ hasText: '(deze sessie)' }).count()).toBe(1)
      await a.getByRole('button', { name: 'Overal elders uitloggen' }).click()
      await expect.poll(() => a.getByRole('status').innerText()).toContain('1 andere sessies beëindigd.')
      await a.reload()
      expect(await a.getByTestId('session-row').count()).toBe(1)

      // B's next navigation finds its session gone.
      await b.getByRole('link', { name: 'Mijn profiel' }).click()
      await b.waitForURL('**/inloggen?**')
      const url = new URL(b.url())
      expect(url.pathname).toBe('/inloggen')
      expect(url.searchParams.get('verlopen')).toBe('1')
      expect(await b.getByRole('status').innerText()).toContain('U bent uitgelogd.')

      // A is still logged in.
      const res = await a.goto(`/regio/${REGION}`)
      expect(res?.status()).toBe(200)
      expect(new URL(a.url()).pathname).toBe(`/regio/${REGION}`)
    } finally {
      await a.context().close()
      await b.context().close()
    }
  })
})
