/**
 * The language server the .vsix carries: wheels under bundled/wheels (one .vsix per platform target,
 * with the wheels of every supported CPython), installed on first use into a private virtual
 * environment under the extension's global storage, made with the chosen interpreter:
 *
 *   python -m venv --without-pip <storage>/venvs/<extension version>-py3.X-<hash of the interpreter>
 *   <venv python> bundled/pip/pip-*.whl/pip install --no-index --find-links bundled/wheels coder-catalog==V
 *
 * pip picks the wheels that fit the interpreter; nothing comes from the network. The interpreter is
 * the one the Python extension has chosen, else `python3` on PATH (`py -3`, then `python`, on
 * Windows), and must be CPython 3.11 or later with wheels in the .vsix.
 *
 * Pure: no `vscode` import; processes and files are passed in (`BundledHost`), so tests need neither.
 */

import { createHash } from 'crypto';
import * as path from 'path';

import type { Found } from './discovery';

export type ImportStrategy = 'useBundled' | 'fromEnvironment';

export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** The file written into a virtual environment once everything is installed. */
export const COMPLETE = 'coder-catalog-complete.json';

/** `coderCatalog.server.importStrategy`, `useBundled` unless it says `fromEnvironment`. */
export function importStrategy(value: unknown): ImportStrategy {
  return value === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled';
}

/** Which way the server is found: the path setting always wins, then the import strategy. */
export function serverSource(settingPath: string | null | undefined, strategy: ImportStrategy): 'setting' | ImportStrategy {
  return settingPath && settingPath.trim() ? 'setting' : strategy;
}

export interface Interpreter {
  command: string;
  args: string[];
  /** Where it comes from, for messages. */
  origin: 'the Python extension' | 'PATH';
}

/** The interpreters to try, in order: the Python extension's choice, then the usual command on PATH. */
export function interpreterCandidates(selected: string | null | undefined, platform: string): Interpreter[] {
  const candidates: Interpreter[] = [];
  if (selected) {
    candidates.push({ command: selected, args: [], origin: 'the Python extension' });
  }
  if (platform === 'win32') {
    candidates.push({ command: 'py', args: ['-3'], origin: 'PATH' });
    candidates.push({ command: 'python', args: [], origin: 'PATH' });
  } else {
    candidates.push({ command: 'python3', args: [], origin: 'PATH' });
  }
  return candidates;
}

export function describeInterpreter(interpreter: Interpreter): string {
  return [interpreter.command, ...interpreter.args].join(' ');
}

/** Asks an interpreter what it is (one line of JSON). */
export const PROBE =
  "import json, sys; print(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3]), " +
  "'implementation': sys.implementation.name}))";

export interface Probe {
  executable: string;
  version: [number, number, number];
  implementation: string;
}

export function parseProbe(stdout: string): Probe | undefined {
  const line = stdout.trim().split(/\r?\n/).pop();
  if (!line) {
    return undefined;
  }
  try {
    const value = JSON.parse(line);
    if (
      typeof value?.executable === 'string' &&
      value.executable &&
      Array.isArray(value.version) &&
      value.version.length === 3 &&
      value.version.every((n: unknown) => Number.isInteger(n)) &&
      typeof value.implementation === 'string'
    ) {
      return { executable: value.executable, version: value.version, implementation: value.implementation };
    }
  } catch {
    // not JSON: not a Python that ran the probe
  }
  return undefined;
}

export function versionText(probe: Probe): string {
  return probe.version.join('.');
}

/** bundled/manifest.json, written by scripts/fetch-wheels.py. */
export interface Manifest {
  target: string;
  server: string;
  /** The CPython versions ("3.11") the wheels cover. */
  pythons: string[];
  /** The pip wheel's file name under bundled/pip. */
  pip: string;
  /** What pip installs, e.g. coder-catalog==0.1.0. */
  requirement: string;
}

export function parseManifest(text: string): Manifest | undefined {
  try {
    const value = JSON.parse(text);
    if (
      typeof value?.target === 'string' &&
      typeof value.server === 'string' &&
      Array.isArray(value.pythons) &&
      value.pythons.every((v: unknown) => typeof v === 'string') &&
      typeof value.pip === 'string' &&
      typeof value.requirement === 'string'
    ) {
      return value as Manifest;
    }
  } catch {
    // a broken manifest is no manifest
  }
  return undefined;
}

/** Why an interpreter cannot run the bundled server, or undefined when it can. */
export function unusableBecause(probe: Probe, manifest: Manifest): string | undefined {
  const [major, minor] = probe.version;
  if (probe.implementation !== 'cpython') {
    return `${probe.implementation} is not CPython`;
  }
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return `Python ${versionText(probe)} is older than ${MIN_PYTHON.join('.')}`;
  }
  if (!manifest.pythons.includes(`${major}.${minor}`)) {
    return `the extension has no wheels for Python ${major}.${minor} (it has them for ${manifest.pythons.join(', ')})`;
  }
  return undefined;
}

/** What was found when looking for an interpreter. */
export interface Tried {
  interpreter: Interpreter;
  probe?: Probe;
  /** Why it was not used (not found, too old, ...). */
  reason: string;
}

/** The one message when no interpreter fits: what was found, what is needed, which settings help. */
export function noPythonMessage(tried: Tried[], manifest: Manifest, platform: string): string {
  const found = tried.length
    ? tried
        .map((t) =>
          t.probe
            ? `${describeInterpreter(t.interpreter)} (from ${t.interpreter.origin}) is Python ${versionText(t.probe)} at ${t.probe.executable}: ${t.reason}`
            : `${describeInterpreter(t.interpreter)} (from ${t.interpreter.origin}): ${t.reason}`,
        )
        .join('; ')
    : 'no interpreter';
  const command = platform === 'win32' ? '`py -3`' : '`python3`';
  return (
    `Coder Catalog needs Python ${MIN_PYTHON.join('.')} or later (CPython ${manifest.pythons.join(', ')}) to run the language server it ships. ` +
    `Found: ${found}. Install one and select it with "Python: Select Interpreter" or put it on PATH as ${command}, ` +
    'or set coderCatalog.server.path to a coder-catalog executable (or coderCatalog.server.importStrategy to "fromEnvironment" to use one installed in your environment).'
  );
}

/** Shows each kind of message once, until `reset` (a restart or a settings change asked for). */
export class OnceNotifier {
  private readonly shown = new Set<string>();

  /** True the first time for `key`: the caller shows the message then. */
  first(key: string): boolean {
    if (this.shown.has(key)) {
      return false;
    }
    this.shown.add(key);
    return true;
  }

  reset(): void {
    this.shown.clear();
  }
}

function pathModule(platform: string): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The folder name of the private environment: extension version, Python version, interpreter. */
export function venvName(extensionVersion: string, probe: Probe): string {
  const hash = createHash('sha256').update(probe.executable).digest('hex').slice(0, 8);
  return `${extensionVersion}-py${probe.version[0]}.${probe.version[1]}-${hash}`;
}

export function venvPython(venv: string, platform: string): string {
  const p = pathModule(platform);
  return platform === 'win32' ? p.join(venv, 'Scripts', 'python.exe') : p.join(venv, 'bin', 'python');
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (ENOENT, ...). */
  error?: string;
}

/** What the bundled server needs from the outside world. */
export interface BundledHost {
  platform: string;
  extensionPath: string;
  extensionVersion: string;
  /** The extension's global storage folder. */
  storage: string;
  run(command: string, args: string[], timeoutMs: number): Promise<RunResult>;
  exists(file: string): boolean;
  remove(folder: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  writeFile(file: string, text: string): Promise<void>;
  list(folder: string): string[];
  log(message: string): void;
  /** A step of the environment's creation, for the progress notification. */
  progress?(message: string): void;
}

/** The first interpreter that can run the bundled server, with what every one tried said. */
export async function findInterpreter(
  candidates: Interpreter[],
  manifest: Manifest,
  host: Pick<BundledHost, 'run'>,
): Promise<{ interpreter?: Interpreter; probe?: Probe; tried: Tried[] }> {
  const tried: Tried[] = [];
  for (const interpreter of candidates) {
    const result = await host.run(interpreter.command, [...interpreter.args, '-c', PROBE], 15000);
    const probe = result.code === 0 ? parseProbe(result.stdout) : undefined;
    if (!probe) {
      const reason = result.error
        ? result.error.includes('ENOENT')
          ? 'not found'
          : result.error
        : `did not run (exit ${result.code}${result.stderr.trim() ? `: ${result.stderr.trim().split(/\r?\n/).pop()}` : ''})`;
      tried.push({ interpreter, reason });
      continue;
    }
    const reason = unusableBecause(probe, manifest);
    if (reason) {
      tried.push({ interpreter, probe, reason });
      continue;
    }
    return { interpreter, probe, tried };
  }
  return { tried };
}

export interface Venv {
  folder: string;
  python: string;
}

export function venvFor(probe: Probe, host: Pick<BundledHost, 'storage' | 'extensionVersion' | 'platform'>): Venv {
  const folder = pathModule(host.platform).join(host.storage, 'venvs', venvName(host.extensionVersion, probe));
  return { folder, python: venvPython(folder, host.platform) };
}

/** True when the environment is complete and its interpreter still there (a removed base Python
 * leaves a dangling link: `exists` follows it). */
export function venvReady(venv: Venv, host: Pick<BundledHost, 'exists' | 'platform'>): boolean {
  return host.exists(pathModule(host.platform).join(venv.folder, COMPLETE)) && host.exists(venv.python);
}

function tail(result: RunResult): string {
  const text = (result.error ?? `${result.stderr}\n${result.stdout}`).trim();
  return text.split(/\r?\n/).slice(-6).join('\n');
}

/**
 * The private environment for `probe`, made when missing or broken. It is made in a folder of its own
 * and renamed into place once complete, so a window that starts at the same time, or a creation cut
 * short, never leaves a half-made environment where one is looked for.
 */
export async function ensureVenv(probe: Probe, manifest: Manifest, host: BundledHost): Promise<Venv & { created: boolean }> {
  const p = pathModule(host.platform);
  const venv = venvFor(probe, host);
  if (venvReady(venv, host)) {
    return { ...venv, created: false };
  }
  if (host.exists(venv.folder)) {
    host.log(`The environment ${venv.folder} is incomplete or broken: making it again.`);
    await host.remove(venv.folder);
  }
  const scratch = `${venv.folder}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    host.progress?.(`creating a Python ${versionText(probe)} environment`);
    host.log(`Creating ${venv.folder} with ${probe.executable} (Python ${versionText(probe)}).`);
    const made = await host.run(probe.executable, ['-m', 'venv', '--without-pip', scratch], 120000);
    if (made.code !== 0) {
      throw new Error(`${probe.executable} -m venv failed:\n${tail(made)}`);
    }
    host.progress?.(`installing ${manifest.requirement} from the extension's wheels`);
    const pip = p.join(host.extensionPath, 'bundled', 'pip', manifest.pip, 'pip');
    const wheels = p.join(host.extensionPath, 'bundled', 'wheels');
    const installed = await host.run(
      venvPython(scratch, host.platform),
      [pip, 'install', '--no-index', '--find-links', wheels, '--disable-pip-version-check', '--no-warn-script-location', '--quiet', manifest.requirement],
      300000,
    );
    if (installed.code !== 0) {
      throw new Error(`pip install from the bundled wheels failed:\n${tail(installed)}`);
    }
    await host.writeFile(
      p.join(scratch, COMPLETE),
      JSON.stringify({ requirement: manifest.requirement, python: probe.executable, version: versionText(probe) }) + '\n',
    );
    try {
      await host.rename(scratch, venv.folder);
    } catch (error) {
      if (!venvReady(venv, host)) {
        throw error;
      }
      // Another window made it first: use that one.
      await host.remove(scratch);
    }
  } catch (error) {
    await host.remove(scratch).catch(() => undefined);
    throw error;
  }
  // Environments of other versions of the extension are not used any more.
  const venvs = p.dirname(venv.folder);
  for (const name of host.list(venvs)) {
    if (!name.startsWith(`${host.extensionVersion}-`) && !name.includes('.tmp-')) {
      await host.remove(p.join(venvs, name)).catch(() => undefined);
    }
  }
  return { ...venv, created: true };
}

/** The command that starts the bundled server in `venv`. */
export function bundledServer(venv: Venv, extraArgs: string[] = []): Found {
  return { found: true, command: venv.python, args: ['-m', 'coder_catalog', 'serve', ...extraArgs], source: 'bundled' };
}

/** The server's environment: PYTHONHOME and PYTHONPATH of the editor's would pull in other packages. */
export function bundledEnvironment(base: Record<string, string | undefined>, extra: Record<string, string>): Record<string, string | undefined> {
  const env = { ...base };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  return { ...env, ...extra };
}
