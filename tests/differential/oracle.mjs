// The oracle of the differential test: Backstage's own verdict on each document of a catalog file.
//
// stdin: a JSON list of cases {id, text, files?: {path relative to the case's folder: content},
// path?: the case file's path in an emulated repository (default "catalog-info.yaml")}.
// stdout: {versions, assumptions, documents: [{id, index, startLine, verdict, stage, message, readFiles}]},
// one entry per document that `yaml` finds, in file order; verdict is "ok", "error" or "skipped";
// readFiles lists the URLs the entity's placeholders and Location targets read (or tried to).
//
// It runs the pinned @backstage/catalog-model (its validators, policies and parseEntityRef) and the
// pinned `yaml` package, in the order @backstage/plugin-catalog-backend 4.0.5 and
// @backstage/plugin-catalog-node 3.0.0 apply them to an entity read from a registered `url` location
// (read for facts from the dist/*.cjs.js of their published npm packages; not installed here):
//
//  1. read (plugin-catalog-node processing/parse.cjs.js parseEntityYaml): yaml.parseAllDocuments(text,
//     {merge: false}); a document with errors is a general error of the location ("YAML error at ...";
//     later documents are still read); toJSON() null is skipped without a word; a non-plain-object is
//     "Expected object at root, got <typeof>". toJSON() throwing (yaml's alias-count guard) aborts the
//     whole read (UrlReaderProcessor reports "Unable to read url, ..."): later documents are never
//     emitted. Here that document is an error and the later ones are judged on their own, with
//     `notRead: true`.
//  2. emit (catalog-backend processing/ProcessorOutputCollector.cjs.js receive): entityEnvelopeSchema
//     validation; `metadata.annotations || {}` must be a non-array object; the location annotations
//     are added.
//  3. process (processing/DefaultCatalogProcessingOrchestrator.cjs.js processSingleEntity):
//     entityEnvelopeSchema again; preProcessEntity of, in order, PlaceholderProcessor (resolvers
//     $json, $yaml, $text, and the OpenAPI module's $openapi and $asyncapi; a mapping whose only key
//     is "$" + a resolver's name is replaced, whatever its value: since 4.x a non-string value is an
//     error, "expected a string value parameter"; a "$" key with no resolver, or beside other keys,
//     is left as is; a read or parse failure is an error of the entity),
//     BuiltinKindsEntityProcessor (sorts reference lists), AnnotateLocationEntityProcessor (adds
//     annotations); the policy (service/CatalogBuilder.cjs.js buildEntityPolicy: EntityPolicies.allOf
//     of SchemaValidEntityPolicy, DefaultNamespaceEntityPolicy, NoForeignRootFieldsEntityPolicy,
//     FieldFormatEntityPolicy(makeValidator({}))); entitySchemaValidator; validateEntityKind of
//     BuiltinKindsEntityProcessor (processors/BuiltinKindsEntityProcessor.cjs.js: the API, Component,
//     Resource, Group, Location, User, System and Domain v1alpha1 validators; an mcp-server API is
//     still checked by the classic API validator; a kind or apiVersion none of them knows is "No
//     processor recognized the entity"); for a Location, the special location step (allowed location
//     types ["url"], the CatalogBuilder default; then each target is read, globs included, and what it
//     holds parsed: a missing required target, a YAML error or an envelope error there is an error of
//     the Location); postProcessEntity of
//     BuiltinKindsEntityProcessor (parseEntityRef of each reference field with its default kind).
//     Every step stops at its first error, as the catalog does.
//
// Assumptions (a file cannot tell how a deployment is configured): see ASSUMPTIONS below.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import YAML from 'yaml';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  entityEnvelopeSchemaValidator,
  entitySchemaValidator,
  getCompoundEntityRef,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  makeValidator,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';

const require = createRequire(import.meta.url);

const ASSUMPTIONS = [
  'the file is registered as a url location in a GitHub repository (REPOSITORY below)',
  'catalog.rules allow every kind (the default rules allow only Component, API and Location)',
  'a kind other than the 8 that BuiltinKindsEntityProcessor validates (Template, AiResource, custom ' +
    'kinds) is recognized by an installed processor that checks nothing more: only the envelope and ' +
    'the policies judge it (a catalog without such a processor refuses it: "No processor recognized")',
  'the OpenAPI module (catalog-backend-module-openapi) is installed: $openapi and $asyncapi read a ' +
    'YAML/JSON mapping and give it back as a YAML string; $ref inside it are not followed',
  'placeholders and Location targets read files of the case (`files`, relative to the case file); ' +
    'a path outside the emulated repository or absent from it is an unreadable location (NotFound); ' +
    'an absolute URL outside the repository as a Location target is deemed readable and empty',
];

const REPOSITORY = 'https://github.com/example/catalog/blob/main/';

// ----------------------------------------------------------------------------------------------
// the pieces of the catalog backend, as it builds them

const validateEnvelope = entityEnvelopeSchemaValidator();
const validateEntity = entitySchemaValidator();
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator({})),
]);
const KIND_VALIDATORS = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
];
const BUILTIN_KINDS = new Set(['API', 'Component', 'Resource', 'Group', 'Location', 'User', 'System', 'Domain']);
const ALLOWED_LOCATION_TYPES = ['url'];

// kind -> [field, default kind (undefined: none)], in BuiltinKindsEntityProcessor.postProcessEntity's order
const REFERENCE_FIELDS = {
  Component: [
    ['owner', 'Group'],
    ['subcomponentOf', 'Component'],
    ['providesApis', 'API'],
    ['consumesApis', 'API'],
    ['dependsOn', undefined],
    ['dependencyOf', undefined],
    ['system', 'System'],
  ],
  API: [
    ['owner', 'Group'],
    ['system', 'System'],
  ],
  Resource: [
    ['owner', 'Group'],
    ['dependsOn', undefined],
    ['dependencyOf', undefined],
    ['system', 'System'],
  ],
  User: [['memberOf', 'Group']],
  Group: [
    ['parent', 'Group'],
    ['children', 'Group'],
    ['members', 'User'],
  ],
  System: [
    ['owner', 'Group'],
    ['domain', 'Domain'],
  ],
  Domain: [
    ['owner', 'Group'],
    ['subdomainOf', 'Domain'],
  ],
};
// BuiltinKindsEntityProcessor.preProcessEntity sorts these when they are lists of strings
const SORTED_FIELDS = ['providesApis', 'consumesApis', 'dependsOn', 'dependencyOf', 'memberOf', 'children', 'members'];

class Refusal extends Error {
  constructor(stage, message) {
    super(message);
    this.stage = stage;
  }
}

function errorText(error) {
  const text = error instanceof Error ? `${error.message}` : String(error);
  return text.split('\n')[0].slice(0, 400);
}

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

// ----------------------------------------------------------------------------------------------
// the emulated repository: the case file and its `files`

class Repository {
  constructor(casePath, text, files) {
    this.casePath = casePath;
    this.files = new Map([[casePath, text]]);
    const folder = path.posix.dirname(casePath);
    for (const [relative, content] of Object.entries(files ?? {})) {
      this.files.set(path.posix.normalize(path.posix.join(folder, relative)), content);
    }
    this.base = REPOSITORY + casePath;
    this.touched = new Set(); // the URLs the current entity read or tried to read
  }

  // @backstage/integration's defaultScmResolveUrl for GitHub: an absolute URL as is, "/x" from the
  // repository root, anything else relative to the base.
  resolveUrl(url, base) {
    try {
      new URL(url);
      return url;
    } catch {
      // relative
    }
    if (url.startsWith('/')) return REPOSITORY + url.slice(1);
    return new URL(url, base).toString();
  }

  // The files a Location target names (UrlReader.search: a glob matches many, or none).
  search(url) {
    this.touched.add(url);
    if (!url.startsWith(REPOSITORY)) return [];
    const pattern = decodeURIComponent(url.slice(REPOSITORY.length).split(/[?#]/)[0]);
    if (!/[*?[]/.test(pattern)) return this.files.has(pattern) ? [[url, this.files.get(pattern)]] : [];
    const source = pattern
      .split(/(\*\*\/?|\*|\?)/)
      .map((part) =>
        part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    const matcher = new RegExp(`^${source}$`);
    return [...this.files.entries()].filter(([file]) => matcher.test(file)).map(([file, content]) => [REPOSITORY + file, content]);
  }

  // The file at a URL, or a NotFound error.
  read(url) {
    this.touched.add(url);
    if (url.startsWith(REPOSITORY)) {
      const repoPath = decodeURIComponent(url.slice(REPOSITORY.length).split(/[?#]/)[0]);
      if (this.files.has(repoPath)) return this.files.get(repoPath);
    }
    const error = new Error(`${url} could not be read (not in the emulated repository)`);
    error.name = 'NotFoundError';
    throw error;
  }
}

// ----------------------------------------------------------------------------------------------
// PlaceholderProcessor (processors/PlaceholderProcessor.cjs.js) and its resolvers

function relativeUrl(params) {
  if (typeof params.value !== 'string') {
    throw new Error(
      `Placeholder $${params.key} expected a string value parameter, in the form of an absolute URL or a relative path`,
    );
  }
  try {
    return params.repository.resolveUrl(params.value, params.repository.base);
  } catch (e) {
    throw new Error(`Placeholder $${params.key} could not form a URL out of ${params.repository.base} and ${params.value}, ${e}`);
  }
}

function readTextLocation(params) {
  const url = relativeUrl(params);
  try {
    return params.repository.read(url);
  } catch (e) {
    throw new Error(`Placeholder $${params.key} could not read location ${params.value}, ${e}`);
  }
}

const RESOLVERS = {
  json(params) {
    const content = readTextLocation(params);
    try {
      return JSON.parse(content);
    } catch (e) {
      throw new Error(`Placeholder $${params.key} failed to parse JSON data at ${params.value}, ${e}`);
    }
  },
  yaml(params) {
    const content = readTextLocation(params);
    let documents;
    try {
      documents = YAML.parseAllDocuments(content, { merge: false }).filter((d) => d);
    } catch (e) {
      throw new Error(`Placeholder $${params.key} failed to parse YAML data at ${params.value}, ${e}`);
    }
    if (documents.length !== 1) {
      throw new Error(
        `Placeholder $${params.key} expected to find exactly one document of data at ${params.value}, found ${documents.length}`,
      );
    }
    const document = documents[0];
    if (document.errors?.length) {
      throw new Error(`Placeholder $${params.key} found an error in the data at ${params.value}, ${document.errors[0]}`);
    }
    return document.toJSON();
  },
  text(params) {
    return readTextLocation(params);
  },
  // catalog-backend-module-openapi 0.2.26 jsonSchemaRefPlaceholderResolver: yaml.parse, bundle the
  // $refs (json-schema-ref-parser; not emulated), yaml.stringify.
  openapi: openApiResolver,
  asyncapi: openApiResolver,
};

function openApiResolver(params) {
  const content = readTextLocation(params);
  try {
    const fileObject = YAML.parse(content);
    if (typeof fileObject !== 'object' || fileObject === null) {
      // `fileObject.asyncapi` throws on null; $RefParser.bundle refuses other non-objects
      throw new TypeError(`Expected a file path, URL, or object. Got ${fileObject}`);
    }
    return YAML.stringify(fileObject);
  } catch (error) {
    throw new Error(`Placeholder $${params.key} unable to bundle the file at ${params.value}, ${error}`);
  }
}

function resolvePlaceholders(entity, repository) {
  let firstError;
  const process = (data) => {
    if (!data || !(data instanceof Object)) return [data, false];
    if (Array.isArray(data)) {
      const items = settle(data.map((item) => () => process(item)));
      return items.every(([, changed]) => !changed) ? [data, false] : [items.map(([item]) => item), true];
    }
    const keys = Object.keys(data);
    if (!keys.some((k) => k.startsWith('$'))) {
      const entries = settle(Object.entries(data).map(([k, v]) => () => [k, process(v)]));
      return entries.every(([, [, changed]]) => !changed)
        ? [data, false]
        : [Object.fromEntries(entries.map(([k, [v]]) => [k, v])), true];
    } else if (keys.length !== 1) {
      return [data, false];
    }
    const resolverKey = keys[0].substring(1);
    const resolver = Object.prototype.hasOwnProperty.call(RESOLVERS, resolverKey) ? RESOLVERS[resolverKey] : undefined;
    if (!resolver) return [data, false];
    try {
      return [resolver({ key: resolverKey, value: data[keys[0]], repository }), true];
    } catch (error) {
      firstError ??= error;
      throw error;
    }
  };
  // Promise.allSettled then Promise.all: every sibling runs, the first failure (in order) is thrown
  const settle = (thunks) => {
    const results = thunks.map((thunk) => {
      try {
        return { value: thunk() };
      } catch (error) {
        return { error };
      }
    });
    const failed = results.find((r) => 'error' in r);
    if (failed) throw failed.error;
    return results.map((r) => r.value);
  };
  try {
    return process(entity)[0];
  } catch (error) {
    throw firstError ?? error;
  }
}

// ----------------------------------------------------------------------------------------------
// reading a file (parseEntityYaml) and the collector's checks of each emitted entity

// Yields {index, range, json} or {index, range, error, stage, fatal}.
function* readDocuments(text) {
  const documents = YAML.parseAllDocuments(text, { merge: false }).filter((d) => d);
  for (let index = 0; index < documents.length; index++) {
    const document = documents[index];
    const range = document.range;
    if (document.errors?.length) {
      yield { index, range, stage: 'yaml', error: `YAML error, ${errorText(document.errors[0])}` };
      continue;
    }
    let json;
    try {
      json = document.toJSON();
    } catch (e) {
      yield { index, range, stage: 'yaml', error: `Unable to read url, ${errorText(e)}`, fatal: true };
      continue;
    }
    if (isPlainObject(json)) {
      yield { index, range, json };
    } else if (json === null) {
      yield { index, range, skipped: true };
    } else {
      yield { index, range, stage: 'root', error: `Expected object at root, got ${typeof json}` };
    }
  }
}

function receive(json, location) {
  let entity;
  try {
    entity = validateEnvelope(json);
  } catch (e) {
    throw new Refusal('envelope', errorText(e));
  }
  const annotations = entity.metadata.annotations || {};
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    throw new Refusal('envelope', 'metadata.annotations must be a valid object');
  }
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...annotations,
        'backstage.io/managed-by-origin-location': `url:${REPOSITORY}catalog-info.yaml`,
        'backstage.io/managed-by-location': location,
      },
    },
  };
}

// ----------------------------------------------------------------------------------------------
// one entity through the processing steps

async function judgeEntity(json, repository) {
  const location = `url:${repository.base}`;
  let entity = receive(structuredClone(json), location);
  try {
    validateEnvelope(entity);
  } catch (e) {
    throw new Refusal('envelope', `Entity envelope failed validation before processing, ${errorText(e)}`);
  }
  const entityRef = stringifyEntityRef(entity);

  // pre-process
  try {
    entity = resolvePlaceholders(entity, repository);
  } catch (e) {
    throw new Refusal('placeholder', `Processor PlaceholderProcessor threw an error while preprocessing, ${errorText(e)}`);
  }
  if (entity.spec && typeof entity.spec === 'object') {
    for (const field of SORTED_FIELDS) {
      const value = entity.spec[field];
      if (value && Array.isArray(value) && value.every((v) => typeof v === 'string')) value.sort();
    }
  }
  entity.metadata.annotations = {
    'backstage.io/view-url': repository.base,
    'backstage.io/edit-url': repository.base.replace('/blob/', '/edit/'),
    'backstage.io/source-location': `url:${REPOSITORY}`,
    ...entity.metadata.annotations,
  };

  // policies
  try {
    entity = await policy.enforce(entity);
  } catch (e) {
    throw new Refusal('policy', `Policy check failed for ${entityRef}, ${errorText(e)}`);
  }

  // validate
  if (stringifyEntityRef(entity) !== entityRef) {
    throw new Refusal('policy', 'Fatal: The entity kind, namespace, or name changed during processing');
  }
  try {
    validateEntity(entity);
  } catch (e) {
    throw new Refusal('entity-schema', `Entity envelope for ${entityRef} failed validation after preprocessing, ${errorText(e)}`);
  }
  const builtin = BUILTIN_KINDS.has(entity.kind);
  if (builtin) {
    let valid = false;
    try {
      for (const validator of KIND_VALIDATORS) {
        if (await validator.check(entity)) {
          valid = true;
          break;
        }
      }
    } catch (e) {
      throw new Refusal(
        'kind',
        `Processor BuiltinKindsEntityProcessor threw an error while validating the entity ${entityRef}, ${errorText(e)}`,
      );
    }
    if (!valid) {
      throw new Refusal(
        'kind',
        `No processor recognized the entity ${entityRef} as valid, possibly caused by a foreign kind or apiVersion`,
      );
    }
  }

  if (entity.kind === 'Location') readLocationTargets(entity, repository);

  // post-process: the references
  const fields = REFERENCE_FIELDS[entity.kind];
  if (fields) {
    const selfRef = getCompoundEntityRef(entity);
    for (const [field, defaultKind] of fields) {
      const targets = entity.spec[field];
      if (!targets) continue;
      for (const target of [targets].flat()) {
        try {
          parseEntityRef(target, { defaultKind, defaultNamespace: selfRef.namespace });
        } catch (e) {
          throw new Refusal(
            'reference',
            `Processor BuiltinKindsEntityProcessor threw an error while postprocessing, spec.${field}: ${errorText(e)}`,
          );
        }
      }
    }
  }
  return builtin
    ? 'valid'
    : `kind ${JSON.stringify(entity.kind)} is not one BuiltinKindsEntityProcessor validates: envelope and policies only`;
}

// DefaultCatalogProcessingOrchestrator.runSpecialLocationStep, then UrlReaderProcessor.readLocation of
// each target: what it reads is parsed, and read errors and the emitted entities' envelope errors
// are errors of the Location entity.
function readLocationTargets(entity, repository) {
  const { type = 'url', presence = 'required' } = entity.spec;
  if (type !== 'url' && !ALLOWED_LOCATION_TYPES.includes(type)) {
    throw new Refusal('location', `Registered locations must be of an allowed type ${JSON.stringify(ALLOWED_LOCATION_TYPES)}`);
  }
  const targets = [];
  if (entity.spec.target) targets.push(entity.spec.target);
  if (entity.spec.targets) targets.push(...entity.spec.targets);
  for (const relative of targets) {
    const url = repository.resolveUrl(relative, repository.base);
    if (!url.startsWith(REPOSITORY)) continue; // deemed readable and empty (ASSUMPTIONS)
    const found = repository.search(url);
    if (found.length === 0) {
      if (presence === 'optional') continue;
      throw new Refusal('location', `Unable to read url, no matching files found for ${url}`);
    }
    for (const [fileUrl, content] of found) {
      for (const document of readDocuments(content)) {
        if (document.error) throw new Refusal('location', `${fileUrl}: ${document.error}`);
        if (document.json) {
          try {
            receive(structuredClone(document.json), `url:${fileUrl}`);
          } catch (e) {
            throw new Refusal('location', `${fileUrl}: ${e.message}`);
          }
        }
      }
    }
  }
}

// ----------------------------------------------------------------------------------------------
// a case: its documents, each with the line it starts at

// The 0-based line of each document, as coder_catalog.analysis.documents.split_documents numbers
// them: the first document starts at line 0; each later one at the first line that begins at or
// after the end of the one before (yaml's Document.range[2], which takes in the previous document's
// trailing comments and "..." line), i.e. its "---" line or the line after a "...". Lines are counted
// with "\n" (with "\r" in a file that has no "\n").
function lineStarts(text) {
  const breakChar = text.includes('\n') || !text.includes('\r') ? '\n' : '\r';
  const starts = [0];
  for (let i = text.indexOf(breakChar); i >= 0; i = text.indexOf(breakChar, i + 1)) starts.push(i + 1);
  return starts;
}

function startLineAt(starts, offset) {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return starts[low] === offset ? low : low + 1;
}

async function judgeCase(kase) {
  const text = kase.text;
  const repository = new Repository(kase.path ?? 'catalog-info.yaml', text, kase.files);
  const starts = lineStarts(text);
  const out = [];
  let previousEnd = null;
  let readStopped = false;
  for (const document of readDocuments(text)) {
    const startLine = previousEnd === null ? 0 : startLineAt(starts, previousEnd);
    previousEnd = document.range[2];
    const row = { id: kase.id, index: document.index, startLine };
    if (readStopped) row.notRead = true;
    if (document.skipped) {
      out.push({ ...row, verdict: 'skipped', stage: 'yaml', message: 'empty document (null): skipped without a word' });
    } else if (document.error) {
      if (document.fatal) readStopped = true;
      out.push({ ...row, verdict: 'error', stage: document.stage, message: document.error });
    } else {
      repository.touched.clear();
      try {
        const note = await judgeEntity(document.json, repository);
        out.push({ ...row, verdict: 'ok', stage: 'done', message: note, readFiles: [...repository.touched] });
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        out.push({ ...row, verdict: 'error', stage: e.stage, message: e.message, readFiles: [...repository.touched] });
      }
    }
  }
  return out;
}

function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

async function main() {
  const input = readFileSync(0, 'utf8');
  const cases = JSON.parse(input);
  const documents = [];
  for (const kase of cases) {
    try {
      documents.push(...(await judgeCase(kase)));
    } catch (e) {
      documents.push({ id: kase.id, index: -1, startLine: -1, verdict: 'crash', stage: 'oracle', message: errorText(e) });
    }
  }
  const versions = {
    '@backstage/catalog-model': packageVersion('@backstage/catalog-model'),
    yaml: packageVersion('yaml'),
    node: process.versions.node,
  };
  process.stdout.write(JSON.stringify({ versions, assumptions: ASSUMPTIONS, documents }));
}

await main();
