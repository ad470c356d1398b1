// The tenant switcher (blueprint `tenancy`), for callers who may read every tenant: above lists and on the dashboard.
// The tenants are found through the panel's own search of their resource (the caller's permissions); a choice is posted
// to the server, kept in the session, and the page loads again narrowed to that tenant (src/admin/tenancy.ts).
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem
  var TENANT_PATH = '/api/quillbase/tenant'

  /** `tenancy`: `{ path, label, resourceId, current }`, as the server puts it in the resource (or dashboard) JSON. */
  function TenantSwitcher(props) {
    var tenancy = props.tenancy
    var rootPath = ReactRedux.useSelector(function (state) {
      return state.paths.rootPath
    })
    var all = ReactRedux.useSelector(function (state) {
      var resource = (state.resources || []).find(function (candidate) {
        return candidate.id === tenancy.resourceId
      })
      return resource ? resource.name : tenancy.resourceId
    })
    var state = React.useState([])
    var tenants = state[0]
    var setTenants = state[1]
    var failure = React.useState('')
    React.useEffect(function () {
      new AdminJS.ApiClient().searchRecords({ resourceId: tenancy.resourceId, query: '' }).then(setTenants, function (error) {
        failure[1](String((error && error.message) || error))
      })
    }, [tenancy.resourceId])
    function choose(event) {
      var id = event.target.value
      fetch(rootPath + TENANT_PATH + '?id=' + encodeURIComponent(id), { method: 'POST', credentials: 'same-origin' }).then(function (response) {
        if (response.ok) return window.location.reload()
        return response.json().then(function (body) {
          failure[1](body.message || response.statusText)
        })
      })
    }
    var known = tenants.some(function (tenant) {
      return String(tenant.id) === tenancy.current
    })
    return h(
      DS.Box,
      { flex: true, alignItems: 'center', mb: 'lg', style: { gap: '8px' }, 'data-testid': 'tenant-switcher' },
      h(DS.Label, { htmlFor: 'quillbase-tenant', mb: 0 }, tenancy.label),
      h(
        'select',
        { id: 'quillbase-tenant', value: tenancy.current || '', onChange: choose },
        [h('option', { key: '', value: '' }, 'All ' + String(all).toLowerCase())].concat(
          tenancy.current && !known ? [h('option', { key: tenancy.current, value: tenancy.current }, tenancy.current)] : [],
          tenants.map(function (tenant) {
            return h('option', { key: tenant.id, value: String(tenant.id) }, tenant.title)
          })
        )
      ),
      failure[0] ? h(DS.Text, { color: 'error', 'data-testid': 'tenant-error' }, failure[0]) : null
    )
  }

  AdminJS.UserComponents.QuillbaseTenantSwitcher = TenantSwitcher
})()
