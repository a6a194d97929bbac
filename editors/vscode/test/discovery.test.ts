import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DiscoveryInput, executableNames, findServer, INSTALL_COMMAND } from '../src/discovery';

function input(files: string[], overrides: Partial<DiscoveryInput> = {}): DiscoveryInput {
  const existing = new Set(files);
  return {
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    home: '/home/ada',
    workspaceFolder: '/repo',
    isExecutable: (file) => existing.has(file),
    ...overrides,
  };
}

describe('server discovery', () => {
  it('uses the setting first, with variables and ~ expanded', () => {
    const files = ['/repo/tools/coder-catalog', '/home/ada/bin/cc', '/usr/bin/coder-catalog'];
    assert.deepEqual(findServer(input(files, { settingPath: '${workspaceFolder}/tools/coder-catalog' })), {
      found: true,
      command: '/repo/tools/coder-catalog',
      args: ['serve'],
      source: 'setting',
    });
    const home = findServer(input(files, { settingPath: '~/bin/cc', extraArgs: ['--log-level', 'debug'] }));
    assert.deepEqual(home, { found: true, command: '/home/ada/bin/cc', args: ['serve', '--log-level', 'debug'], source: 'setting' });
    const relative = findServer(input(files, { settingPath: 'tools/coder-catalog' }));
    assert.ok(relative.found && relative.command === '/repo/tools/coder-catalog');
  });

  it('looks a bare name in the setting up on PATH', () => {
    const found = findServer(input(['/usr/bin/coder-catalog-dev'], { settingPath: 'coder-catalog-dev' }));
    assert.ok(found.found);
    assert.equal(found.command, '/usr/bin/coder-catalog-dev');
  });

  it('reports a setting that points nowhere instead of falling back silently', () => {
    const missing = findServer(input(['/usr/bin/coder-catalog'], { settingPath: '/opt/nothing/coder-catalog' }));
    assert.equal(missing.found, false);
    assert.ok(!missing.found && missing.message.includes('coderCatalog.server.path'));
    assert.ok(!missing.found && missing.message.includes('/opt/nothing/coder-catalog'));
  });

  it('prefers the selected Python environment to PATH', () => {
    const files = ['/repo/.venv/bin/coder-catalog', '/usr/bin/coder-catalog'];
    const found = findServer(input(files, { pythonExecutable: '/repo/.venv/bin/python' }));
    assert.deepEqual(found, { found: true, command: '/repo/.venv/bin/coder-catalog', args: ['serve'], source: 'python' });
    const prefix = findServer(input(['/opt/py/bin/coder-catalog'], { pythonExecutable: '/usr/bin/python3', pythonPrefix: '/opt/py' }));
    assert.ok(prefix.found && prefix.source === 'python' && prefix.command === '/opt/py/bin/coder-catalog');
  });

  it('falls back to PATH when the environment has no server', () => {
    const found = findServer(input(['/usr/bin/coder-catalog'], { pythonExecutable: '/repo/.venv/bin/python' }));
    assert.deepEqual(found, { found: true, command: '/usr/bin/coder-catalog', args: ['serve'], source: 'PATH' });
  });

  it('says how to install the server when it is nowhere', () => {
    const plain = findServer(input([]));
    assert.equal(plain.found, false);
    assert.ok(!plain.found && plain.installCommand === INSTALL_COMMAND);
    assert.ok(!plain.found && plain.message.includes('pip install coder-catalog'));
    const venv = findServer(input([], { pythonExecutable: '/repo/.venv/bin/python' }));
    assert.ok(!venv.found && venv.installCommand === '/repo/.venv/bin/python -m pip install coder-catalog');
    assert.ok(!venv.found && venv.message.includes('/repo/.venv/bin/python'));
  });

  it('knows Windows names and folders', () => {
    assert.deepEqual(executableNames('win32', { PATHEXT: '.EXE;.CMD' }), ['coder-catalog.exe', 'coder-catalog.cmd', 'coder-catalog']);
    const env = { Path: 'C:\\Tools;C:\\Python312\\Scripts', PATHEXT: '.EXE' };
    const venv = findServer(
      input(['C:\\repo\\.venv\\Scripts\\coder-catalog.exe'], { platform: 'win32', env, pythonExecutable: 'C:\\repo\\.venv\\Scripts\\python.exe' }),
    );
    assert.ok(venv.found && venv.command === 'C:\\repo\\.venv\\Scripts\\coder-catalog.exe');
    const base = findServer(
      input(['C:\\Python312\\Scripts\\coder-catalog.exe'], { platform: 'win32', env, pythonExecutable: 'C:\\Python312\\python.exe' }),
    );
    assert.ok(base.found && base.source === 'python' && base.command === 'C:\\Python312\\Scripts\\coder-catalog.exe');
    const onPath = findServer(input(['C:\\Python312\\Scripts\\coder-catalog.exe'], { platform: 'win32', env }));
    assert.ok(onPath.found && onPath.source === 'PATH');
  });
});
