// The page of a declared action or a state-machine transition (src/admin/actions.ts): its description, the input form
// built from the action's schema (AdminJS's own property inputs), and one button that POSTs it; the service's answer comes
// back as a notice (an error keeps the form and shows field errors), success goes to the record's page.
// A bulk transition lists the picked records instead. A plain browser script, like dashboard.js.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem

  function WorkflowAction(props) {
    var action = props.action
    var resource = props.resource
    var record = props.record
    var records = props.records
    var custom = action.custom || {}
    var fields = custom.fields || []
    var respond = AdminJS.useActionResponseHandler()
    var state = React.useState({ params: {}, populated: {}, errors: {} })
    var form = state[0]
    var setForm = state[1]
    var sending = React.useState(false)

    function onChange(path, value, selected) {
      setForm(function (current) {
        if (typeof path === 'object') return Object.assign({}, current, path)
        var params = AdminJS.flat.set(current.params, path, value)
        var populated = Object.assign({}, current.populated)
        if (selected !== undefined) populated[path] = selected
        return Object.assign({}, current, { params: params, populated: populated })
      })
    }

    function submit(event) {
      event.preventDefault()
      sending[1](true)
      var api = new AdminJS.ApiClient()
      var call = records
        ? api.bulkAction({ resourceId: resource.id, recordIds: records.map(function (r) { return r.id }), actionName: action.name, data: form.params })
        : api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, data: form.params })
      call
        .then(function (response) {
          var answered = response.data.record
          if (answered && answered.errors) setForm(function (current) { return Object.assign({}, current, { errors: answered.errors }) })
          respond(response)
        })
        .finally(function () {
          sending[1](false)
        })
    }

    return h(
      DS.Box,
      { as: 'form', onSubmit: submit, 'data-testid': 'workflow-action' },
      custom.description ? h(DS.Text, { mb: 'xl' }, custom.description) : null,
      records
        ? h(
            DS.Box,
            { mb: 'xl', 'data-testid': 'workflow-records' },
            records.map(function (r) {
              return h(DS.Text, { key: r.id }, r.title || r.id)
            })
          )
        : null,
      fields.map(function (field) {
        return h(AdminJS.BasePropertyComponent, { key: field.propertyPath, where: 'edit', property: field, resource: resource, record: form, onChange: onChange })
      }),
      h(DS.Button, { variant: 'contained', type: 'submit', disabled: sending[0], 'data-testid': 'workflow-submit' }, custom.label || action.label)
    )
  }

  AdminJS.UserComponents.QuillbaseAction = WorkflowAction
})()
