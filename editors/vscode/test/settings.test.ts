import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { catalogPatterns, clientDocumentSelector, documentSelector, initializationOptions, needsRestart, prune, serverSettings } from '../src/settings';

describe('settings mapping', () => {
  it('sends the server only its keys, without unset values', () => {
    // What VS Code's getConfiguration("coderCatalog") holds with defaults and a few settings.
    const section = {
      deployment: { accessUrl: 'https://coder.example.com' },
      workspaces: { defaultTemplateName: null, defaultMode: 'auto', params: {}, repoUrlParamKeys: null },
      templates: null,
      catalogGlobs: [],
      rules: { CC101: 'off' },
      tls: { caBundle: null },
      server: { path: '/usr/bin/coder-catalog', args: [], env: {} },
      trace: { server: 'verbose' },
    };
    assert.deepEqual(serverSettings(section), {
      deployment: { accessUrl: 'https://coder.example.com' },
      workspaces: { defaultMode: 'auto' },
      rules: { CC101: 'off' },
    });
    assert.deepEqual(initializationOptions({}), { coderCatalog: {} });
    assert.deepEqual(serverSettings(undefined), {});
  });

  it('expands variables in path settings only', () => {
    const section = {
      templates: '${workspaceFolder}/coder-templates.json',
      tls: { caBundle: '~/ca.pem' },
      workspaces: { params: { dotfiles: '~/dotfiles' } },
    };
    assert.deepEqual(serverSettings(section, { workspaceFolder: '/repo', userHome: '/home/ada' }), {
      templates: '/repo/coder-templates.json',
      tls: { caBundle: '/home/ada/ca.pem' },
      workspaces: { params: { dotfiles: '~/dotfiles' } },
    });
  });

  it('prunes like the server', () => {
    assert.equal(prune({ a: { b: null, c: '' }, d: [] }), undefined);
    assert.deepEqual(prune({ a: [null, 'x'], b: false, c: 0 }), { a: ['x'], b: false, c: 0 });
  });

  it('selects catalog files by name and by the configured globs', () => {
    assert.deepEqual(catalogPatterns(undefined), ['**/catalog-info.yaml', '**/catalog-info.yml']);
    assert.deepEqual(catalogPatterns(['services/*/catalog.yaml', './extra/*.yaml', '**/team.catalog.yaml', '', 7, '/abs/x.yaml']), [
      '**/catalog-info.yaml',
      '**/catalog-info.yml',
      '**/services/*/catalog.yaml',
      '**/extra/*.yaml',
      '**/team.catalog.yaml',
      '/abs/x.yaml',
    ]);
    assert.deepEqual(documentSelector(['**/catalog-info.yaml']), [{ scheme: 'file', pattern: '**/catalog-info.yaml' }]);
    // The client also sends YAML files (Location targets): the server tells entities from other YAML
    assert.deepEqual(clientDocumentSelector(['**/catalog-info.yaml']), [
      { scheme: 'file', pattern: '**/catalog-info.yaml' },
      { scheme: 'file', language: 'yaml' },
    ]);
  });

  it('restarts the server for the settings that change what runs or what it sees', () => {
    assert.equal(needsRestart((key) => key === 'coderCatalog.catalogGlobs'), true);
    assert.equal(needsRestart((key) => key === 'coderCatalog.server.path'), true);
    assert.equal(needsRestart((key) => key === 'coderCatalog.rules'), false);
  });
});
