/**
 * Finding the `coder-catalog` executable: the `coderCatalog.server.path` setting, then the selected
 * Python interpreter's environment, then `PATH`.
 *
 * Pure: no `vscode` import; the file system is passed in, so tests need no real files.
 */

import * as path from 'path';

export const INSTALL_COMMAND = 'pip install coder-catalog';
export const EXECUTABLE = 'coder-catalog';

export type Source = 'setting' | 'python' | 'PATH' | 'bundled';

export interface Found {
  found: true;
  command: string;
  args: string[];
  source: Source;
}

export interface Missing {
  found: false;
  /** What to tell the user, with the install command. */
  message: string;
  /** The command that installs the server where it would be found. */
  installCommand: string;
}

export interface DiscoveryInput {
  /** `coderCatalog.server.path`, as written. */
  settingPath?: string | null;
  /** Extra arguments after `serve` (`coderCatalog.server.args`). */
  extraArgs?: string[];
  /** The selected interpreter (e.g. /repo/.venv/bin/python), when the Python extension knows one. */
  pythonExecutable?: string | null;
  /** The interpreter's `sys.prefix`, when known. */
  pythonPrefix?: string | null;
  /** `PATH` (and on Windows `PATHEXT`) of the environment the server will run in. */
  env: Record<string, string | undefined>;
  platform: string;
  /** For `${workspaceFolder}` and relative paths in the setting. */
  workspaceFolder?: string;
  home?: string;
  /** True when ``file`` exists and can be run. */
  isExecutable: (file: string) => boolean;
}

function pathModule(platform: string): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The file names the executable may have on this platform. */
export function executableNames(platform: string, env: Record<string, string | undefined>, name = EXECUTABLE): string[] {
  if (platform !== 'win32') {
    return [name];
  }
  const extensions = (env.PATHEXT || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter(Boolean)
    .map((ext) => ext.toLowerCase());
  return [...extensions.map((ext) => name + ext), name];
}

export function expandSettingPath(value: string, input: Pick<DiscoveryInput, 'workspaceFolder' | 'home' | 'platform'>): string {
  const p = pathModule(input.platform);
  let out = value.trim();
  if (input.workspaceFolder) {
    out = out.split('${workspaceFolder}').join(input.workspaceFolder);
  }
  if (input.home) {
    out = out.split('${userHome}').join(input.home);
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
      out = p.join(input.home, out.slice(1));
    }
  }
  if (!p.isAbsolute(out) && /[\\/]/.test(out) && input.workspaceFolder) {
    out = p.resolve(input.workspaceFolder, out);
  }
  return out;
}

/** Where the executable lives in a Python environment: next to the interpreter, or its Scripts/bin folder. */
export function pythonCandidates(input: DiscoveryInput): string[] {
  const p = pathModule(input.platform);
  const folders: string[] = [];
  if (input.pythonExecutable) {
    const folder = p.dirname(input.pythonExecutable);
    folders.push(folder);
    if (input.platform === 'win32') {
      folders.push(p.join(folder, 'Scripts'));
    }
  }
  if (input.pythonPrefix) {
    folders.push(p.join(input.pythonPrefix, input.platform === 'win32' ? 'Scripts' : 'bin'));
  }
  const names = executableNames(input.platform, input.env);
  const candidates: string[] = [];
  for (const folder of folders) {
    for (const name of names) {
      const candidate = p.join(folder, name);
      if (!candidates.includes(candidate)) {
        candidates.push(candidate);
      }
    }
  }
  return candidates;
}

export function pathCandidates(input: DiscoveryInput, name = EXECUTABLE): string[] {
  const p = pathModule(input.platform);
  const separator = input.platform === 'win32' ? ';' : ':';
  const pathValue = input.env.PATH ?? input.env.Path ?? '';
  const names = executableNames(input.platform, input.env, name);
  const candidates: string[] = [];
  for (const folder of pathValue.split(separator)) {
    if (!folder) {
      continue;
    }
    for (const name of names) {
      candidates.push(p.join(folder.replace(/^"(.*)"$/, '$1'), name));
    }
  }
  return candidates;
}

function installCommandFor(input: DiscoveryInput): string {
  if (input.pythonExecutable) {
    const quoted = /\s/.test(input.pythonExecutable) ? `"${input.pythonExecutable}"` : input.pythonExecutable;
    return `${quoted} -m pip install coder-catalog`;
  }
  return INSTALL_COMMAND;
}

/** The command that starts the language server, or why there is none. */
export function findServer(input: DiscoveryInput): Found | Missing {
  const args = ['serve', ...(input.extraArgs ?? [])];
  const setting = input.settingPath?.trim();
  if (setting) {
    const command = expandSettingPath(setting, input);
    if (input.isExecutable(command)) {
      return { found: true, command, args, source: 'setting' };
    }
    // A bare name in the setting ("coder-catalog-dev") is looked up on PATH.
    if (!/[\\/]/.test(command)) {
      const candidate = pathCandidates(input, command).find((c) => input.isExecutable(c));
      if (candidate) {
        return { found: true, command: candidate, args, source: 'setting' };
      }
    }
    return {
      found: false,
      message:
        `coder-catalog was not found at "${command}" (setting coderCatalog.server.path). ` +
        `Fix the setting, or clear it and install the server with: ${installCommandFor(input)}`,
      installCommand: installCommandFor(input),
    };
  }
  for (const candidate of pythonCandidates(input)) {
    if (input.isExecutable(candidate)) {
      return { found: true, command: candidate, args, source: 'python' };
    }
  }
  for (const candidate of pathCandidates(input)) {
    if (input.isExecutable(candidate)) {
      return { found: true, command: candidate, args, source: 'PATH' };
    }
  }
  const where = input.pythonExecutable ? `the selected Python environment (${input.pythonExecutable}) or PATH` : 'PATH';
  const installCommand = installCommandFor(input);
  return {
    found: false,
    message:
      `The coder-catalog language server was not found in ${where}. ` +
      `Install it with: ${installCommand} (or set coderCatalog.server.path).`,
    installCommand,
  };
}
