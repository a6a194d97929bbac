#!/usr/bin/env node
// Writes contributes.configuration of package.json from schemas/coder-catalog.schema.json
// (run `npm run sync-configuration` after changing the server's settings; a unit test fails
// until package.json matches). Needs the compiled out/ (npm run build).
'use strict';
const fs = require('fs');
const path = require('path');
const { contributedConfiguration } = require('../out/src/configurationSchema');

const root = path.resolve(__dirname, '..');
const schema = JSON.parse(fs.readFileSync(path.resolve(root, '..', '..', 'schemas', 'coder-catalog.schema.json'), 'utf8'));
const manifestPath = path.join(root, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.contributes = manifest.contributes || {};
manifest.contributes.configuration = contributedConfiguration(schema);
fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log(`package.json: ${Object.keys(manifest.contributes.configuration.properties).length} settings`);
