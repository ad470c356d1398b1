// Everyday conveniences of AdminJS's own pages, wrapping them by name (like array.js): a new record's form starts with
// the declared defaults (the `new` action's `custom.defaults`), and every list has a page-size selector (`?perPage=`,
// which AdminJS's list action reads, capped at its limit of 500).
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem
  var SIZES = [10, 20, 50, 100]

  function NewWithDefaults(props) {
    var defaults = (props.action.custom && props.action.custom.defaults) || {}
    // One object for the component's life: AdminJS's New resets its form whenever `record` changes identity.
    var initial = React.useMemo(function () {
      return props.record || { params: Object.assign({}, defaults), populated: {}, errors: {} }
    }, [props.record, props.resource.id])
    return h(props.OriginalComponent, Object.assign({}, props, { record: initial }))
  }

  function ListWithPageSize(props) {
    var location = ReactRouter.useLocation()
    var navigate = ReactRouter.useNavigate()
    var query = new URLSearchParams(location.search)
    var current = Number(query.get('perPage')) || 20
    function choose(event) {
      query.set('perPage', event.target.value)
      query.set('page', '1')
      navigate({ pathname: location.pathname, search: query.toString() })
    }
    return h(
      React.Fragment,
      null,
      h(props.OriginalComponent, props),
      h(
        DS.Box,
        { flex: true, justifyContent: 'flex-end', alignItems: 'center', mt: 'lg', style: { gap: '8px' } },
        h(DS.Label, { htmlFor: 'quillbase-per-page', mb: 0 }, 'Rows per page'),
        h(
          'select',
          { id: 'quillbase-per-page', 'data-testid': 'per-page', value: String(current), onChange: choose },
          SIZES.concat(SIZES.indexOf(current) < 0 ? [current] : []).map(function (size) {
            return h('option', { key: size, value: String(size) }, String(size))
          })
        )
      )
    )
  }

  AdminJS.UserComponents.DefaultNewAction = NewWithDefaults
  AdminJS.UserComponents.DefaultListAction = ListWithPageSize
})()
