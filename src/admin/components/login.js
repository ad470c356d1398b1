// The login page, in place of AdminJS's (stock marketing copy, an empty email after a failure, raw error texts).
// A plain browser script like dashboard.js. Its state comes from the server in `window.__APP_STATE__` (where AdminJS's
// login template puts the page's props; its own component reads it there too) as `quillbase`, percent-encoded JSON:
// title, description, the email typed before and the message of a refusal.
;(function () {
  var h = React.createElement
  var DS = AdminJSDesignSystem

  function stateOf(page) {
    try {
      return JSON.parse(decodeURIComponent(page.quillbase || '')) || {}
    } catch (e) {
      return {}
    }
  }

  function Login() {
    var page = window.__APP_STATE__ || {}
    var state = stateOf(page)
    return h(
      DS.Box,
      { flex: true, variant: 'grey', alignItems: 'center', justifyContent: 'center', style: { minHeight: '100vh' } },
      h(
        DS.Box,
        { bg: 'white', flex: true, boxShadow: 'login', width: [1, 2 / 3, 'auto'], 'data-testid': 'quillbase-login' },
        h(
          DS.Box,
          { bg: 'primary100', color: 'white', p: 'x3', width: '380px', flexGrow: 0, display: ['none', 'none', 'block'] },
          h(DS.H2, { fontWeight: 'lighter' }, state.title || 'quillbase'),
          h(DS.Text, { fontWeight: 'lighter', mt: 'default' }, state.description || '')
        ),
        h(
          DS.Box,
          { as: 'form', action: page.action, method: 'POST', p: 'x3', flexGrow: 1, width: ['100%', '100%', '480px'] },
          h(DS.H5, { marginBottom: 'xxl' }, 'Log in to the admin panel'),
          state.message ? h(DS.MessageBox, { my: 'lg', message: state.message, variant: 'danger', 'data-testid': 'login-error' }) : null,
          h(
            DS.FormGroup,
            null,
            h(DS.Label, { required: true, htmlFor: 'quillbase-email' }, 'Email'),
            h(DS.Input, { id: 'quillbase-email', name: 'email', type: 'text', inputMode: 'email', autoComplete: 'username', defaultValue: state.email || '', autoFocus: !state.email })
          ),
          h(
            DS.FormGroup,
            null,
            h(DS.Label, { required: true, htmlFor: 'quillbase-password' }, 'Password'),
            h(DS.Input, { id: 'quillbase-password', type: 'password', name: 'password', autoComplete: 'current-password', autoFocus: !!state.email })
          ),
          h(DS.Text, { mt: 'xl', textAlign: 'center' }, h(DS.Button, { variant: 'contained', type: 'submit' }, 'Log in'))
        )
      )
    )
  }

  AdminJS.UserComponents.Login = Login
})()
