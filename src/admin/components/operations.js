// The data operations of src/admin/operations.ts in the browser: "Export CSV" (a drawer over the list, linking to the
// export of the list as filtered and sorted now), the form of "Import a file" and "Generate report" (the file uploaded
// first through the engine's file service, then the record created as the user), and, on every record's page, its
// files, an import's progress (read again while it runs) and errors, and its history. A plain browser script.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem
  var POLL_MS = 1000
  /** The longest wait between two reads of a running import after failed reads. */
  var MAX_POLL_MS = 10000

  function base() {
    var paths = window.REDUX_STATE && window.REDUX_STATE.paths
    return ((paths && paths.rootPath) || '/admin') + '/api/quillbase'
  }

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw Object.assign(new Error(body.message || response.statusText), { status: response.status })
        return body
      })
    })
  }

  /** The list's filters and sort as its address has them (AdminJS puts them in the drawer's address too). */
  function listSearch(search) {
    var query = new URLSearchParams(search)
    var kept = new URLSearchParams()
    query.forEach(function (value, key) {
      if (key.indexOf('filters.') === 0 || key === 'sortBy' || key === 'direction') kept.append(key, value)
    })
    return kept
  }

  function ExportList(props) {
    var location = ReactRouter.useLocation()
    var failed = React.useState('')
    var kept = listSearch(location.search)
    var filters = []
    kept.forEach(function (value, key) {
      if (key.indexOf('filters.') === 0) filters.push(key.slice('filters.'.length).replace('~~', ' ') + ': ' + value)
    })
    var href = function (format) {
      var query = new URLSearchParams(kept)
      query.set('format', format)
      return base() + '/resources/' + encodeURIComponent(props.resource.id) + '/export?' + query.toString()
    }
    return h(
      DS.Box,
      { 'data-testid': 'quillbase-export', p: 'xl' },
      h(DS.Text, { mb: 'lg' }, 'Every record of this list as it is filtered and sorted now, with the fields you may read.'),
      h(DS.Text, { mb: 'lg', 'data-testid': 'export-filters' }, filters.length ? 'Filters: ' + filters.join('; ') : 'No filters: every record you may read.'),
      failed[0] ? h(DS.MessageBox, { mb: 'lg', variant: 'danger', message: failed[0], 'data-testid': 'export-error' }) : null,
      h(DS.Button, { as: 'a', variant: 'contained', href: href('csv'), download: props.resource.id + '.csv', onClick: checked(href('csv')), 'data-testid': 'export-csv', mr: 'default' }, 'Download CSV'),
      h(DS.Button, { as: 'a', variant: 'outlined', href: href('ndjson'), download: props.resource.id + '.ndjson', onClick: checked(href('ndjson')), 'data-testid': 'export-ndjson' }, 'Download NDJSON')
    )

    /**
     * A download link that first asks whether the export is answered: a refusal (a bad filter, a permission) is a JSON
     * error the browser would drop silently with the download; it is said here instead. The first answer is then left
     * unread and the link followed (the export's first page is read twice; the file is never held in the page).
     */
    function checked(url) {
      return function (event) {
        if (event.currentTarget.dataset.checked === url) {
          delete event.currentTarget.dataset.checked
          return
        }
        event.preventDefault()
        failed[1]('')
        var link = event.currentTarget
        fetch(url, { credentials: 'same-origin' })
          .then(function (response) {
            if (response.ok) {
              if (response.body) response.body.cancel()
              link.dataset.checked = url
              link.click()
              return
            }
            return response.json().then(
              function (body) {
                failed[1]('The export was refused: ' + (body.message || response.statusText))
              },
              function () {
                failed[1]('The export failed: ' + response.status + ' ' + response.statusText)
              }
            )
          })
          .catch(function (error) {
            failed[1]('The export failed: ' + error.message)
          })
      }
    }
  }

  /** A report's computed fields and its file, once generated. */
  function ReportResult(props) {
    var result = props.custom.result
    var params = props.record.params
    return h(
      DS.Box,
      { mt: 'xl', 'data-testid': 'report-result' },
      h(DS.H4, null, 'Report'),
      result.fields.map(function (field) {
        return h(DS.Text, { key: field, 'data-testid': 'report-' + field }, field + ': ' + (params[field] === undefined ? '—' : params[field]))
      }),
      result.file && params[result.file]
        ? h(DS.Button, { as: 'a', mt: 'lg', mr: 'default', variant: 'contained', href: base() + params[result.file], 'data-testid': 'report-download' }, 'Download CSV')
        : null,
      h(DS.Button, { as: 'a', mt: 'lg', variant: 'outlined', href: props.showHref, 'data-testid': 'report-open' }, 'Open the report')
    )
  }

  function OperationForm(props) {
    var action = props.action
    var resource = props.resource
    var custom = action.custom || {}
    var upload = custom.upload
    var respond = AdminJS.useActionResponseHandler()
    var loaded = React.useState(null)
    var state = React.useState({ params: {}, populated: {}, errors: {} })
    var form = state[0]
    var setForm = state[1]
    var chosen = React.useState(null)
    var sending = React.useState(false)
    var failure = React.useState('')
    var result = React.useState(null)
    var api = React.useMemo(function () {
      return new AdminJS.ApiClient()
    }, [])

    React.useEffect(function () {
      api.resourceAction({ resourceId: resource.id, actionName: action.name }).then(function (response) {
        loaded[1](response.data.fields || [])
        setForm(function (current) {
          return Object.assign({}, current, { params: Object.assign({}, response.data.defaults, current.params) })
        })
      })
    }, [resource.id, action.name])

    function onChange(path, value, selected) {
      setForm(function (current) {
        if (typeof path === 'object') return Object.assign({}, current, path)
        var populated = Object.assign({}, current.populated)
        if (selected !== undefined) populated[path] = selected
        return Object.assign({}, current, { params: AdminJS.flat.set(current.params, path, value), populated: populated })
      })
    }

    function uploaded() {
      if (!upload) return Promise.resolve({})
      var file = chosen[0]
      if (!file) return Promise.reject(new Error('Choose a file to import'))
      var body = new FormData()
      body.append('file', file, file.name)
      var url = base() + '/files?collection=' + encodeURIComponent(resource.id) + '&field=' + encodeURIComponent(upload.field)
      return fetch(url, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) throw new Error(answer.message || response.statusText)
          var data = {}
          data[upload.field] = answer.url
          return data
        })
      })
    }

    function submit(event) {
      event.preventDefault()
      sending[1](true)
      failure[1]('')
      // An earlier answer is not this one's: a refused submit shows no result.
      result[1](null)
      uploaded()
        .then(function (extra) {
          return api.resourceAction({ resourceId: resource.id, actionName: action.name, data: Object.assign({}, form.params, extra) }).then(function (response) {
            var answered = response.data.record
            var refused = response.data.notice && response.data.notice.type === 'error'
            if (answered && answered.errors && Object.keys(answered.errors).length) {
              setForm(function (current) {
                return Object.assign({}, current, { errors: answered.errors })
              })
            } else if (answered && custom.result && !refused && answered.id) result[1](answered)
            respond(response)
          })
        })
        .catch(function (error) {
          failure[1](error.message)
        })
        .finally(function () {
          sending[1](false)
        })
    }

    if (!loaded[0]) return h(DS.Loader)
    var helpers = new AdminJS.ViewHelpers()
    return h(
      DS.Box,
      { as: 'form', onSubmit: submit, 'data-testid': 'quillbase-operation' },
      custom.description ? h(DS.Text, { mb: 'xl' }, custom.description) : null,
      upload
        ? h(
            DS.FormGroup,
            null,
            h(DS.Label, { htmlFor: 'quillbase-operation-file', required: true }, 'File'),
            h('input', {
              id: 'quillbase-operation-file',
              type: 'file',
              accept: upload.types.join(','),
              'data-testid': 'operation-file',
              onChange: function (event) {
                var file = event.target.files[0] || null
                chosen[1](file)
                // The record's name field (its title) starts as the file's name.
                if (file && upload.nameField && !form.params[upload.nameField]) onChange(upload.nameField, file.name)
              }
            }),
            h(DS.FormMessage, null, upload.types.length ? 'Accepted: ' + upload.types.join(', ') : '')
          )
        : null,
      loaded[0].map(function (field) {
        return h(AdminJS.BasePropertyComponent, { key: field.propertyPath, where: 'edit', property: field, resource: resource, record: form, onChange: onChange })
      }),
      failure[0] ? h(DS.MessageBox, { mb: 'lg', variant: 'danger', message: failure[0], 'data-testid': 'operation-error' }) : null,
      h(DS.Button, { variant: 'contained', type: 'submit', disabled: sending[0], 'data-testid': 'operation-submit' }, custom.label || action.label),
      result[0]
        ? h(ReportResult, {
            custom: custom,
            record: result[0],
            showHref: helpers.recordActionUrl({ resourceId: resource.id, recordId: result[0].id, actionName: 'show' })
          })
        : null
    )
  }

  /** A change's value as the audit log keeps it (JSON text): strings bare, the rest as JSON, nothing as a dash. */
  function shown(json) {
    if (json === undefined) return '—'
    try {
      var value = JSON.parse(json)
      return typeof value === 'string' ? value : JSON.stringify(value)
    } catch (error) {
      return json
    }
  }

  function History(props) {
    var entries = props.entries
    if (!entries.length) return h(DS.Text, { 'data-testid': 'record-history' }, 'No recorded changes you may read.')
    return h(
      DS.Table,
      { 'data-testid': 'record-history' },
      h(DS.TableHead, null, h(DS.TableRow, null, ['When', 'Who', 'What', 'Changes'].map(function (title) {
        return h(DS.TableCell, { key: title }, title)
      }))),
      h(
        DS.TableBody,
        null,
        entries.map(function (entry) {
          var who = entry.actorName || entry.actorId || entry.actor
          return h(
            DS.TableRow,
            { key: entry._id, 'data-testid': 'history-entry' },
            h(DS.TableCell, null, entry.at.slice(0, 19).replace('T', ' ') + ' UTC'),
            h(DS.TableCell, { 'data-testid': 'history-who' }, who),
            h(DS.TableCell, null, entry.method + ' (' + entry.transport + ')'),
            h(
              DS.TableCell,
              null,
              entry.changes.map(function (change) {
                return h(DS.Text, { key: change.field, 'data-testid': 'history-change' }, change.field + ': ' + shown(change.before) + ' → ' + shown(change.after))
              })
            )
          )
        })
      )
    )
  }

  /** A record's page: AdminJS's own, then its files, an import's progress and errors, and its history. */
  function ShowWithOperations(props) {
    var recordState = React.useState(props.record)
    var extras = React.useState(null)
    var record = recordState[0]
    var resourceId = props.resource.id
    var recordId = props.record && props.record.id

    React.useEffect(function () {
      recordState[1](props.record)
    }, [props.record])

    React.useEffect(function () {
      if (!recordId) return undefined
      var stopped = false
      var timer
      var api = new AdminJS.ApiClient()
      var url = base() + '/resources/' + encodeURIComponent(resourceId) + '/records/' + encodeURIComponent(recordId) + '/operations'
      // While an import runs, its page reads the record again after each look at its state (the last read is the final one).
      // A read that fails for a passing reason (the server busy or unavailable, the network gone a moment) is said on the
      // page and tried again, later each time, while the import runs or before the first read succeeded, so the page
      // never stops at a stale state; a refusal (4xx) is said and not tried again.
      var failures = 0
      var running = false
      var known = false
      function later(again, delay) {
        timer = setTimeout(function () {
          load(again)
        }, delay)
      }
      function load(again) {
        getJson(url)
          .then(function (data) {
            if (stopped) return
            running = Boolean(data.operation && data.operation.running)
            known = true
            // The first look reads the record again too when it is an operation's: AdminJS read it before this look, and
            // an import may have moved on (or ended) in between, so the page would otherwise stay at that older state.
            var reread = again || data.operation
              ? api.recordAction({ resourceId: resourceId, recordId: recordId, actionName: 'show' }).then(function (response) {
                  if (!stopped && response.data.record) recordState[1](response.data.record)
                })
              : Promise.resolve()
            return reread.then(function () {
              if (stopped) return
              failures = 0
              extras[1](data)
              if (running) later(true, POLL_MS)
            })
          })
          .catch(function (error) {
            if (stopped) return
            failures += 1
            extras[1](function (previous) {
              return Object.assign({}, previous, { error: error.message })
            })
            var passing = !(error.status >= 400 && error.status < 500)
            if (passing && (running || !known)) later(true, Math.min(POLL_MS * Math.pow(2, failures), MAX_POLL_MS))
          })
      }
      load(false)
      return function () {
        stopped = true
        clearTimeout(timer)
      }
    }, [resourceId, recordId])

    var data = extras[0]
    var operation = data && data.operation
    return h(
      React.Fragment,
      null,
      h(props.OriginalComponent, Object.assign({}, props, { record: record })),
      data && data.error ? h(DS.Box, { mt: 'xl', 'data-testid': 'operations-error' }, h(DS.MessageBox, { variant: 'danger', message: data.error })) : null,
      data && data.files && data.files.length
        ? h(
            DS.Box,
            { mt: 'xl', 'data-testid': 'record-files' },
            data.files.map(function (file) {
              return h(DS.Button, { key: file.field, as: 'a', mr: 'default', variant: 'outlined', href: file.href, 'data-testid': 'file-' + file.field }, 'Download ' + file.field)
            })
          )
        : null,
      operation
        ? h(
            DS.Box,
            { mt: 'xl', 'data-testid': 'import-state' },
            h(DS.Text, { 'data-testid': 'import-status' }, 'Import: ' + (operation.status || 'not run') + (operation.running ? ' (updating)' : '')),
            operation.errorsHref
              ? h(DS.Button, { as: 'a', mt: 'default', variant: 'outlined', href: operation.errorsHref, 'data-testid': 'import-errors' }, 'Download errors (CSV)')
              : null
          )
        : null,
      data && data.history
        ? h(DS.Box, { mt: 'xxl', 'data-testid': 'history-section' }, h(DS.H4, null, 'History'), h(History, { entries: data.history }))
        : null
    )
  }

  AdminJS.UserComponents.QuillbaseExport = ExportList
  AdminJS.UserComponents.QuillbaseOperation = OperationForm
  AdminJS.UserComponents.DefaultShowAction = ShowWithOperations
})()
