// The configuration folder of this package (`config/`), for node-config, which otherwise reads `config/` of the current
// directory: the `quillbase` command reads the same configuration as `npm start` from wherever it is run. Imported
// first by src/cli.ts, before anything loads node-config; a NODE_CONFIG_DIR already set is kept.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

process.env.NODE_CONFIG_DIR ??= path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'config')
