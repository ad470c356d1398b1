// Everyday conveniences of AdminJS's own pages, wrapping them by name (like array.js): a new record's form starts with
// the declared defaults (the `new` action's `custom.defaults`), and every list has a search box over the resource's title
// field (`?filters.<title>=`, the filter the drawer and reference pickers use: contains, ignoring case, through the
// permissions) and a page-size selector (`?perPage=`, which AdminJS's list action reads, capped at its limit of 500).
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem
  var SIZES = [10, 20, 50, 100]
  /** Typing pauses this long before the list is searched; Enter searches at once. */
  var SEARCH_DELAY_MS = 400

  function NewWithDefaults(props) {
    var defaults = (props.action.custom && props.action.custom.defaults) || {}
    // One object for the component's life: AdminJS's New resets its form whenever `record` changes identity.
    var initial = React.useMemo(function () {
      return props.record || { params: Object.assign({}, defaults), populated: {}, errors: {} }
    }, [props.record, props.resource.id])
    return h(props.OriginalComponent, Object.assign({}, props, { record: initial }))
  }

  /**
   * The title field, when this user may filter by it (the resource's filter properties are narrowed per user) and what
   * is typed can match it: not an id nor a reference (a reference is filtered by the referenced record's id).
   */
  function searchablePath(resource) {
    var title = resource.titleProperty
    if (!title || title.isId || title.type === 'reference') return undefined
    var path = title.propertyPath
    return resource.filterProperties.some(function (property) {
      return property.propertyPath === path
    })
      ? path
      : undefined
  }

  function SearchBox(props) {
    var location = ReactRouter.useLocation()
    var navigate = ReactRouter.useNavigate()
    var key = 'filters.' + props.path
    var applied = new URLSearchParams(location.search).get(key) || ''
    var state = React.useState(applied)
    var text = state[0]
    var setText = state[1]
    var timer = React.useRef(undefined)
    // The address changed elsewhere (the filter drawer, a link): the box shows what is applied.
    React.useEffect(function () {
      setText(applied)
    }, [applied])
    React.useEffect(function () {
      return function () {
        clearTimeout(timer.current)
      }
    }, [])
    function search(value) {
      clearTimeout(timer.current)
      var query = new URLSearchParams(window.location.search)
      if ((query.get(key) || '') === value.trim()) return
      if (value.trim()) query.set(key, value.trim())
      else query.delete(key)
      query.set('page', '1')
      navigate({ pathname: location.pathname, search: query.toString() })
    }
    return h(
      'form',
      {
        role: 'search',
        'data-testid': 'list-search',
        style: { display: 'flex', gap: '8px', alignItems: 'center', marginBottom: '16px' },
        onSubmit: function (event) {
          event.preventDefault()
          search(text)
        }
      },
      h(DS.Input, {
        type: 'search',
        name: 'q',
        value: text,
        placeholder: 'Search by ' + props.label,
        'aria-label': 'Search ' + props.resourceName + ' by ' + props.label,
        style: { minWidth: '320px' },
        onChange: function (event) {
          var value = event.target.value
          setText(value)
          clearTimeout(timer.current)
          timer.current = setTimeout(function () {
            search(value)
          }, SEARCH_DELAY_MS)
        }
      }),
      h(DS.Button, { type: 'submit', variant: 'outlined', size: 'sm' }, 'Search')
    )
  }

  function PageSize() {
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
  }

  function ListConveniences(props) {
    var path = searchablePath(props.resource)
    var label = path && props.resource.titleProperty.label
    var tenancy = props.resource.tenancy
    return h(
      React.Fragment,
      null,
      tenancy ? h(AdminJS.UserComponents.QuillbaseTenantSwitcher, { tenancy: tenancy }) : null,
      path ? h(SearchBox, { key: props.resource.id, path: path, label: label, resourceName: props.resource.name }) : null,
      h(props.OriginalComponent, props),
      h(PageSize)
    )
  }

  AdminJS.UserComponents.DefaultNewAction = NewWithDefaults
  AdminJS.UserComponents.DefaultListAction = ListConveniences
})()
