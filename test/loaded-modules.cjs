// Preloaded into a child process by a test (`node --require`): at exit, writes the paths of the CommonJS modules the
// process loaded (those imported from ESM included: they share the CommonJS cache) to LOADED_MODULES_FILE, one a line.
const { writeFileSync } = require('node:fs')
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join('\n')))
