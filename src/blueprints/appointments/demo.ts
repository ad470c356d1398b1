// Demo records for a first start: an admin, two managers, three developers and their appointments.
import type { Application } from '@feathersjs/feathers'
import { roleValue } from '../../services/bootstrap.js'
import type { Blueprint } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

const day = (offset: number, hour: number) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + offset)
  date.setUTCHours(hour, 0, 0, 0)
  return date.toISOString()
}

export async function demo(app: Application & { blueprint: Blueprint }) {
  const role = (name: string) => roleValue(app, app.blueprint, name)
  const users = app.service('users')
  const person = async (Name: string, email: string, roleName: string) =>
    users.create({ Name, email, password: DEMO_PASSWORD, RoleId: await role(roleName) })

  await person('Ada Admin', 'admin@example.com', 'Admin')
  const maria = await person('Maria Manager', 'maria@example.com', 'Manager')
  const omar = await person('Omar Manager', 'omar@example.com', 'Manager')
  const dev = await person('Dev Patel', 'dev@example.com', 'Developer')
  const lin = await person('Lin Chen', 'lin@example.com', 'Developer')
  const sam = await person('Sam Okafor', 'sam@example.com', 'Developer')
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
