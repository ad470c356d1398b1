// Date-times in the browser's time zone, always with that zone said: `2031-05-06 10:30 (UTC+5:30)` in lists and on a
// record's page, the same `YYYY-MM-DD HH:mm` in the picker (options.ts sets its format) with the zone under it.
// The picker already sends the instant as an ISO string in UTC (the design system's DatePicker), so what is stored is what
// the admin meant in their zone. Overrides AdminJS's datetime list/show/edit components by name, like array.js.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem
  var pad = function (n) {
    return n < 10 ? '0' + n : String(n)
  }

  /** `UTC`, `UTC+1`, `UTC+5:30`, `UTC-3` for the browser's offset at that instant (daylight saving included). */
  function zoneOf(date) {
    var offset = -date.getTimezoneOffset()
    if (!offset) return 'UTC'
    var abs = Math.abs(offset)
    return 'UTC' + (offset > 0 ? '+' : '-') + Math.floor(abs / 60) + (abs % 60 ? ':' + pad(abs % 60) : '')
  }

  function format(value) {
    if (value === undefined || value === null || value === '') return ''
    var date = new Date(value)
    if (isNaN(date.getTime())) return String(value)
    var day = date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate())
    return day + ' ' + pad(date.getHours()) + ':' + pad(date.getMinutes()) + ' (' + zoneOf(date) + ')'
  }

  var valueOf = function (props) {
    return props.record.params ? props.record.params[props.property.path] : undefined
  }

  function List(props) {
    if (props.property.type !== 'datetime') return h(props.OriginalComponent, props)
    return h('span', null, format(valueOf(props)))
  }

  function Show(props) {
    if (props.property.type !== 'datetime') return h(props.OriginalComponent, props)
    var translation = AdminJS.useTranslation()
    return h(DS.ValueGroup, { label: translation.translateProperty(props.property.label, props.property.resourceId) }, format(valueOf(props)))
  }

  function Edit(props) {
    if (props.property.type !== 'datetime') return h(props.OriginalComponent, props)
    var value = valueOf(props)
    var date = value ? new Date(value) : new Date()
    if (isNaN(date.getTime())) date = new Date()
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    return h(
      DS.Box,
      { position: 'relative' },
      h(props.OriginalComponent, props),
      h(DS.Text, { variant: 'sm', color: 'grey60', mt: '-lg', mb: 'xl', 'data-testid': 'zone-' + props.property.path }, 'Your time zone: ' + zoneOf(date) + (zone ? ' (' + zone + ')' : ''))
    )
  }

  window.QuillbaseDates = { format: format, zoneOf: zoneOf }
  AdminJS.UserComponents.DefaultDatetimeListProperty = List
  AdminJS.UserComponents.DefaultDatetimeShowProperty = Show
  AdminJS.UserComponents.DefaultDatetimeEditProperty = Edit
})()
