#!/bin/sh
# npm start: under NODE_ENV=production the build (npm run build), else the TypeScript sources through tsx.
# `exec`, so signals reach the server itself (it shuts down gracefully on SIGTERM and SIGINT).
if [ "$NODE_ENV" = production ]; then
  if [ ! -f build/src/index.js ]; then
    echo 'quillbase: NODE_ENV=production serves the build, and there is none (build/src/index.js): run `npm run build` first' >&2
    exit 1
  fi
  newer=$(find src migrations -newer build/src/index.js -name '*.ts' | head -n 1)
  [ -n "$newer" ] && echo "quillbase: warning: the build is older than $newer: run \`npm run build\` to serve the current sources" >&2
  exec node build/src/index.js "$@"
fi
exec tsx src/index.ts "$@"
