/**
 * Demo records for a first start: two societies with blocks, flats, residents and their families, guards,
 * a week of visitor entries, a daily-help pre-approval, a maintenance plan and this month's billing run with
 * payments, complaints in every state, amenities and bookings, vendors, staff, expenses and a patrol route.
 *
 * Demo users (password `quillbase-demo` for all):
 *   superadmin@example.com   SuperAdmin  every society
 *   admin.green@example.com  Admin       Green Meadows
 *   guard.green@example.com  Guard       Green Meadows
 *   asha@example.com         Resident    Green Meadows, flat A-101 (owner)
 *   vikram@example.com       Resident    Green Meadows, flat A-101 (Asha's husband)
 *   rohan@example.com        Resident    Green Meadows, flat A-102 (tenant)
 *   admin.lake@example.com   Admin       Lake View Residency
 *   guard.lake@example.com   Guard       Lake View Residency
 *   meera@example.com        Resident    Lake View Residency, flat T1-1201 (owner)
 */
import type { Application } from '@feathersjs/feathers'
import type { DemoLogins } from '../../schemas/types.js'

export const DEMO_PASSWORD = 'quillbase-demo'

type Rec = Record<string, any>

const at = (dayOffset: number, hour: number, minute = 0) => {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + dayOffset)
  date.setUTCHours(hour, minute, 0, 0)
  return date.toISOString()
}
const thisMonth = () => new Date().toISOString().slice(0, 7)

interface SocietyPlan {
  society: Rec
  blocks: { name: string; floors: number; flats: { flatNumber: string; floor: number; type: string; area: number }[] }[]
  staffUsers: { email: string; role: 'Admin' | 'Guard'; phoneNumber: string }[]
  residents: { email?: string; flatNumber: string; name: string; phone: string; residentType: 'Owner' | 'Tenant' }[]
}

const greenMeadows: SocietyPlan = {
  society: {
    name: 'Green Meadows',
    address: { street: '14 Outer Ring Road, Bellandur', city: 'Bengaluru', state: 'Karnataka', pincode: '560103', country: 'India' },
    contact: { phone: '+91 80 4000 1234', email: 'office@greenmeadows.example.com' },
    admin: { name: 'Kavya Rao', phone: '+91 98450 11111', email: 'admin.green@example.com' }
  },
  blocks: [
    { name: 'A', floors: 12, flats: [{ flatNumber: 'A-101', floor: 1, type: '3BHK', area: 1450 }, { flatNumber: 'A-102', floor: 1, type: '2BHK', area: 1100 }] },
    { name: 'B', floors: 10, flats: [{ flatNumber: 'B-201', floor: 2, type: '2BHK', area: 1050 }, { flatNumber: 'B-202', floor: 2, type: '1BHK', area: 650 }] }
  ],
  staffUsers: [
    { email: 'admin.green@example.com', role: 'Admin', phoneNumber: '9845011111' },
    { email: 'guard.green@example.com', role: 'Guard', phoneNumber: '9845022222' }
  ],
  residents: [
    { email: 'asha@example.com', flatNumber: 'A-101', name: 'Asha Menon', phone: '9812345621', residentType: 'Owner' },
    { email: 'vikram@example.com', flatNumber: 'A-101', name: 'Vikram Menon', phone: '9812345622', residentType: 'Owner' },
    { email: 'rohan@example.com', flatNumber: 'A-102', name: 'Rohan Gupta', phone: '9898989898', residentType: 'Tenant' },
    { flatNumber: 'B-201', name: 'Farah Khan', phone: '9900112233', residentType: 'Owner' }
  ]
}

const lakeView: SocietyPlan = {
  society: {
    name: 'Lake View Residency',
    address: { street: '3 Baner Road', city: 'Pune', state: 'Maharashtra', pincode: '411045', country: 'India' },
    contact: { phone: '+91 20 6600 4321', email: 'office@lakeview.example.com' },
    admin: { name: 'Sanjay Kulkarni', phone: '+91 98220 33333', email: 'admin.lake@example.com' }
  },
  blocks: [{ name: 'T1', floors: 20, flats: [{ flatNumber: 'T1-1201', floor: 12, type: '3BHK', area: 1600 }, { flatNumber: 'T1-1202', floor: 12, type: '2BHK', area: 1200 }] }],
  staffUsers: [
    { email: 'admin.lake@example.com', role: 'Admin', phoneNumber: '9822033333' },
    { email: 'guard.lake@example.com', role: 'Guard', phoneNumber: '9822044444' }
  ],
  residents: [
    { email: 'meera@example.com', flatNumber: 'T1-1201', name: 'Meera Joshi', phone: '9766554433', residentType: 'Owner' },
    { flatNumber: 'T1-1202', name: 'Arjun Patil', phone: '9765432100', residentType: 'Tenant' }
  ]
}

async function seedSociety(app: Application, plan: SocietyPlan) {
  const create = (name: string, data: Rec) => app.service(name).create(data) as Promise<Rec>
  const society = await create('societies', plan.society)
  const societyId = society._id
  const flats = new Map<string, Rec>()
  for (const block of plan.blocks) {
    const created = await create('blocks', { societyId, name: block.name, floors: block.floors })
    for (const flat of block.flats) flats.set(flat.flatNumber, await create('flats', { societyId, blockId: created._id, ...flat }))
  }
  const staff = new Map<string, Rec>()
  for (const user of plan.staffUsers) staff.set(user.role, await create('users', { ...user, password: DEMO_PASSWORD, societyId }))
  const admin = staff.get('Admin')!
  const guard = staff.get('Guard')!

  const residents: Rec[] = []
  for (const person of plan.residents) {
    const flatId = flats.get(person.flatNumber)!._id
    const user = person.email ? await create('users', { email: person.email, password: DEMO_PASSWORD, role: 'Resident', phoneNumber: person.phone, societyId, flatId }) : undefined
    residents.push(
      await create('residents', {
        societyId,
        flatId,
        ...(user && { userId: user._id }),
        residentType: person.residentType,
        name: person.name,
        phone: person.phone,
        email: person.email,
        emergencyContacts: [{ name: 'Family doctor', phone: '9000000001', relationship: 'Doctor' }],
        vehicles: [{ registrationNumber: `KA-01-${1000 + residents.length}`, type: 'Car', parkingSlot: `P-${residents.length + 1}` }],
        moveInDate: at(-400 + residents.length * 30, 9)
      })
    )
  }
  const [first] = residents
  await create('family-members', { societyId, flatId: first.flatId, residentId: first._id, name: 'Anya', relationship: 'Child' })

  // A week at the gate: deliveries and guests, approved, rejected and (today) still pending.
  const courier = await create('visitors', { societyId, name: 'Swift Couriers', phone: '9111111111', isFrequent: true })
  const guest = await create('visitors', { societyId, name: 'Neha Sharma', phone: '9222222222', idProof: { type: 'Aadhar', number: 'XXXX-XXXX-4321' } })
  const maid = await create('visitors', { societyId, name: 'Lakshmi', phone: '9333333333', isFrequent: true })
  const withUser = residents.filter((r) => r.userId)
  for (let day = -6; day <= 0; day++) {
    for (const [index, resident] of withUser.entries()) {
      const visitor = index % 2 ? guest : courier
      const answered = day < 0
      await create('visitor-entries', {
        societyId,
        visitorId: visitor._id,
        flatId: resident.flatId,
        residentId: resident._id,
        entryType: visitor === courier ? 'Delivery' : 'Invited',
        entryDateTime: at(day, 10 + index, 15),
        entryGuard: guard._id,
        purpose: visitor === courier ? 'Parcel delivery' : 'Family visit',
        ...(answered && {
          approvalStatus: day === -3 ? 'Rejected' : 'Approved',
          approvedBy: resident.userId,
          approvalDateTime: at(day, 10 + index, 17),
          ...(day !== -3 && { exitDateTime: at(day, 10 + index, 45), exitGuard: guard._id })
        })
      })
    }
  }
  const preApproval = await create('pre-approvals', {
    societyId,
    residentId: first._id,
    flatId: first.flatId,
    visitorId: maid._id,
    visitorName: maid.name,
    visitorPhone: maid.phone,
    validFrom: at(-30, 0),
    validTo: at(60, 0),
    recurrence: { type: 'Daily' }
  })
  await create('visitor-entries', { societyId, visitorId: maid._id, entryType: 'DailyHelp', entryGuard: guard._id, passCode: preApproval.passCode, entryDateTime: at(0, 7) })

  // This month's billing run, and payments against two of its bills.
  await create('maintenance-plans', {
    societyId,
    name: 'Standard maintenance',
    description: 'Common-area maintenance and sinking fund',
    billingCycle: 'Monthly',
    components: [
      { name: 'Sinking fund', amount: 500, type: 'Fixed' },
      { name: 'Maintenance', amount: 2.5, type: 'PerSqFt' }
    ],
    applicableFrom: at(-365, 0),
    discountRate: 0,
    taxRate: 18
  })
  await create('billing-runs', { societyId, period: thisMonth() })
  const bills = (await app.service('maintenance-bills').find({ paginate: false, query: { societyId } })) as Rec[]
  const payFor = (bill: Rec, amount: number, method: string) =>
    create('payments', { societyId, flatId: bill.flatId, residentId: bill.residentId, billId: bill._id, amount, paymentMethod: method, transactionId: `TXN-${bill.billNumber}-${amount}`, status: 'Success' })
  if (bills[0]) await payFor(bills[0], bills[0].grandTotal, 'UPI')
  if (bills[1]) await payFor(bills[1], Math.round(bills[1].grandTotal / 2), 'NetBanking')

  await create('expenses', { societyId, category: 'Salary', description: 'Security staff salaries', amount: 48000, date: at(-5, 12), paidTo: 'SecureOne Services', approvedBy: admin._id, approvedDate: at(-5, 11) })
  await create('expenses', { societyId, category: 'Utilities', description: 'Common-area electricity', amount: 12500, date: at(-3, 12), paidTo: 'Electricity board' })

  const plumber = await create('staff', { societyId, name: 'Ramesh', role: 'Plumber', phone: '9444444444', joiningDate: at(-700, 9), salary: 18000 })
  await create('staff', { societyId, name: 'Sunita', role: 'Cleaner', phone: '9555555555', joiningDate: at(-300, 9), salary: 14000 })
  await create('vendors', { societyId, name: 'BrightSpark Electricals', contactPerson: 'Imran', phone: '9666666666', services: ['Electrical'], rating: 4.5, contractStartDate: at(-200, 0), contractEndDate: at(165, 0) })

  const complaint = (title: string, category: string, status: string, extra: Rec = {}) =>
    create('complaints', { societyId, residentId: first._id, flatId: first.flatId, title, category, status, priority: 'Medium', ...extra })
  await complaint('Kitchen sink leaking', 'Plumbing', 'Open')
  await complaint('Corridor light not working', 'Electrical', 'Assigned', { assignedTo: plumber._id, priority: 'Low' })
  await complaint('Water seepage in balcony', 'Civil', 'Resolved', { assignedTo: plumber._id, resolvedAt: at(-1, 16), resolvedBy: admin._id, comments: [{ userId: first.userId, text: 'Please check before the rains', timestamp: at(-4, 9) }] })

  const clubhouse = await create('amenities', { societyId, name: 'Clubhouse', type: 'Clubhouse', capacity: 80, bookingFee: 1500, rules: ['No loud music after 10 pm'] })
  await create('amenities', { societyId, name: 'Gym', type: 'Gym', capacity: 15, bookingFee: 0, status: 'Maintenance' })
  await create('bookings', { societyId, amenityId: clubhouse._id, residentId: first._id, flatId: first.flatId, startTime: at(3, 17), endTime: at(3, 21), status: 'Approved', approvedBy: admin._id, approvedAt: at(0, 9), numberOfPeople: 40, purpose: 'Birthday party' })
  const second = residents[residents.length > 2 ? 2 : 1] ?? first
  await create('bookings', { societyId, amenityId: clubhouse._id, residentId: second._id, flatId: second.flatId, startTime: at(5, 18), endTime: at(5, 20), numberOfPeople: 10, purpose: 'Book club' })

  await create('guard-devices', { societyId, deviceId: `${society.name.split(' ')[0].toUpperCase()}-GATE-1`, deviceName: 'Main gate tablet', location: 'MainGate', lastActive: at(0, 8) })
  const route = await create('patrol-routes', {
    societyId,
    name: 'Night perimeter',
    frequency: 'Every2Hours',
    assignedGuards: [guard._id],
    checkpoints: [
      { name: 'Main gate', location: { latitude: 12.9279, longitude: 77.6271 }, order: 1 },
      { name: 'Pool deck', location: { latitude: 12.9283, longitude: 77.6276 }, order: 2 }
    ]
  })
  for (const [index, checkpoint] of route.checkpoints.entries()) {
    await create('patrol-logs', { societyId, routeId: route._id, guardId: guard._id, checkpointId: checkpoint._id, timestamp: at(-1, 23, index * 10), notes: 'All clear' })
  }
}

const SUPER_ADMIN = { email: 'superadmin@example.com', role: 'SuperAdmin', phoneNumber: '9000012345' }

export const demoLogins: DemoLogins = {
  password: DEMO_PASSWORD,
  users: [
    SUPER_ADMIN,
    ...[greenMeadows, lakeView].flatMap((plan) => [
      ...plan.staffUsers,
      ...plan.residents.flatMap((resident) => (resident.email ? [{ email: resident.email, role: 'Resident' }] : []))
    ])
  ].map(({ email, role }) => ({ email, role }))
}

export async function demo(app: Application) {
  await app.service('users').create({ ...SUPER_ADMIN, password: DEMO_PASSWORD })
  await seedSociety(app, greenMeadows)
  await seedSociety(app, lakeView)
}
