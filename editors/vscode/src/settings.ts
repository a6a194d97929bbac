/**
 * From VS Code's `coderCatalog` settings to what the server reads, and which documents it gets.
 *
 * Pure: no `vscode` import.
 */

/** The top-level keys of the server's settings (the `.coder-catalog.yaml` keys). */
export const PROJECT_KEYS = ['deployment', 'workspaces', 'templates', 'catalogGlobs', 'repository', 'references', 'rules', 'editor', 'tls'] as const;

/** Settings whose values are paths: `${workspaceFolder}`, `${userHome}` and `~` are expanded in them. */
export const PATH_SETTINGS = ['templates', 'tls.caBundle'] as const;

/** The names every catalog file may have, besides the configured `catalogGlobs`. */
export const CATALOG_FILE_PATTERNS = ['**/catalog-info.yaml', '**/catalog-info.yml'];

export interface Variables {
  workspaceFolder?: string;
  userHome?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Drops unset values (undefined, null, "", {} and [] after pruning), like the server does. */
export function prune(value: unknown): Json | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((item): item is Json => item !== undefined);
    return items.length ? items : undefined;
  }
  if (isObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [key, member] of Object.entries(value)) {
      const pruned = prune(member);
      if (pruned !== undefined) {
        out[key] = pruned;
      }
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof value === 'string') {
    return value === '' ? undefined : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return undefined;
}

export function expandVariables(value: string, variables: Variables): string {
  let out = value;
  if (variables.workspaceFolder !== undefined) {
    out = out.split('${workspaceFolder}').join(variables.workspaceFolder);
  }
  if (variables.userHome !== undefined) {
    out = out.split('${userHome}').join(variables.userHome);
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
      out = variables.userHome + out.slice(1);
    }
  }
  return out;
}

function getPath(object: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = object;
  for (const part of dotted.split('.')) {
    if (!isObject(node)) {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

function setPath(object: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = object;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) {
      return;
    }
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * The server's settings (the project file's shape) from VS Code's `coderCatalog` section: only the
 * server's keys, unset values dropped, variables expanded in paths. Client-only keys (`server`,
 * `trace`) are left out.
 */
export function serverSettings(section: unknown, variables: Variables = {}): { [key: string]: Json } {
  if (!isObject(section)) {
    return {};
  }
  const picked: Record<string, unknown> = {};
  for (const key of PROJECT_KEYS) {
    if (section[key] !== undefined) {
      picked[key] = JSON.parse(JSON.stringify(section[key]));
    }
  }
  for (const dotted of PATH_SETTINGS) {
    const value = getPath(picked, dotted);
    if (typeof value === 'string') {
      setPath(picked, dotted, expandVariables(value, variables));
    }
  }
  const pruned = prune(picked);
  return isObject(pruned) ? (pruned as { [key: string]: Json }) : {};
}

/** What `initializationOptions` and `workspace/configuration` carry: the section by its name. */
export function initializationOptions(section: unknown, variables: Variables = {}): { coderCatalog: { [key: string]: Json } } {
  return { coderCatalog: serverSettings(section, variables) };
}

/**
 * Glob patterns of the documents the client sends to the server: catalog-info.yaml/.yml and the
 * configured `catalogGlobs`. A relative glob is matched in any folder (`**\/` is put in front), as
 * the server matches it relative to the project file's folder, wherever that is.
 */
export function catalogPatterns(catalogGlobs: unknown): string[] {
  const patterns = [...CATALOG_FILE_PATTERNS];
  if (Array.isArray(catalogGlobs)) {
    for (const glob of catalogGlobs) {
      if (typeof glob !== 'string' || glob.trim() === '') {
        continue;
      }
      let pattern = glob.trim().replace(/\\/g, '/');
      if (pattern.startsWith('./')) {
        pattern = pattern.slice(2);
      }
      const absolute = pattern.startsWith('/') || /^[A-Za-z]:\//.test(pattern) || pattern.startsWith('**/');
      pattern = absolute ? pattern : `**/${pattern}`;
      if (!patterns.includes(pattern)) {
        patterns.push(pattern);
      }
    }
  }
  return patterns;
}

/** The document selector of the language client for these patterns (files on disk only). */
export function documentSelector(patterns: string[]): { scheme: string; pattern: string }[] {
  return patterns.map((pattern) => ({ scheme: 'file', pattern }));
}

/**
 * The documents the language client sends the server: the catalog files, and every YAML file, which the
 * server judges itself (a YAML file that looks like a Backstage entity is a catalog file too, such as the
 * files a Location's targets name; a Kubernetes manifest or a workflow is not, and gets nothing).
 */
export function clientDocumentSelector(patterns: string[]): ({ scheme: string; pattern: string } | { scheme: string; language: string })[] {
  return [...documentSelector(patterns), { scheme: 'file', language: 'yaml' }];
}

/** The settings whose change needs a new server (command, environment, or which documents it sees). */
export const RESTART_SETTINGS = [
  'coderCatalog.server.path',
  'coderCatalog.server.importStrategy',
  'coderCatalog.server.args',
  'coderCatalog.server.env',
  'coderCatalog.catalogGlobs',
] as const;

export function needsRestart(affects: (key: string) => boolean): boolean {
  return RESTART_SETTINGS.some((key) => affects(key));
}
