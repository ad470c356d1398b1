// The edit form of array properties, replacing AdminJS's `DefaultArrayEditProperty` (same look, same test ids).
// AdminJS keys each item by the JSON of its value (`ItemRenderer`'s Draggable key), so the item is mounted anew whenever
// one of its fields changes: a text input commits on blur, so clicking from the first field into the second remounts the
// item and the second input, focused a moment ago, is gone with what is typed next. Here items are keyed by position.
// No drag and drop (the panel never enables `isDraggable`). A plain browser script, like dashboard.js.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem

  function itemProperty(property, index) {
    return Object.assign({}, property, { path: property.path + '.' + index, label: '[' + (index + 1) + ']', isArray: false, isDraggable: false })
  }

  /** AdminJS's own removal (`removeSubProperty`): the item's params and populated references, later items moved up. */
  function withoutItem(record, path) {
    var keys = {}
    Object.keys(record.populated || {}).forEach(function (key) {
      keys[key] = key
    })
    var moved = AdminJS.flat.removePath(keys, path)
    var populated = {}
    Object.keys(moved).forEach(function (key) {
      populated[key] = moved[key] && record.populated[String(moved[key])]
    })
    return Object.assign({}, record, { params: AdminJS.flat.removePath(record.params, path), populated: populated })
  }

  function ArrayEdit(props) {
    var property = props.property
    var record = props.record
    var onChange = props.onChange
    var ItemComponent = props.ItemComponent
    var translation = AdminJS.useTranslation()
    var items = AdminJS.flat.get(record.params, property.path) || []
    var error = record.errors && record.errors[property.propertyPath]
    var addLabel = translation.translateProperty(property.path + '.addNewItem', property.resourceId, {
      defaultValue: translation.translateButton('addNewItem', property.resourceId)
    })

    function add(event) {
      event.preventDefault()
      onChange(property.path, items.concat([property.subProperties.length ? {} : '']))
    }

    return h(
      DS.FormGroup,
      { error: !!error, 'data-testid': props.testId },
      h(AdminJS.PropertyLabel, { property: property }),
      h(
        DS.Section,
        { mt: 'xl', className: property.path },
        items.map(function (_, index) {
          var item = itemProperty(property, index)
          return h(
            DS.Box,
            { key: item.path, flex: true, flexDirection: 'row', alignItems: 'start', 'data-testid': item.path },
            h(DS.Box, { flexGrow: 1 }, h(ItemComponent, Object.assign({}, props, { property: item }))),
            // A read-only array (the engine's, e.g. an import's error rows) is shown without add and delete buttons.
            property.isDisabled ? null : h(
              DS.Button,
              {
                rounded: true,
                mt: 'xl',
                ml: 'default',
                'data-testid': 'delete-item',
                type: 'button',
                size: 'icon',
                variant: 'text',
                color: 'danger',
                onClick: function (event) {
                  event.preventDefault()
                  onChange(withoutItem(record, item.path))
                }
              },
              h(DS.Icon, { icon: 'Trash2' })
            )
          )
        }),
        property.isDisabled ? null : h(DS.Button, { type: 'button', variant: 'outlined', onClick: add, 'data-testid': property.path + '-add' }, h(DS.Icon, { icon: 'Plus' }), addLabel)
      ),
      h(DS.FormMessage, null, error && translation.tm(error.message, property.resourceId))
    )
  }

  AdminJS.UserComponents.DefaultArrayEditProperty = ArrayEdit
})()
