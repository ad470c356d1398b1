// Loads one of the panel's on-demand libraries (src/admin/assets.ts `ON_DEMAND`) once, from the URL the page names.
;(function () {
  var loading = {}
  window.quillbaseLoad = function (name) {
    if (!loading[name]) {
      loading[name] = new Promise(function (resolve, reject) {
        var url = window.QUILLBASE_ASSETS && window.QUILLBASE_ASSETS[name]
        if (!url) return reject(new Error('No asset ' + name + ' on this page'))
        var script = document.createElement('script')
        script.src = url
        script.onload = function () {
          resolve()
        }
        script.onerror = function () {
          delete loading[name]
          reject(new Error('Could not load ' + name))
        }
        document.head.appendChild(script)
      })
    }
    return loading[name]
  }
})()
