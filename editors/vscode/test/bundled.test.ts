import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BundledHost,
  COMPLETE,
  Manifest,
  OnceNotifier,
  Probe,
  RunResult,
  bundledEnvironment,
  bundledServer,
  ensureVenv,
  findInterpreter,
  importStrategy,
  interpreterCandidates,
  noPythonMessage,
  parseManifest,
  parseProbe,
  serverSource,
  unusableBecause,
  venvFor,
  venvName,
} from '../src/bundled';

const MANIFEST: Manifest = {
  target: 'linux-x64',
  server: '0.1.0',
  pythons: ['3.11', '3.12', '3.13', '3.14'],
  pip: 'pip-26.0-py3-none-any.whl',
  requirement: 'coder-catalog==0.1.0',
};

function probe(version: [number, number, number], executable = '/usr/bin/python3', implementation = 'cpython'): Probe {
  return { executable, version, implementation };
}

function answer(p: Probe): RunResult {
  return { code: 0, stdout: JSON.stringify(p) + '\n', stderr: '' };
}

const NOT_FOUND: RunResult = { code: null, stdout: '', stderr: '', error: 'ENOENT: spawn python3 ENOENT' };

describe('import strategy', () => {
  it('defaults to the bundled server; the path setting always wins', () => {
    assert.equal(importStrategy(undefined), 'useBundled');
    assert.equal(importStrategy('nonsense'), 'useBundled');
    assert.equal(importStrategy('fromEnvironment'), 'fromEnvironment');
    assert.equal(serverSource(null, 'useBundled'), 'useBundled');
    assert.equal(serverSource('  ', 'useBundled'), 'useBundled');
    assert.equal(serverSource('/opt/cc/bin/coder-catalog', 'useBundled'), 'setting');
    assert.equal(serverSource('/opt/cc/bin/coder-catalog', 'fromEnvironment'), 'setting');
    assert.equal(serverSource(undefined, 'fromEnvironment'), 'fromEnvironment');
  });
});

describe('interpreter choice', () => {
  it('tries the Python extension first, then python3 (py -3, then python, on Windows)', () => {
    assert.deepEqual(
      interpreterCandidates('/repo/.venv/bin/python', 'linux').map((c) => [c.command, ...c.args]),
      [['/repo/.venv/bin/python'], ['python3']],
    );
    assert.deepEqual(interpreterCandidates(undefined, 'darwin').map((c) => c.command), ['python3']);
    assert.deepEqual(
      interpreterCandidates(undefined, 'win32').map((c) => [c.command, ...c.args]),
      [['py', '-3'], ['python']],
    );
  });

  it('reads the probe and rejects what cannot run the wheels', () => {
    assert.deepEqual(parseProbe('{"executable": "/usr/bin/python3.11", "version": [3, 11, 2], "implementation": "cpython"}\n'), probe([3, 11, 2], '/usr/bin/python3.11'));
    assert.equal(parseProbe('Python was not found; run without arguments to install from the Microsoft Store'), undefined);
    assert.equal(parseProbe(''), undefined);
    assert.equal(unusableBecause(probe([3, 11, 2]), MANIFEST), undefined);
    assert.equal(unusableBecause(probe([3, 14, 0]), MANIFEST), undefined);
    assert.match(unusableBecause(probe([3, 10, 12]), MANIFEST) ?? '', /older than 3\.11/);
    assert.match(unusableBecause(probe([3, 15, 0]), MANIFEST) ?? '', /no wheels for Python 3\.15/);
    assert.match(unusableBecause(probe([3, 12, 0], '/usr/bin/pypy3', 'pypy'), MANIFEST) ?? '', /not CPython/);
  });

  it('skips a too old selected interpreter for python3 on PATH', async () => {
    const calls: string[] = [];
    const run = async (command: string): Promise<RunResult> => {
      calls.push(command);
      return command === '/repo/.venv/bin/python' ? answer(probe([3, 10, 12], '/repo/.venv/bin/python')) : answer(probe([3, 12, 1]));
    };
    const found = await findInterpreter(interpreterCandidates('/repo/.venv/bin/python', 'linux'), MANIFEST, { run });
    assert.deepEqual(calls, ['/repo/.venv/bin/python', 'python3']);
    assert.deepEqual(found.probe, probe([3, 12, 1]));
    assert.equal(found.tried.length, 1);
    assert.match(found.tried[0].reason, /older than 3\.11/);
  });

  it('says what was found, what is needed and which setting helps when nothing fits', async () => {
    const run = async (command: string): Promise<RunResult> => (command === 'python3' ? answer(probe([3, 9, 2])) : NOT_FOUND);
    const found = await findInterpreter(interpreterCandidates(undefined, 'linux'), MANIFEST, { run });
    assert.equal(found.probe, undefined);
    const message = noPythonMessage(found.tried, MANIFEST, 'linux');
    assert.match(message, /needs Python 3\.11 or later/);
    assert.match(message, /python3 \(from PATH\) is Python 3\.9\.2 at \/usr\/bin\/python3/);
    assert.match(message, /coderCatalog\.server\.path/);
    const none = await findInterpreter(interpreterCandidates(undefined, 'win32'), MANIFEST, { run: async () => NOT_FOUND });
    assert.match(noPythonMessage(none.tried, MANIFEST, 'win32'), /py -3 \(from PATH\): not found; python \(from PATH\): not found/);
  });
});

describe('one notification', () => {
  it('shows a message the first time only, again after a reset', () => {
    const notices = new OnceNotifier();
    assert.equal(notices.first('no-python'), true);
    // Every further catalog file opened asks again: no second message.
    assert.equal(notices.first('no-python'), false);
    assert.equal(notices.first('no-python'), false);
    assert.equal(notices.first('missing-server'), true);
    notices.reset(); // Restart Language Server, or a server setting changed
    assert.equal(notices.first('no-python'), true);
  });
});

/** A host over an in-memory set of files; `run` records the commands and makes what they would. */
function fakeHost(overrides: Partial<BundledHost> = {}): BundledHost & { files: Set<string>; commands: string[][] } {
  const files = new Set<string>();
  const commands: string[][] = [];
  const host = {
    files,
    commands,
    platform: 'linux',
    extensionPath: '/ext',
    extensionVersion: '0.2.0',
    storage: '/storage',
    run: async (command: string, args: string[]): Promise<RunResult> => {
      commands.push([command, ...args]);
      if (args[0] === '-m' && args[1] === 'venv') {
        files.add(`${args[3]}/bin/python`);
      }
      return { code: 0, stdout: '', stderr: '' };
    },
    exists: (file: string) => files.has(file),
    remove: async (folder: string) => {
      for (const file of [...files]) {
        if (file === folder || file.startsWith(`${folder}/`)) {
          files.delete(file);
        }
      }
    },
    rename: async (from: string, to: string) => {
      for (const file of [...files]) {
        if (file.startsWith(`${from}/`)) {
          files.delete(file);
          files.add(to + file.slice(from.length));
        }
      }
    },
    writeFile: async (file: string) => {
      files.add(file);
    },
    list: () => ['0.1.0-py3.11-aaaaaaaa', '0.2.0-py3.11-bbbbbbbb'],
    log: () => undefined,
    ...overrides,
  };
  return host;
}

describe('the private environment', () => {
  const python = probe([3, 11, 2]);

  it('is keyed by extension version, Python version and interpreter', () => {
    assert.match(venvName('0.2.0', python), /^0\.2\.0-py3\.11-[0-9a-f]{8}$/);
    assert.notEqual(venvName('0.2.0', python), venvName('0.2.0', probe([3, 11, 2], '/opt/python3')));
    assert.notEqual(venvName('0.2.0', python), venvName('0.3.0', python));
    const venv = venvFor(python, { storage: 'C:\\storage', extensionVersion: '0.2.0', platform: 'win32' });
    assert.match(venv.python, /^C:\\storage\\venvs\\0\.2\.0-py3\.11-[0-9a-f]{8}\\Scripts\\python\.exe$/);
  });

  it('is made with venv and pip from the bundled wheels only, then renamed into place', async () => {
    const removed: string[] = [];
    const host = fakeHost();
    const remove = host.remove;
    host.remove = async (folder) => {
      removed.push(folder);
      await remove(folder);
    };
    const made = await ensureVenv(python, MANIFEST, host);
    assert.equal(made.created, true);
    assert.equal(made.folder, venvFor(python, host).folder);
    assert.equal(host.commands.length, 2);
    const [venv, pip] = host.commands;
    assert.deepEqual(venv.slice(0, 4), ['/usr/bin/python3', '-m', 'venv', '--without-pip']);
    assert.ok(venv[4].startsWith(`${made.folder}.tmp-`));
    assert.equal(pip[0], `${venv[4]}/bin/python`);
    assert.equal(pip[1], `/ext/bundled/pip/${MANIFEST.pip}/pip`);
    assert.deepEqual(pip.slice(2, 6), ['install', '--no-index', '--find-links', '/ext/bundled/wheels']);
    assert.equal(pip[pip.length - 1], 'coder-catalog==0.1.0');
    assert.ok(host.files.has(`${made.folder}/${COMPLETE}`) && host.files.has(made.python));
    // The environment of an older extension version goes.
    assert.deepEqual(removed, ['/storage/venvs/0.1.0-py3.11-aaaaaaaa']);

    // A later start reuses it: no process at all.
    host.commands.length = 0;
    const again = await ensureVenv(python, MANIFEST, host);
    assert.equal(again.created, false);
    assert.deepEqual(host.commands, []);
    assert.deepEqual(bundledServer(again, ['--log-level', 'debug']), {
      found: true,
      command: made.python,
      args: ['-m', 'coder_catalog', 'serve', '--log-level', 'debug'],
      source: 'bundled',
    });
  });

  it('is made again when broken (its interpreter gone) or never finished', async () => {
    const host = fakeHost();
    const made = await ensureVenv(python, MANIFEST, host);
    host.files.delete(made.python); // the base interpreter was removed: a dangling link
    host.commands.length = 0;
    assert.equal((await ensureVenv(python, MANIFEST, host)).created, true);
    assert.equal(host.commands.length, 2);
    host.files.delete(`${made.folder}/${COMPLETE}`); // cut short before
    assert.equal((await ensureVenv(python, MANIFEST, host)).created, true);
  });

  it('reports a failed install and leaves nothing half made', async () => {
    const host = fakeHost();
    const run = host.run;
    host.run = async (command, args, timeout) =>
      args.includes('install') ? { code: 1, stdout: '', stderr: 'ERROR: No matching distribution found for google-re2' } : run(command, args, timeout);
    await assert.rejects(ensureVenv(python, MANIFEST, host), /pip install from the bundled wheels failed:\nERROR: No matching distribution/);
    assert.deepEqual([...host.files], []);
  });

  it('runs the server without the editor PYTHONPATH or PYTHONHOME', () => {
    const env = bundledEnvironment({ PATH: '/usr/bin', PYTHONPATH: '/elsewhere', PYTHONHOME: '/x' }, { CODER_CONFIG_DIR: '/c' });
    assert.deepEqual(env, { PATH: '/usr/bin', CODER_CONFIG_DIR: '/c' });
  });

  it('reads the manifest written by scripts/fetch-wheels.py', () => {
    assert.deepEqual(parseManifest(JSON.stringify(MANIFEST)), MANIFEST);
    assert.equal(parseManifest('{"target": "linux-x64"}'), undefined);
    assert.equal(parseManifest('not json'), undefined);
  });
});
