#!/usr/bin/env bash
# Installs the CongoDB MongoDB wire-protocol emulator (@push.rocks/smartmongo 2.2.0) into this folder, for the MongoDB tests.
# Its published dependency list is broken (it pulls mongodb-memory-server, which downloads a server binary), so the
# tarball is unpacked without it, checked against its registry integrity first, and its real runtime dependencies come
# from this folder's package-lock.json (exact versions).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGE='@push.rocks/smartmongo@2.2.0'
# `npm view @push.rocks/smartmongo@2.2.0 dist.integrity`
INTEGRITY='sha512-ovVCNoJ3D0aBuKtoKaQWWQKvBngaGJq9fAPQigzji1EHsS1XyGpXWCpe5nq/ptGvBROOcpqZcOFEGAcrnb+OjA=='

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT

tarball=$(npm pack "$PACKAGE" --pack-destination "$download" --silent)
actual=$(node -e 'const data = require("node:fs").readFileSync(process.argv[1]); console.log("sha512-" + require("node:crypto").createHash("sha512").update(data).digest("base64"))' "$download/$tarball")
if [ "$actual" != "$INTEGRITY" ]; then
  echo "mongo-emulator: $tarball has integrity $actual, expected $INTEGRITY; not installed" >&2
  exit 1
fi

rm -rf smartmongo
mkdir smartmongo
tar -xzf "$download/$tarball" -C smartmongo --strip-components=1
# Without its dependency lists nothing resolves them from the unpacked package; imports fall through to ./node_modules.
node -e '
  const fs = require("node:fs")
  const manifest = JSON.parse(fs.readFileSync("smartmongo/package.json", "utf8"))
  for (const key of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) delete manifest[key]
  fs.writeFileSync("smartmongo/package.json", JSON.stringify(manifest, null, 2) + "\n")
'

npm ci --no-audit --no-fund --ignore-scripts --silent
echo "mongo-emulator: installed $PACKAGE (CongoDB); npm test now runs the MongoDB tests on it"
