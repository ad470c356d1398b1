// The admin dashboard: record counts per collection, grouped as in the navigation.
// A plain browser script, not a module: it uses the globals AdminJS's own bundles define (React, AdminJSDesignSystem,
// AdminJS.ApiClient), so it is served as is, with no bundler at build or run time.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem

  function Card(props) {
    var c = props.collection
    return h(
      DS.Box,
      { variant: 'card', flex: true, flexDirection: 'column', width: '220px', p: 'lg', 'data-testid': 'count-' + c.name },
      h(DS.Text, { variant: 'sm', color: 'grey60' }, c.group || props.blueprint),
      h('a', { href: c.href, style: { textDecoration: 'none' } }, h(DS.H4, { mt: 'sm', mb: 'sm' }, c.label)),
      h(DS.H3, { mb: 'sm', className: 'quillbase-count' }, c.count === null ? '–' : String(c.count)),
      h(DS.Text, { variant: 'sm', color: 'grey60' }, c.count === 1 ? 'record' : 'records')
    )
  }

  function Dashboard() {
    var companyName = ReactRedux.useSelector(function (state) {
      return state.branding && state.branding.companyName
    })
    React.useEffect(function () {
      document.title = ['Dashboard'].concat(companyName ? [companyName] : []).join(' · ')
    }, [companyName])
    var state = React.useState(null)
    var data = state[0]
    var setData = state[1]
    React.useEffect(function () {
      new AdminJS.ApiClient().getDashboard().then(function (response) {
        setData(response.data)
      })
    }, [])
    if (!data) return h(DS.Box, { variant: 'container', m: 'xl' }, h(DS.Loader))
    return h(
      DS.Box,
      { variant: 'container', m: 'xl', 'data-testid': 'quillbase-dashboard' },
      h(DS.H2, null, data.title),
      h(DS.Text, { mb: 'xl' }, data.description),
      data.tenancy ? h(AdminJS.UserComponents.QuillbaseTenantSwitcher, { tenancy: data.tenancy }) : null,
      h(
        DS.Box,
        { flex: true, flexDirection: 'row', flexWrap: 'wrap', style: { gap: '16px' } },
        data.collections.map(function (collection) {
          return h(Card, { key: collection.name, collection: collection, blueprint: data.title })
        })
      )
    )
  }

  AdminJS.UserComponents.QuillbaseDashboard = Dashboard
})()
