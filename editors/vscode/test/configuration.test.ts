import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { CLIENT_SETTINGS, configurationFromSchema, contributedConfiguration, serverSettingKeys } from '../src/configurationSchema';
import { PATH_SETTINGS, PROJECT_KEYS } from '../src/settings';

// out/test/*.js -> the extension folder -> the repository
const extension = path.resolve(__dirname, '..', '..');
const repository = path.resolve(extension, '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(repository, 'schemas', 'coder-catalog.schema.json'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(extension, 'package.json'), 'utf8'));

describe('contributes.configuration', () => {
  it('is exactly what the settings schema gives (run `npm run sync-configuration` when this fails)', () => {
    assert.deepEqual(manifest.contributes.configuration, contributedConfiguration(schema));
  });

  it('has one setting per leaf of the schema, flattened the way VS Code nests them', () => {
    // An independent walk: every property of an object with fixed members is a group; the rest are settings.
    const leaves: string[] = [];
    const walk = (node: { properties?: Record<string, any> }, prefix: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        const key = prefix ? `${prefix}.${name}` : name;
        if (child.type === 'object' && child.properties && child.additionalProperties === false) {
          walk(child, key);
        } else {
          leaves.push(key);
        }
      }
    };
    walk(schema, '');
    assert.deepEqual(serverSettingKeys(schema).sort(), leaves.sort());
    for (const key of ['deployment.accessUrl', 'workspaces.defaultTemplateName', 'workspaces.params', 'rules', 'tls.caBundle']) {
      assert.ok(leaves.includes(key), key);
    }
    const tops = new Set(serverSettingKeys(schema).map((key) => key.split('.')[0]));
    assert.deepEqual([...tops].sort(), [...PROJECT_KEYS].sort());
    for (const key of PATH_SETTINGS) {
      assert.ok(serverSettingKeys(schema).includes(key), key);
    }
    const generated = configurationFromSchema(schema);
    assert.deepEqual(generated['coderCatalog.workspaces.defaultMode'].enum, ['manual', 'auto', null]);
    assert.equal(generated['coderCatalog.rules'].type, 'object');
    assert.deepEqual(generated['coderCatalog.catalogGlobs'].default, []);
    assert.equal(generated['coderCatalog.deployment.accessUrl'].default, null);
    for (const key of Object.keys(CLIENT_SETTINGS)) {
      assert.ok(!(key in generated), key);
    }
  });

  it('validates YAML with the shipped schemas', () => {
    const urls = manifest.contributes.yamlValidation.map((entry: { url: string }) => entry.url);
    assert.deepEqual(urls, ['./schemas/catalog-info.schema.json', './schemas/coder-catalog.schema.json']);
    for (const url of urls) {
      const shipped = path.join(extension, url);
      assert.ok(fs.existsSync(shipped), `${shipped} (built by scripts/copy-schemas.js)`);
      assert.deepEqual(
        JSON.parse(fs.readFileSync(shipped, 'utf8')),
        JSON.parse(fs.readFileSync(path.join(repository, 'schemas', path.basename(url)), 'utf8')),
      );
    }
  });

  it('contributes commands that are not the server\'s, titled for the palette', () => {
    const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    for (const wanted of ['Coder: Link Account', 'Coder: Sign In with OAuth', 'Coder: Unlink Account', 'Coder: Show Workspaces', 'Coder: Create Workspace']) {
      assert.ok(titles.includes(wanted), wanted);
    }
    for (const command of manifest.contributes.commands) {
      assert.match(command.command, /^coderCatalog\.vscode\./);
    }
    assert.equal(manifest.engines.vscode, '^1.82.0');
    assert.equal(manifest.dependencies['vscode-languageclient'], '9.0.1');
  });
});
