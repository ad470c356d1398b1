// A JSON editor for JSON-text properties (a permission's Conditions): Ace (served locally, loaded on demand) in JSON
// mode, the parse error said under it as one types, and a Format button. What is saved is the text; the server parses it
// and refuses what is not JSON (src/admin/property.ts), so a refusal is an error notice and nothing is stored.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem

  /** The parse error of the text, or '' when it is empty or an object (conditions are objects). */
  function problemOf(text) {
    if (!text || !text.trim()) return ''
    try {
      var value = JSON.parse(text)
      return value && typeof value === 'object' && !Array.isArray(value) ? '' : 'Must be a JSON object, such as { "ManagerId": "{{user._id}}" }'
    } catch (error) {
      return 'Not valid JSON: ' + error.message
    }
  }

  function JsonEdit(props) {
    var property = props.property
    var record = props.record
    var path = property.path
    var initial = record.params[path] === undefined || record.params[path] === null ? '' : String(record.params[path])
    var state = React.useState(initial)
    var text = state[0]
    var setText = state[1]
    var failed = React.useState(false)
    var container = React.useRef(null)
    var editor = React.useRef(null)
    var translate = AdminJS.useTranslation()
    var serverError = record.errors && record.errors[path]
    function change(value) {
      setText(value)
      props.onChange(path, value)
    }
    React.useEffect(function () {
      var alive = true
      window
        .quillbaseLoad('ace.js')
        .then(function () {
          return window.quillbaseLoad('ace-mode-json.js')
        })
        .then(function () {
          if (!alive || !container.current) return
          var instance = window.ace.edit(container.current, {
            mode: 'ace/mode/json',
            value: initial,
            useWorker: false,
            behavioursEnabled: false,
            showPrintMargin: false,
            tabSize: 2,
            minLines: 6,
            maxLines: 30,
            fontSize: 14
          })
          instance.session.on('change', function () {
            change(instance.getValue())
          })
          editor.current = instance
        })
        .catch(function () {
          if (alive) failed[1](true)
        })
      return function () {
        alive = false
        if (editor.current) editor.current.destroy()
      }
    }, [])
    function format() {
      var formatted = JSON.stringify(JSON.parse(text), null, 2)
      if (editor.current) editor.current.setValue(formatted, 1)
      else change(formatted)
    }
    var problem = problemOf(text)
    return h(
      DS.FormGroup,
      { error: Boolean(serverError || problem), 'data-testid': 'json-editor-' + path },
      h(AdminJS.PropertyLabel, { property: property }),
      failed[0]
        ? h(DS.TextArea, { value: text, rows: 8, style: { fontFamily: 'monospace', width: '100%' }, onChange: function (event) { change(event.target.value) } })
        : h('div', { ref: container, 'data-testid': 'json-editor-input', style: { border: '1px solid #ccc', borderRadius: '4px', minHeight: '120px' } }),
      h(
        DS.Box,
        { flex: true, alignItems: 'center', mt: 'sm', style: { gap: '12px' } },
        h(DS.Button, { type: 'button', size: 'sm', variant: 'outlined', disabled: !text.trim() || !!problem, onClick: format }, 'Format'),
        problem ? h(DS.Text, { color: 'error', 'data-testid': 'json-problem' }, problem) : text.trim() ? h(DS.Text, { color: 'grey60' }, 'Valid JSON') : null
      ),
      h(DS.FormMessage, null, serverError && translate.tm(serverError.message, property.resourceId))
    )
  }

  AdminJS.UserComponents.QuillbaseJsonEdit = JsonEdit
})()
