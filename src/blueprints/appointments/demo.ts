// Demo records for a first start: an admin, two managers, three developers and their appointments.
import type { Application } from '@feathersjs/feathers'
import { roleValue } from '../../services/bootstrap.js'
import type { Blueprint, DemoLogins } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

const PEOPLE = {
  ada: { Name: 'Ada Admin', email: 'admin@example.com', role: 'Admin' },
  maria: { Name: 'Maria Manager', email: 'maria@example.com', role: 'Manager' },
  omar: { Name: 'Omar Manager', email: 'omar@example.com', role: 'Manager' },
  dev: { Name: 'Dev Patel', email: 'dev@example.com', role: 'Developer' },
  lin: { Name: 'Lin Chen', email: 'lin@example.com', role: 'Developer' },
  sam: { Name: 'Sam Okafor', email: 'sam@example.com', role: 'Developer' }
}

export const demoLogins: DemoLogins = { password: DEMO_PASSWORD, users: Object.values(PEOPLE).map(({ email, role }) => ({ email, role })) }

const day = (offset: number, hour: number) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + offset)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}

export async function demo(app: Application & { blueprint: Blueprint }) {
  const role = (name: string) => roleValue(app, app.blueprint, name)
  const users = app.service('users')
  const person = async ({ Name, email, role: roleName }: (typeof PEOPLE)[keyof typeof PEOPLE]) =>
    users.create({ Name, email, password: DEMO_PASSWORD, RoleId: await role(roleName) })

  await person(PEOPLE.ada)
  const maria = await person(PEOPLE.maria)
  const omar = await person(PEOPLE.omar)
  const dev = await person(PEOPLE.dev)
  const lin = await person(PEOPLE.lin)
  const sam = await person(PEOPLE.sam)
  // Sam has blocked Omar: Omar cannot invite Sam.
  await users.patch(sam._id, { BlockedUser: [omar._id] })

  const appointments = app.service('appointments')
  await appointments.create({ ManagerId: maria._id, AppointedDate: day(1, 9), Attendees: [{ DeveloperId: dev._id }, { DeveloperId: lin._id }] })
  await appointments.create({ ManagerId: maria._id, AppointedDate: day(2, 14), Attendees: [{ DeveloperId: sam._id, Status: 'Accepted', ResponseTime: day(0, 8) }] })
  await appointments.create({ ManagerId: omar._id, AppointedDate: day(3, 10), Attendees: [{ DeveloperId: lin._id }] })
  await appointments.create({ ManagerId: omar._id, AppointedDate: day(-2, 11), Attendees: [{ DeveloperId: dev._id, Status: 'Declined', ResponseTime: day(-3, 9) }], Status: 'Cancelled' })

  await app.service('bulk-uploads').create({
    UploadedBy: maria._id,
    FileName: 'developers.csv',
    TotalRecords: 100,
    SuccessRecords: 98,
    ErrorRecords: 2,
    ErrorDetails: [{ Row: 5, Error: 'Invalid email format' }, { Row: 20, Error: 'Missing required field: name' }]
  })
  await app.service('reports').create({
    CreatedBy: maria._id,
    DateRange: { StartDate: day(-30, 0), Enddate: day(0, 0) },
    MeetingScheduled: 2,
    MeetingAttended: 1
  })
}
