// The admin dashboard: the blueprint's declared figures and charts (Chart.js, loaded on demand from the panel's own
// assets), then record counts per collection, grouped as in the navigation.
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

  /** Colours of the series, in order (the design system's palette). */
  var COLOURS = ['#3040D6', '#C20012', '#007D7F', '#F0AA00', '#8B5CF6', '#6B7280', '#16A34A']

  function Figure(props) {
    var chart = props.chart
    var value = chart.series.length ? chart.series[0].values[0] : null
    return h(
      DS.Box,
      { variant: 'card', flex: true, flexDirection: 'column', width: '220px', p: 'lg', 'data-testid': 'chart-' + chart.name },
      h(DS.Text, { variant: 'sm', color: 'grey60' }, chart.title),
      h(DS.H2, { mt: 'sm', mb: 0, className: 'quillbase-figure' }, value === null ? '–' : String(value)),
      chart.error ? h(DS.Text, { variant: 'sm', color: 'error' }, chart.error) : null
    )
  }

  /** A bar (stacked per series) or doughnut chart; the numbers are also in the canvas' label for screen readers. */
  function ChartCard(props) {
    var chart = props.chart
    var canvas = React.useRef(null)
    React.useEffect(function () {
      var drawn
      var alive = true
      window.quillbaseLoad('chart.umd.min.js').then(function () {
        if (!alive || !canvas.current) return
        var doughnut = chart.kind === 'doughnut'
        drawn = new window.Chart(canvas.current, {
          type: doughnut ? 'doughnut' : 'bar',
          data: {
            labels: chart.labels,
            datasets: chart.series.map(function (series, index) {
              return {
                label: series.label,
                data: series.values,
                backgroundColor: doughnut ? chart.labels.map(function (_, i) { return COLOURS[i % COLOURS.length] }) : COLOURS[index % COLOURS.length]
              }
            })
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { legend: { position: 'bottom' } },
            scales: doughnut ? {} : { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
          }
        })
      })
      return function () {
        alive = false
        if (drawn) drawn.destroy()
      }
    }, [chart])
    var summary = chart.series
      .map(function (series) {
        return series.label + ': ' + series.values.map(function (value, i) { return (chart.labels[i] || '') + ' ' + value }).join(', ')
      })
      .join('; ')
    return h(
      DS.Box,
      { variant: 'card', p: 'lg', width: chart.kind === 'doughnut' ? '360px' : '560px', 'data-testid': 'chart-' + chart.name },
      h(DS.Text, { mb: 'default', fontWeight: 'bold' }, chart.title),
      chart.error
        ? h(DS.Text, { color: 'error' }, chart.error)
        : h('div', { style: { position: 'relative', height: '260px' } }, h('canvas', { ref: canvas, role: 'img', 'aria-label': chart.title + '. ' + summary }))
    )
  }

  function Charts(props) {
    if (!props.charts.length) return null
    var figures = props.charts.filter(function (chart) { return chart.kind === 'figure' })
    var others = props.charts.filter(function (chart) { return chart.kind !== 'figure' })
    var row = { flex: true, flexDirection: 'row', flexWrap: 'wrap', mb: 'xl', style: { gap: '16px' } }
    return h(
      DS.Box,
      { 'data-testid': 'quillbase-charts' },
      figures.length ? h(DS.Box, row, figures.map(function (chart) { return h(Figure, { key: chart.name, chart: chart }) })) : null,
      others.length ? h(DS.Box, row, others.map(function (chart) { return h(ChartCard, { key: chart.name, chart: chart }) })) : null
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
      h(Charts, { charts: data.charts || [] }),
      h(DS.H4, { mb: 'lg' }, 'Records'),
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
