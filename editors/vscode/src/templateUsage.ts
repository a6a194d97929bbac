/**
 * "Coder: Show Template Usage": the answers of the server's `templateUsage` and `moveTemplate`
 * commands, and what the quick picks and messages show of them.
 *
 * Pure: no `vscode` import.
 */

import { PickItem, isObject } from './commands';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** What the deployment says of a template; null when no template data is known (offline, no snapshot). */
export type TemplateStatus = 'active' | 'deprecated' | 'unknown' | null;

/** An entity that uses a template: where its `spec.coder.templateName` is (or its coder block, when inherited). */
export interface TemplateUse {
  entity: string;
  uri: string;
  range: Range;
  /** The template comes from the app's `workspaces.defaultTemplateName`: editing catalog files does not move it. */
  inherited: boolean;
}

export interface TemplateUsageEntry {
  /** null: entities with a coder block but no template (and no app default). */
  name: string | null;
  status: TemplateStatus;
  uses: TemplateUse[];
  /** A deprecated template's successor, when its deprecation message names one active template. */
  replacement?: string;
}

export interface TemplateUsage {
  /** The server is still reading the workspace: the list may be incomplete. */
  indexing: boolean;
  templates: TemplateUsageEntry[];
  /** The deployment's active templates (used or not), when template data is known. */
  available: string[];
  notes: string[];
}

export interface NotChanged {
  entity: string;
  uri: string;
  range: Range;
  reason: string;
}

export interface MoveResult {
  applied: boolean;
  changed: number;
  notChanged: NotChanged[];
  failureReason?: string;
  /** Something to know about the new template (e.g. it does not exist, or is deprecated, on the deployment). */
  warning?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function position(value: unknown): Position | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const { line, character } = value;
  if (typeof line !== 'number' || typeof character !== 'number' || !Number.isFinite(line) || !Number.isFinite(character)) {
    return undefined;
  }
  return { line: Math.max(0, Math.floor(line)), character: Math.max(0, Math.floor(character)) };
}

/** An LSP range; a missing or broken one is the start of the document (the file still opens). */
export function parseRange(value: unknown): Range {
  const start = isObject(value) ? position(value.start) : undefined;
  const end = isObject(value) ? position(value.end) : undefined;
  if (!start) {
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }
  return { start, end: end ?? start };
}

const STATUSES = new Set(['active', 'deprecated', 'unknown']);

function parseUse(item: unknown): TemplateUse | undefined {
  if (!isObject(item) || !text(item.uri)) {
    return undefined;
  }
  return {
    entity: text(item.entity) ?? '(unnamed entity)',
    uri: item.uri as string,
    range: parseRange(item.range),
    inherited: item.inherited === true,
  };
}

/** Reads the answer of `templateUsage`: `{indexing, templates: [{name, status, uses}], notes}`. */
export function parseTemplateUsage(result: unknown): TemplateUsage {
  if (!isObject(result)) {
    return { indexing: false, templates: [], available: [], notes: [] };
  }
  const templates: TemplateUsageEntry[] = [];
  for (const item of Array.isArray(result.templates) ? result.templates : []) {
    if (!isObject(item)) {
      continue;
    }
    const uses = (Array.isArray(item.uses) ? item.uses : []).map(parseUse).filter((u): u is TemplateUse => u !== undefined);
    const status = typeof item.status === 'string' && STATUSES.has(item.status) ? (item.status as TemplateStatus) : null;
    const replacement = text(item.replacement);
    templates.push({ name: text(item.name) ?? null, status, uses, ...(replacement ? { replacement } : {}) });
  }
  const strings = (value: unknown) => (Array.isArray(value) ? value : []).filter((n): n is string => typeof n === 'string' && n !== '');
  return { indexing: result.indexing === true, templates, available: strings(result.available), notes: strings(result.notes) };
}

export const NO_TEMPLATE = '(no template)';
export const INHERITED = 'from the app default';
export const STILL_INDEXING = 'still indexing the workspace: the list may be incomplete';

function entities(n: number): string {
  return n === 1 ? '1 entity' : `${n} entities`;
}

/** The uses that editing catalog files can move (not inherited from the app default). */
export function movableUses(template: TemplateUsageEntry): TemplateUse[] {
  return template.uses.filter((u) => !u.inherited);
}

/** True when the template's entities can be moved: it has a name and some use is written in a catalog file. */
export function canMove(template: TemplateUsageEntry): boolean {
  return template.name !== null && movableUses(template).length > 0;
}

/** One entry of the template list: the name, how many entities use it, and what is wrong with it. */
export function templatePickItem(template: TemplateUsageEntry): PickItem {
  const inherited = template.uses.length - movableUses(template).length;
  const flags = [
    template.status === 'deprecated' ? '$(warning) deprecated' : undefined,
    template.status === 'unknown' ? '$(error) unknown: no such template on the deployment' : undefined,
    template.name === null ? 'entities with a coder block but no template name' : undefined,
    inherited ? `${inherited} ${INHERITED} (workspaces.defaultTemplateName)` : undefined,
  ].filter(Boolean);
  return {
    label: template.name ?? NO_TEMPLATE,
    description: entities(template.uses.length),
    detail: flags.join(' · ') || undefined,
  };
}

/** The title and placeholder of the template list: totals, "still indexing", and the server's notes. */
export function usageHeader(usage: TemplateUsage): { title: string; placeHolder: string } {
  const used = usage.templates.reduce((n, t) => n + t.uses.length, 0);
  const named = usage.templates.filter((t) => t.name !== null).length;
  const totals = `${named === 1 ? '1 template' : `${named} templates`}, ${entities(used)}`;
  const title = `Coder template usage: ${totals}${usage.indexing ? ` (${STILL_INDEXING})` : ''}`;
  // The server's notes say it too while it indexes; without them, say it here.
  const placeHolder = usage.notes.length
    ? usage.notes.join(' · ')
    : usage.indexing
      ? 'Still indexing the workspace: the list may be incomplete.'
      : 'Choose a template to see the entities that use it';
  return { title, placeHolder };
}

/** What to say when no entity uses any template (or the server has not found one yet). */
export function emptyUsageMessage(usage: TemplateUsage): string {
  const base = usage.indexing
    ? 'No catalog entity with a coder block found yet: the server is still indexing the workspace.'
    : 'No catalog entity in this workspace has a coder block.';
  return [base, ...usage.notes].join(' ');
}

/** `path:line` of a use (1-based line), the path as `relative` makes it (the workspace-relative path in VS Code). */
export function useLocation(use: { uri: string; range: Range }, relative: (uri: string) => string): string {
  return `${relative(use.uri)}:${use.range.start.line + 1}`;
}

/** One entry of a template's uses: the entity, its file, and the inherited mark. */
export function usePickItem(use: TemplateUse, relative: (uri: string) => string): PickItem {
  return {
    label: use.entity,
    description: useLocation(use, relative),
    detail: use.inherited ? `$(settings) ${INHERITED} (workspaces.defaultTemplateName): moving does not change it` : undefined,
  };
}

export const MOVE_LABEL = '$(arrow-swap) Move these entities to another template…';

/** The "Move these entities…" entry: how many catalog files' entities it changes, and which stay. */
export function movePickItem(template: TemplateUsageEntry): PickItem {
  const movable = movableUses(template).length;
  const inherited = template.uses.length - movable;
  return {
    label: MOVE_LABEL,
    description: `${entities(movable)} from ${template.name ?? NO_TEMPLATE}`,
    detail: inherited ? `${entities(inherited)} ${INHERITED} stay: change the app's workspaces.defaultTemplateName for them` : undefined,
  };
}

/** The template names to offer as the new template: the other named ones, active ones first. */
export function targetTemplates(usage: TemplateUsage, from: string): PickItem[] {
  const rank = (status: TemplateStatus) => (status === 'active' ? 0 : status === null ? 1 : status === 'deprecated' ? 2 : 3);
  const replacement = usage.templates.find((t) => t.name === from)?.replacement;
  const used = usage.templates
    .filter((t): t is TemplateUsageEntry & { name: string } => t.name !== null && t.name !== from)
    .sort((a, b) => rank(a.status) - rank(b.status) || a.name.localeCompare(b.name))
    .map((t) => ({
      label: t.name,
      description: entities(t.uses.length),
      detail: t.status === 'deprecated' ? '$(warning) deprecated' : t.status === 'unknown' ? '$(error) unknown on the deployment' : undefined,
    }));
  const unused = usage.available
    .filter((name) => name !== from && !used.some((t) => t.label === name))
    .map((name) => ({ label: name, description: 'not used yet', detail: undefined }));
  const items: PickItem[] = [...used, ...unused];
  const suggested = items.find((t) => t.label === replacement);
  if (!suggested) {
    return items;
  }
  // The template the deprecation message names comes first.
  return [{ ...suggested, detail: `$(lightbulb) named by ${from}'s deprecation message` }, ...items.filter((t) => t !== suggested)];
}

/** Why a typed template name cannot be used, or undefined when it can. */
export function validateTargetName(value: string, from: string): string | undefined {
  const name = value.trim();
  if (!name) {
    return 'Type the name of the new template.';
  }
  if (name === from) {
    return `The entities already use ${from}.`;
  }
  if (/\s/.test(name)) {
    return 'A template name has no spaces.';
  }
  return undefined;
}

/** Arguments of `moveTemplate`. */
/** `preview`: the server marks the edit as needing confirmation, so VS Code opens its refactor preview
 * (where each change is ticked before Apply); without it the edit is applied at once (and undoable). */
export function moveArguments(from: string, to: string, preview = false): [{ from: string; to: string; preview: boolean }] {
  return [{ from, to: to.trim(), preview }];
}

/** Reads the answer of `moveTemplate`: `{applied, changed, notChanged: [{entity, uri, range, reason}], failureReason}`. */
export function parseMoveResult(result: unknown): MoveResult {
  if (!isObject(result)) {
    return { applied: false, changed: 0, notChanged: [], failureReason: 'the server gave no answer' };
  }
  const notChanged: NotChanged[] = [];
  for (const item of Array.isArray(result.notChanged) ? result.notChanged : []) {
    const use = parseUse(item);
    if (use && isObject(item)) {
      notChanged.push({ entity: use.entity, uri: use.uri, range: use.range, reason: text(item.reason) ?? 'not changed' });
    }
  }
  return {
    applied: result.applied === true,
    changed: count(result.changed),
    notChanged,
    failureReason: text(result.failureReason),
    warning: text(result.warning),
  };
}

export interface MoveReport {
  level: 'info' | 'warning';
  message: string;
}

/** What to tell after a move: how many entities changed, why others did not, or why nothing was applied. */
export function moveReport(result: MoveResult, from: string, to: string): MoveReport {
  const report = moveOutcome(result, from, to);
  if (!result.warning) {
    return report;
  }
  return { level: 'warning', message: `${report.message} Note: ${result.warning}.` };
}

function moveOutcome(result: MoveResult, from: string, to: string): MoveReport {
  const reasons = result.notChanged.map((n) => `${n.entity} (${n.reason})`);
  const notChanged = reasons.length ? `${entities(reasons.length)} not changed: ${reasons.join('; ')}.` : '';
  if (!result.applied) {
    const why = result.failureReason ? `: ${result.failureReason}` : ' (the edit was cancelled or refused)';
    // A warning, not an error: the usual reason is the user's own (Discard in the refactor preview, or
    // no edit ticked there), which the server cannot tell from a failure.
    return { level: 'warning', message: `Nothing moved from ${from} to ${to}${why}.${notChanged ? ` ${notChanged}` : ''}` };
  }
  if (result.changed === 0) {
    return { level: 'warning', message: `No entity moved from ${from} to ${to}.${notChanged ? ` ${notChanged}` : ''}` };
  }
  const moved = `Moved ${entities(result.changed)} from ${from} to ${to}.`;
  return notChanged ? { level: 'warning', message: `${moved} ${notChanged}` } : { level: 'info', message: moved };
}

/** One entry of the not-changed list: the entity, its file and the reason. */
export function notChangedPickItem(item: NotChanged, relative: (uri: string) => string): PickItem {
  return { label: item.entity, description: useLocation(item, relative), detail: item.reason };
}
