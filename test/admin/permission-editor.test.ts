// The permission editor of the admin panel in headless Chromium: Action and Subject picked from what the engine checks,
// Conditions typed in a JSON editor that says a parse error as one types; invalid JSON is refused with an error notice
// and nothing is saved.
import assert from 'node:assert/strict'
import { panelVocabulary } from '../../src/admin/permission-editor.js'
import { blueprintNames, loadBlueprint } from '../../src/blueprints/index.js'
import { AUDIT_PATH } from '../../src/services/audit.js'
import { errorNotice, noticeTexts, panelDriver, panelSuite, until } from './browser.js'

describe('the admin panel: permission editor', function () {
  this.timeout(60000)
  const suite = panelSuite()
  const { logIn, choose, field } = panelDriver(() => suite.server, () => suite.browser)
  const permissions = () => suite.server.app.service('permissions') as any

  it('offers every action and subject a seeded permission of any blueprint uses, and no others than the engine checks', async () => {
    for (const name of await blueprintNames()) {
      const blueprint = await loadBlueprint(name)
      const vocabulary = panelVocabulary({ blueprint, services: { [AUDIT_PATH]: {} } } as any)
      for (const permission of blueprint.permissions) {
        assert.ok(vocabulary.actions.includes(permission.Action), `${name}: action ${permission.Action} of ${permission.PermissionName}`)
        assert.ok(vocabulary.subjects.includes(permission.Subject), `${name}: subject ${permission.Subject} of ${permission.PermissionName}`)
      }
    }
    const vocabulary = panelVocabulary(suite.server.app)
    assert.deepEqual(vocabulary.actions, ['manage', 'create', 'read', 'update', 'delete', 'access', 'respond'])
    assert.deepEqual(vocabulary.subjects.slice(0, 3), ['all', 'admin', 'appointments'])
  })

  /** Types into the Conditions editor as a person does. */
  async function typeConditions(page: any, text: string) {
    const editor = page.getByTestId('json-editor-input')
    await editor.locator('.ace_content').waitFor()
    await editor.click()
    await page.keyboard.type(text)
  }

  /** A new permission's form with its name, and Action and Subject picked by typing the start of each. */
  async function newPermission(name: string, [action, typedAction]: [string, string], [subject, typedSubject]: [string, string]) {
    const page = await logIn('admin@example.com')
    await page.goto(`${suite.server.url}/admin/resources/permissions/actions/new`)
    await page.fill('input[name=PermissionName]', name)
    await choose(page, 'Action', action, typedAction)
    await choose(page, 'Subject', subject, typedSubject)
    return page
  }

  it('creates a permission with picked Action and Subject and conditions typed as JSON', async () => {
    const page = await newPermission('respond-as-attendee-2', ['respond', 'resp'], ['appointments', 'appoint'])
    await typeConditions(page, '{ "Attendees.DeveloperId": "{{user._id}}"')
    await until(async () => assert.match(await page.getByTestId('json-problem').innerText(), /Not valid JSON/))
    await page.keyboard.type(' }')
    await until(async () => assert.equal(await page.getByTestId('json-problem').count(), 0))
    await field(page, 'Conditions').getByText('Valid JSON').waitFor()
    await page.getByRole('button', { name: 'Save' }).click()
    await until(async () => assert.ok((await noticeTexts(page)).some((notice) => /successfully/i.test(notice))))
    const [stored] = await permissions().find({ paginate: false, query: { PermissionName: 'respond-as-attendee-2' } })
    assert.deepEqual([stored.Action, stored.Subject, stored.Conditions], ['respond', 'appointments', { 'Attendees.DeveloperId': '{{user._id}}' }])
    await page.context().close()
  })

  it('refuses invalid JSON with an error notice and saves nothing, on create and on edit', async () => {
    const page = await newPermission('broken-conditions', ['read', 'rea'], ['users', 'user'])
    await typeConditions(page, '{ "ManagerId": ')
    await page.getByRole('button', { name: 'Save' }).click()
    await errorNotice(page, /Conditions must be valid JSON/)
    assert.equal((await permissions().find({ query: { PermissionName: 'broken-conditions', $limit: 0 } })).total, 0)

    const [own] = await permissions().find({ paginate: false, query: { PermissionName: 'read-own-user' } })
    await page.goto(`${suite.server.url}/admin/resources/permissions/records/${own._id}/edit`)
    const editor = page.getByTestId('json-editor-input')
    await editor.locator('.ace_content').waitFor()
    await until(async () => assert.match(await editor.innerText(), /\{\{user\._id\}\}/))
    await editor.click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type(',')
    await until(async () => assert.match(await page.getByTestId('json-problem').innerText(), /Not valid JSON/))
    await page.getByRole('button', { name: 'Save' }).click()
    await errorNotice(page, /Conditions must be valid JSON/)
    assert.deepEqual((await permissions().get(own._id)).Conditions, own.Conditions)
    await page.context().close()
  })
})
