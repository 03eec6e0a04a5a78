import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { consoleErrors, expectNoAxeViolations, hydrated, REGION, regionMenu, screenshot, uncaughtErrors } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * Getting in for the first time: an invitation link, and a panel code with guardian consent; where
 * a panel member lands (their own home, issue 8 "Words"), and the coordinator's list of issued codes.
 */
e2eSuite('e2e: invitations and panel codes', (portal) => {
  it('an invited person opens the link in another browser, makes an account and lands in the region; the link then says it was used', async () => {
    const admin = await portal.newPage('regiocoordinator@samenspel.example')
    const guest = await portal.newPage()
    try {
      await admin.goto(`/regio/${REGION}/beheer/uitnodigingen`)
      await hydrated(admin)
      const form = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Uitnodigen' }) })
      await form.getByLabel('E-mailadres').fill('Nieuwe.Collega@Gemeente-Haarlem.example')
      await form.getByLabel('Organisatie').selectOption({ label: 'Gemeente Haarlem (Gemeente)' })
      await form.getByLabel('Rol').selectOption({ label: 'wethouder' })
      await form.getByRole('button', { name: 'Uitnodigen' }).click()

      const created = admin.getByRole('status').filter({ hasText: 'Uitnodiging gemaakt' })
      await created.waitFor()
      expect(await created.innerText()).toContain('nieuwe.collega@gemeente-haarlem.example')
      const link = (await created.locator('code.invite-link').innerText()).trim()
      expect(link).toMatch(new RegExp(`^${portal.server.url}/uitnodiging/[A-Za-z0-9_-]{20,}$`))
      // The table lists it as open.
      const row = admin.getByRole('row').filter({ hasText: 'nieuwe.collega@gemeente-haarlem.example' })
      await row.waitFor()
      expect(await row.getByRole('cell').allInnerTexts()).toEqual(
        expect.arrayContaining(['Gemeente Haarlem', 'wethouder', 'open']),
      )

      // A fresh browser opens the link.
      const opened = await guest.goto(link)
      expect(opened?.status()).toBe(200)
      expect(await guest.getByRole('main').innerText()).toContain(
        'U bent uitgenodigd voor IJmond en Zuid-Kennemerland als wethouder bij Gemeente Haarlem.',
      )
      await hydrated(guest)
      // Too short a password first: a clear message, nothing created.
      await guest.getByLabel('Uw naam').fill('Nieuwe Collega')
      await guest.getByLabel('Wachtwoord').fill('te kort')
      await guest.getByRole('button', { name: 'Uitnodiging aannemen' }).click()
      await expect.poll(() => guest.locator('#f-password-error').textContent()).toContain('minstens 12 tekens')
      expect(await guest.getByLabel('Wachtwoord').getAttribute('aria-invalid')).toBe('true')

      await guest.getByLabel('Wachtwoord').fill('een lange zin als wachtwoord')
      await guest.getByRole('button', { name: 'Uitnodiging aannemen' }).click()
      await guest.waitForURL(`**/regio/${REGION}`)
      await guest.getByRole('heading', { level: 1, name: 'IJmond en Zuid-Kennemerland' }).waitFor()
      expect(await guest.getByRole('main').innerText()).toContain('Welkom, Nieuwe Collega')
      const guestMenu = await regionMenu(guest)
      expect(guestMenu).toContain('Start')
      for (const item of ['Beheer', 'Panels', 'Logboek']) expect(guestMenu).not.toContain(item)

      // The link works once.
      const again = await guest.goto(link)
      expect(again?.status()).toBe(410)
      expect(await guest.getByRole('alert').innerText()).toBe('Deze uitnodiging is al gebruikt. Log in met uw account.')
      expect(await guest.getByLabel('Wachtwoord').count()).toBe(0)

      // The admin sees it accepted, and the new person among the members.
      await admin.reload()
      expect(await row.getByRole('cell').allInnerTexts()).toContain('aangenomen')
      await admin.goto(`/regio/${REGION}/beheer/leden`)
      const member = admin.getByRole('row').filter({ hasText: 'nieuwe.collega@gemeente-haarlem.example' })
      // name and e-mail share the first column (DataTable, ADR 0016)
      expect((await member.getByRole('cell').first().innerText()).split('\n')[0]).toBe('Nieuwe Collega')
    } finally {
      await admin.context().close()
      await guest.context().close()
    }
  })

  it('a panel member under 16 logs in with a code (any case, spaces), waits for consent, and gets in once the coordinator records it', async () => {
    const coordinator = await portal.newPage('beleidsmedewerker@samenspel.example')
    const member = await portal.newPage()
    try {
      await coordinator.goto(`/regio/${REGION}/panels`)
      await hydrated(coordinator)
      await coordinator.getByLabel('Panel', { exact: true }).selectOption({ label: 'Jongerenpanel IJmond en Zuid-Kennemerland' })
      await coordinator.getByLabel('Jonger dan 16').check()
      await coordinator.getByRole('button', { name: 'Code maken' }).click()
      const code = (await coordinator.getByTestId('panel-code').innerText()).trim()
      expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/)

      // The member types it in lower case with spaces instead of dashes.
      const typed = ` ${code.toLowerCase().replaceAll('-', ' ')} `
      await member.goto('/panelcode')
      await hydrated(member)
      await member.getByLabel('Je code').fill(typed)
      await member.getByRole('button', { name: 'Verder' }).click()
      await member.getByText('Je code klopt. Kies nu je naam.').waitFor()
      // Under 16: a choice of safe names, no text field (ADR 0012).
      expect(await member.getByLabel('Hoe wil je heten?').count()).toBe(0)
      const choice = member.getByRole('group', { name: 'Kies je naam' }).getByRole('radio').first()
      const name = (await choice.getAttribute('value'))!
      await choice.check()
      await member.getByRole('button', { name: 'Verder' }).click()
      await member.waitForURL((url) => url.pathname === '/')
      await member.getByRole('heading', { level: 1, name: `Welkom, ${name}` }).waitFor()
      expect(await member.getByRole('heading', { level: 2 }).innerText()).toBe('Even wachten op toestemming')
      // Without consent the region stays closed.
      expect((await member.goto(`/regio/${REGION}`))?.status()).toBe(403)

      // The coordinator records the mother's consent.
      await coordinator.reload()
      const card = coordinator.getByRole('listitem').filter({ has: coordinator.getByRole('heading', { name: new RegExp(`^${name}`) }) })
      expect(await card.innerText()).toContain('Toestemming: nog niet gegeven')
      await card.getByLabel('Gegeven door').fill('moeder')
      await card.getByRole('button', { name: 'Toestemming vastleggen' }).click()
      await coordinator.getByRole('status').filter({ hasText: 'Toestemming vastgelegd.' }).waitFor()
      await expect.poll(() => card.innerText()).toMatch(/gegeven door moeder, vastgelegd door Esther Koopmanschap/)

      // The member reloads the start page and is taken into the region.
      await member.goto('/')
      await member.waitForURL(`**/regio/${REGION}`)
      // Only a panel member: their own home, in plain words (issue 8).
      await member.getByRole('heading', { level: 1, name: `Hoi ${name}` }).waitFor()
      expect(await member.getByTestId('panel-home').innerText()).toContain('Je zit in een panel van IJmond en Zuid-Kennemerland.')
      const memberMenu = await regionMenu(member)
      expect(memberMenu).toContain('Start')
      for (const item of ['Beheer', 'Panels', 'Logboek']) expect(memberMenu).not.toContain(item)
      // The code worked once.
      await portal.withPage(undefined, async (third) => {
        await third.goto('/panelcode')
        await third.getByLabel('Je code').fill(code)
        await third.getByRole('button', { name: 'Verder' }).click()
        expect(await third.getByRole('alert').innerText()).toContain('Deze code werkt niet.')
      })
    } finally {
      await coordinator.context().close()
      await member.context().close()
    }
  })

  /** Requests the page made that failed (4xx/5xx), such as a missing favicon. */
  const failedRequests = (page: Page) => {
    const failed: string[] = []
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`)
    })
    return failed
  }

  it('a 14-year-old panel member lands on a home in plain words with only what they can do', async () => {
    const page = await portal.newPage('jongere@samenspel.example')
    const failed = failedRequests(page)
    try {
      await page.goto(`/regio/${REGION}`)
      await hydrated(page)
      await page.getByRole('heading', { level: 1, name: /^Hoi / }).waitFor()
      const home = page.getByTestId('panel-home')
      const text = await home.innerText()
      for (const words of ['Hier kun je nu op reageren', 'Je reacties', 'Vragen?']) expect(text).toContain(words)
      for (const words of ['dialooggerichte', 'Uw rollen', 'panellid', 'Documenten lezen en samen schrijven', 'Organisaties per soort']) {
        expect(text, words).not.toContain(words)
      }
      await home.getByRole('link', { name: 'De leidende principes: lees ze en zeg wat je ervan vindt' }).waitFor()
      expect(await home.getByRole('link', { name: /Bekijk je reacties en de antwoorden \(\d+ beantwoord\)/ }).getAttribute('href')).toBe('/mijn-reacties')
      await expectNoAxeViolations(page, 'panel home')
      // The browser asks for the linked icon; nothing fails to load.
      const icon = await page.evaluate(async () => {
        const href = document.querySelector<HTMLLinkElement>('link[rel="icon"][type="image/svg+xml"]')!.href
        const res = await fetch(href)
        return { status: res.status, type: res.headers.get('content-type') }
      })
      expect(icon.status).toBe(200)
      expect(icon.type).toMatch(/^image\/svg\+xml/)
      await page.setViewportSize({ width: 375, height: 800 })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await screenshot(page, 'panel-home-375')
      expect(failed).toEqual([])
      expect(consoleErrors(page)).toEqual([])
      expect(uncaughtErrors(page)).toEqual([])
    } finally {
      await page.context().close()
    }
  })

  it('the coordinator revokes an issued code: it shows as revoked, the message is announced and focus stays on the page', async () => {
    const page = await portal.newPage('beleidsmedewerker@samenspel.example')
    const failed = failedRequests(page)
    try {
      await page.goto(`/regio/${REGION}/panels`)
      await hydrated(page)
      await page.getByRole('button', { name: 'Code maken' }).click()
      const code = (await page.getByTestId('panel-code').innerText()).trim()
      const row = page.getByTestId('issued-code').first()
      await expect.poll(() => row.innerText()).toContain('nog niet gebruikt')
      expect(await page.locator('section[aria-labelledby="issued-codes"]').innerText()).not.toContain(code)
      await row.getByRole('button', { name: /^Code intrekken: nieuw panellid/ }).click()
      await page.getByRole('status').filter({ hasText: 'Code ingetrokken.' }).waitFor()
      await expect.poll(() => page.getByTestId('issued-code').first().innerText()).toContain('ingetrokken')
      // The button is gone with the open state: focus is on the list's heading, not lost to <body>.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('issued-codes')
      await expectNoAxeViolations(page, 'panels with issued codes')
      await page.setViewportSize({ width: 375, height: 800 })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await screenshot(page, 'panels-codes-375')
      expect(failed).toEqual([])
      expect(consoleErrors(page)).toEqual([])
    } finally {
      await page.context().close()
    }
  })
})
