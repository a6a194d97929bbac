import assert from 'node:assert/strict';
import Module from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';

// The extension's entry point needs the `vscode` module, which exists only inside VS Code. This check
// gives it an empty stand-in just to load the module graph: a wrong import path or a dependency left out
// of package.json fails here instead of at activation. (It runs nothing of the extension.)
describe('the extension entry point', () => {
  it('loads with its runtime dependencies', () => {
    const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const original = loader._resolveFilename;
    const stub = path.join(__dirname, 'vscode-stand-in.js');
    require.cache[stub] = {
      id: stub,
      filename: stub,
      loaded: true,
      exports: new Proxy({}, { get: () => class {} }),
    } as unknown as NodeJS.Module;
    loader._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? stub : original.call(this, request, ...rest);
    };
    try {
      const extension = require('../src/extension');
      assert.equal(typeof extension.activate, 'function');
      assert.equal(typeof extension.deactivate, 'function');
      const manifest = require('../../package.json');
      assert.equal(path.resolve(__dirname, '..', '..', manifest.main), require.resolve('../src/extension'));
    } finally {
      loader._resolveFilename = original;
    }
  });
});
