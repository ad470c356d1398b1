// Page titles that say where one is: the heading of a list is the resource's name ("Appointments", not "List"), of a
// record's page its title, of another record action "Edit: <title>"; the browser's title (tab, history) says the same
// with the resource and the panel's name. Wraps AdminJS's `ActionHeader` by name (like lists.js).
;(function () {
  var h = React.createElement
  /** The translation key our headings are put under: AdminJS translates the action's label for the heading and breadcrumb. */
  var HEADING_KEY = 'quillbaseHeading'

  function headingOf(props, translate) {
    var resourceName = translate.tl(props.resource.name, props.resource.id)
    var actionLabel = translate.ta(props.action.label, props.resource.id)
    if (props.action.name === 'list') return { heading: resourceName, resourceName: resourceName }
    if (!props.record) return { heading: actionLabel, resourceName: resourceName }
    var title = props.record.title || props.record.id
    return { heading: props.action.name === 'show' ? title : actionLabel + ': ' + title, resourceName: resourceName }
  }

  function TitledActionHeader(props) {
    var translate = AdminJS.useTranslation()
    var companyName = ReactRedux.useSelector(function (state) {
      return state.branding && state.branding.companyName
    })
    var texts = headingOf(props, translate)
    var parts = [texts.heading].concat(texts.heading === texts.resourceName ? [] : [texts.resourceName], companyName ? [companyName] : [])
    var documentTitle = parts.join(' · ')
    React.useEffect(
      function () {
        // A heading inside a drawer (a filter, a bulk action) leaves the page's title to the page.
        if (!props.action.showInDrawer) document.title = documentTitle
      },
      [documentTitle, props.action.showInDrawer]
    )
    var i18n = translate.i18n
    // The heading as a translation of its own, per resource, so AdminJS's header and breadcrumb show it verbatim.
    i18n.addResource(i18n.language || 'en', i18n.options.defaultNS || 'translation', 'resources.' + props.resource.id + '.actions.' + HEADING_KEY, texts.heading, { silent: true })
    return h(props.OriginalComponent, Object.assign({}, props, { action: Object.assign({}, props.action, { label: HEADING_KEY }) }))
  }

  AdminJS.UserComponents.ActionHeader = TitledActionHeader
})()
