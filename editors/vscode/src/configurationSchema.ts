/**
 * `contributes.configuration` generated from the server's settings schema
 * (schemas/coder-catalog.schema.json), so the two cannot drift: `npm run sync-configuration`
 * writes package.json from it, and a unit test fails when package.json differs.
 *
 * Pure: no `vscode` import.
 */

export type JsonSchema = { [key: string]: unknown };

export const SECTION = 'coderCatalog';

/** Settings of the VS Code client itself (not sent to the server). */
export const CLIENT_SETTINGS: Record<string, JsonSchema> = {
  'coderCatalog.server.path': {
    type: ['string', 'null'],
    default: null,
    scope: 'machine-overridable',
    order: 100,
    markdownDescription:
      'Path of the `coder-catalog` executable; when set it wins over `#coderCatalog.server.importStrategy#`. Supports `${workspaceFolder}` and `~`.',
  },
  'coderCatalog.server.importStrategy': {
    type: 'string',
    enum: ['useBundled', 'fromEnvironment'],
    enumDescriptions: [
      'The server the extension ships, installed on first use into a private environment of the selected Python interpreter (3.11 or later), else of `python3` on PATH.',
      'A `coder-catalog` installed in the selected Python interpreter\'s environment (with the Python extension), else on `PATH`.',
    ],
    default: 'useBundled',
    scope: 'machine-overridable',
    order: 99,
    markdownDescription:
      'Which language server runs when `#coderCatalog.server.path#` is unset: `useBundled`, the one the extension ships (needs Python 3.11 or later, no network), or `fromEnvironment`, one you installed (`pip install coder-catalog`).',
  },
  'coderCatalog.server.args': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'machine-overridable',
    order: 101,
    markdownDescription: 'Extra arguments for `coder-catalog serve`, e.g. `["--log-level", "debug"]`.',
  },
  'coderCatalog.server.env': {
    type: 'object',
    additionalProperties: { type: 'string' },
    default: {},
    scope: 'machine-overridable',
    order: 102,
    markdownDescription:
      'Extra environment variables for the server (e.g. `CODER_CONFIG_DIR`). Prefer linking an account over putting a token here.',
  },
  'coderCatalog.trace.server': {
    type: 'string',
    enum: ['off', 'messages', 'verbose'],
    default: 'off',
    order: 103,
    description: 'Traces the communication between VS Code and the coder-catalog language server.',
  },
};

/** Keywords copied from the schema to a setting as they are (VS Code validates settings with them). */
const COPIED = [
  'enum',
  'pattern',
  'minLength',
  'minItems',
  'uniqueItems',
  'items',
  'additionalProperties',
  'propertyNames',
] as const;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schema node whose members are fixed (a group of settings), not a free-form map. */
function isGroup(node: JsonSchema): boolean {
  return node.type === 'object' && isObject(node.properties) && node.additionalProperties === false;
}

/** Removes `title`/`examples` (documentation only) from nested schemas copied into settings. */
function stripDocs(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stripDocs);
  }
  if (!isObject(value)) {
    return value;
  }
  const out: JsonSchema = {};
  for (const [key, member] of Object.entries(value)) {
    if (key !== 'title' && key !== 'examples') {
      out[key] = stripDocs(member);
    }
  }
  return out;
}

function defaultOf(node: JsonSchema): unknown {
  if (node.type === 'array' && node.minItems === undefined) {
    return [];
  }
  if (node.type === 'object') {
    return {};
  }
  return null; // unset: the server then uses the project file and the other sources
}

function setting(node: JsonSchema, order: number): JsonSchema {
  const fallback = defaultOf(node);
  const out: JsonSchema = {
    type: fallback === null ? [node.type, 'null'] : node.type,
    default: fallback,
  };
  for (const key of COPIED) {
    if (node[key] !== undefined) {
      out[key] = stripDocs(node[key]);
    }
  }
  if (Array.isArray(out.enum) && fallback === null) {
    out.enum = [...out.enum, null];
  }
  const title = typeof node.title === 'string' ? node.title : '';
  const description = typeof node.description === 'string' ? node.description : '';
  out.markdownDescription = title ? `**${title}.** ${description}` : description;
  out.order = order;
  return out;
}

/**
 * One VS Code setting per leaf of the schema, keyed `coderCatalog.<dotted path>`: groups with fixed
 * members (`deployment`, `workspaces`, `tls`) are flattened; maps (`rules`, `workspaces.params`)
 * stay one object setting.
 */
export function configurationFromSchema(schema: JsonSchema, section: string = SECTION): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  let order = 0;
  const walk = (node: JsonSchema, prefix: string): void => {
    const properties = node.properties;
    if (!isObject(properties)) {
      return;
    }
    for (const [name, child] of Object.entries(properties)) {
      if (!isObject(child)) {
        continue;
      }
      const key = `${prefix}.${name}`;
      if (isGroup(child)) {
        walk(child, key);
      } else {
        out[key] = setting(child, order++);
      }
    }
  };
  walk(schema, section);
  return out;
}

/** The whole `contributes.configuration` of package.json. */
export function contributedConfiguration(schema: JsonSchema): JsonSchema {
  return {
    title: 'Coder Catalog',
    properties: { ...configurationFromSchema(schema), ...CLIENT_SETTINGS },
  };
}

/** The dotted keys (relative to the section) that the server reads: the schema's leaves. */
export function serverSettingKeys(schema: JsonSchema, section: string = SECTION): string[] {
  return Object.keys(configurationFromSchema(schema, section)).map((key) => key.slice(section.length + 1));
}
