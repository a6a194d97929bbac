#!/usr/bin/env node
// Copies the JSON schemas the extension contributes (contributes.yamlValidation) from the
// repository's schemas/ folder into the extension, so the .vsix carries its own copy.
'use strict';
const fs = require('fs');
const path = require('path');

const source = path.resolve(__dirname, '..', '..', '..', 'schemas');
const target = path.resolve(__dirname, '..', 'schemas');
const files = ['catalog-info.schema.json', 'coder-catalog.schema.json'];

fs.mkdirSync(target, { recursive: true });
for (const file of files) {
  const from = path.join(source, file);
  JSON.parse(fs.readFileSync(from, 'utf8')); // fail the build on a broken schema
  fs.copyFileSync(from, path.join(target, file));
}
