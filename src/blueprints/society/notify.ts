// Notifications as triggers: one record per resident (who can log in) of the changed record's flat, or of its resident.
import type { Static } from '../../schemas/fields.js'
import type { TriggerInput } from '../../schemas/types.js'
import type { notifications } from './security.js'

type Notification = Static<typeof notifications.schema>

interface Notice {
  on: TriggerInput['on']
  when?: Record<string, unknown>
  /** The changed record's whole flat, or only its `residentId`. */
  to: 'flat' | 'resident'
  title: string
  message: string
  type: Notification['type']
  category: Notification['category']
  relatedEntityType: NonNullable<Notification['relatedEntityType']>
}

export function notify({ on, when, to, title, message, type, category, relatedEntityType }: Notice): TriggerInput {
  const whom = to === 'flat' ? { flatId: '{{record.flatId}}', status: 'Active' } : { _id: '{{record.residentId}}' }
  return {
    on,
    ...(when && { when }),
    create: 'notifications',
    forEach: { collection: 'residents', query: { societyId: '{{record.societyId}}', ...whom, userId: { $exists: true } } },
    data: { userId: '{{each.userId}}', societyId: '{{record.societyId}}', title, message, type, category, relatedEntityId: '{{record._id}}', relatedEntityType, isRead: false }
  }
}
