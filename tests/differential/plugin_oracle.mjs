// The oracle of the plugin differential test: what the Coder plugin for Backstage makes of an entity's
// `spec.coder` block and `backstage.io/source-location` annotation, under a given app config.
//
// stdin: a JSON list of cases {id, text (one catalog entity as a YAML document), app: {accessUrl,
// workspaces: {defaultTemplateName?, defaultMode?, params?: [[key, value], ...], repoUrlParamKeys}}}.
// stdout: {versions, results: [{id, rejected, rejectedBy, issues, creationUrl, repoUrl, params, mode,
// templateName, entityError}]}, one per case, in order.
//
// Transcribed for facts (not copied) from the plugin's source, coder/backstage-plugins at aa4de33,
// plugins/backstage-plugin-coder/src/hooks/useCoderWorkspacesConfig.ts (yamlConfigSchema,
// compileCoderConfig, useDynamicEntity) and src/components/CoderErrorBoundary/CoderErrorBoundary.tsx,
// and from @backstage/plugin-catalog-react's getEntitySourceLocation (utils/getEntitySourceLocation.ts):
//
//  1. the entity: yaml.parseAllDocuments(text, {merge: false}), toJSON() of the first document, as
//     the catalog reads a file; then a JSON round trip (the frontend gets the entity from the catalog's
//     REST API as JSON: .inf becomes null, key order is kept). The annotation is taken as written: a
//     real catalog adds `backstage.io/source-location` (AnnotateLocationEntityProcessor) when the file
//     has none; here "absent" means the entity reached the frontend without one.
//  2. useDynamicEntity (readEntityData: true): rawYaml = entity.spec?.coder; repoUrl =
//     getEntitySourceLocation(entity)?.locationTargetUrl, where getEntitySourceLocation returns
//     undefined for a falsy annotation, parseLocationRef(annotation).target otherwise, and undefined
//     when parseLocationRef throws (a non-string, no ":", an empty type or target after trim(), type
//     http or https, a javascript: target). Any type is accepted (github:, file:, ...). The SCM
//     integration lookup it also does only names the integration type, which the plugin ignores.
//  3. compileCoderConfig(appConfig, rawYaml, repoUrl), line for line below (valibot 0.28.1's parse;
//     the plugin depends on ^0.28.1).
//  4. when compileCoderConfig throws, the card renders nothing of the config: CoderProvider's
//     CoderErrorBoundary shows its fallback and posts an error whose message is, for a ValiError, its
//     issues' messages joined with ", " (a top-level union failure is one issue, so that is
//     ValiError.message), for any other error its message: that is `rejected` here, and the other
//     fields are null. `issues` lists the nested issues (path: message) valibot does not show.

import { readFileSync } from 'node:fs';
import { parseLocationRef } from '@backstage/catalog-model';
import { ValiError, literal, object, optional, parse, record, string, undefined_, union } from 'valibot';
import YAML from 'yaml';

const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

// ----------------------------------------------------------------------------------------------
// useCoderWorkspacesConfig.ts: the schema

const workspaceCreationModeSchema = optional(
  union([literal('manual'), literal('auto')], "If defined, createMode must be 'manual' or 'auto'"),
);

const yamlConfigSchema = union([
  undefined_(),
  object({
    templateName: optional(string()),
    mode: workspaceCreationModeSchema,
    params: optional(
      record(
        string(),
        union([string(), undefined_()]),
        'If defined, params must be JSON-serializable as Record<string, string>',
      ),
    ),
  }),
]);

// ----------------------------------------------------------------------------------------------
// useCoderWorkspacesConfig.ts: compileCoderConfig (the same statements, types dropped)

function compileCoderConfig(appConfig, rawYamlConfig, repoUrl) {
  const { workspaces, deployment } = appConfig;
  const yamlConfig = parse(yamlConfigSchema, rawYamlConfig);
  const mode = yamlConfig?.mode ?? workspaces.defaultMode ?? 'manual';
  const templateName = yamlConfig?.templateName ?? workspaces.defaultTemplateName;

  const urlParams = new URLSearchParams({ mode });
  const compiledParams = {};

  const paramsPrecedence = [workspaces.params, yamlConfig?.params ?? {}];
  for (const params of paramsPrecedence) {
    for (const key in params) {
      // eslint-disable-next-line no-prototype-builtins -- as the plugin writes it: a param named
      // "hasOwnProperty" shadows the method and this call throws
      if (!params.hasOwnProperty(key)) {
        continue;
      }
      const value = params[key];
      if (typeof value === 'string') {
        compiledParams[key] = value;
        urlParams.set(`param.${key}`, value);
      }
    }
  }

  let cleanedRepoUrl = repoUrl;
  if (repoUrl !== undefined) {
    cleanedRepoUrl = repoUrl.replace(/\/tree\/[\w._-]+\/?$/, '');
    for (const key of workspaces.repoUrlParamKeys) {
      compiledParams[key] = cleanedRepoUrl;
      urlParams.set(`param.${key}`, cleanedRepoUrl);
    }
  }

  let creationUrl = undefined;
  if (templateName) {
    const safeTemplate = encodeURIComponent(templateName);
    creationUrl = `${deployment.accessUrl}/templates/${safeTemplate}/workspace?${urlParams.toString()}`;
  }

  return {
    mode,
    creationUrl,
    templateName,
    repoUrl: cleanedRepoUrl,
    isReadingEntityData: yamlConfig !== undefined,
    repoUrlParamKeys: workspaces.repoUrlParamKeys,
    params: compiledParams,
  };
}

// ----------------------------------------------------------------------------------------------
// @backstage/plugin-catalog-react: getEntitySourceLocation (the integration lookup left out)

function getEntitySourceLocation(entity) {
  const sourceLocation = entity.metadata.annotations?.[SOURCE_LOCATION_ANNOTATION];
  if (!sourceLocation) {
    return undefined;
  }
  try {
    const sourceLocationRef = parseLocationRef(sourceLocation);
    return { locationTargetUrl: sourceLocationRef.target };
  } catch {
    return undefined;
  }
}

// ----------------------------------------------------------------------------------------------
// a case

function readEntity(text) {
  const documents = YAML.parseAllDocuments(text, { merge: false });
  const document = Array.isArray(documents) ? documents[0] : undefined;
  if (!document) throw new Error('no document');
  if (document.errors.length) throw new Error(`YAML error: ${document.errors[0].message}`);
  const json = document.toJSON();
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a mapping');
  return JSON.parse(JSON.stringify(json));
}

function appConfigOf(app) {
  const workspaces = { repoUrlParamKeys: app.workspaces.repoUrlParamKeys };
  if (app.workspaces.defaultTemplateName != null) workspaces.defaultTemplateName = app.workspaces.defaultTemplateName;
  if (app.workspaces.defaultMode != null) workspaces.defaultMode = app.workspaces.defaultMode;
  // an object literal in the app's code: JavaScript orders integer-like keys first
  if (app.workspaces.params != null) workspaces.params = Object.fromEntries(app.workspaces.params);
  return { deployment: { accessUrl: app.accessUrl }, workspaces };
}

function leafIssues(issues, prefix = '') {
  const out = [];
  for (const issue of issues ?? []) {
    const where = (issue.path ?? []).map((item) => String(item.key)).join('.');
    const path = [prefix, where].filter(Boolean).join('.');
    if (issue.issues?.length) out.push(...leafIssues(issue.issues, path));
    else out.push(`${path || '(root)'}: ${issue.message}`);
  }
  return out;
}

const NOTHING = { creationUrl: null, repoUrl: null, params: null, mode: null, templateName: null };

function runCase(kase) {
  let entity;
  try {
    entity = readEntity(kase.text);
  } catch (e) {
    return { id: kase.id, entityError: String(e?.message ?? e), rejected: null, ...NOTHING };
  }
  const rawYaml = entity.spec?.coder;
  const repoUrl = getEntitySourceLocation(entity)?.locationTargetUrl;
  try {
    const config = compileCoderConfig(appConfigOf(kase.app), rawYaml, repoUrl);
    return {
      id: kase.id,
      rejected: null,
      creationUrl: config.creationUrl ?? null,
      repoUrl: config.repoUrl ?? null,
      params: Object.entries(config.params),
      mode: config.mode,
      templateName: config.templateName ?? null,
    };
  } catch (e) {
    if (e instanceof ValiError) {
      const shown = e.issues.map((issue) => issue.message).join(', ');
      return { id: kase.id, rejected: shown, rejectedBy: 'valibot', issues: leafIssues(e.issues), ...NOTHING };
    }
    return { id: kase.id, rejected: String(e?.message ?? e), rejectedBy: e?.name ?? 'Error', ...NOTHING };
  }
}

// the installed copy the imports above load (valibot exports no ./package.json to resolve)
function packageVersion(name) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

function main() {
  const cases = JSON.parse(readFileSync(0, 'utf8'));
  const results = cases.map(runCase);
  const versions = {
    valibot: packageVersion('valibot'),
    yaml: packageVersion('yaml'),
    '@backstage/catalog-model': packageVersion('@backstage/catalog-model'),
    node: process.versions.node,
  };
  process.stdout.write(JSON.stringify({ versions, results }));
}

main();
