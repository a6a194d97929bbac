/**
 * "Coder: Open Workspace in VS Code" and "Coder: Open Workspace App": the server commands they call,
 * their arguments, and the quick pick of a workspace's apps.
 *
 * Pure: no `vscode` import.
 */

import { EntityLocation, isObject } from './commands';

export const OPEN_SERVER_COMMANDS = {
  openInVSCode: 'coderCatalog.openWorkspaceInVSCode',
  workspaceApps: 'coderCatalog.workspaceApps',
} as const;

export const OPEN_CLIENT_COMMANDS = {
  openInVSCode: 'coderCatalog.vscode.openWorkspaceInVSCode',
  openApp: 'coderCatalog.vscode.openWorkspaceApp',
} as const;

export interface WorkspaceApp {
  slug: string;
  displayName: string;
  agent?: string;
  url?: string;
  openable: boolean;
  problem?: string;
  health?: string;
}

export interface WorkspaceApps {
  /** The workspace the apps belong to (its id, to name it in the next call). */
  workspace?: string;
  workspaceName?: string;
  apps: WorkspaceApp[];
  note?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Arguments of `openWorkspaceInVSCode` / `workspaceApps`: the entity, and optionally a workspace and an app. */
export function openArguments(
  location: EntityLocation,
  options: { workspace?: string; app?: string; agent?: string } = {},
): [Record<string, unknown>] {
  const argument: Record<string, unknown> = { uri: location.uri, line: location.line };
  for (const [key, value] of Object.entries(options)) {
    if (value) {
      argument[key] = value;
    }
  }
  return [argument];
}

/** Reads the answer of `workspaceApps` without `app`: `{status, workspace, apps, note}`. */
export function parseWorkspaceApps(result: unknown): WorkspaceApps {
  if (!isObject(result)) {
    return { apps: [] };
  }
  const workspace = isObject(result.workspace) ? result.workspace : {};
  const raw = Array.isArray(result.apps) ? result.apps : [];
  const apps: WorkspaceApp[] = [];
  for (const item of raw) {
    if (!isObject(item) || !text(item.slug)) {
      continue;
    }
    apps.push({
      slug: item.slug as string,
      displayName: text(item.displayName) ?? (item.slug as string),
      agent: text(item.agent),
      url: text(item.url),
      openable: item.openable === true,
      problem: text(item.problem),
      health: text(item.health),
    });
  }
  return { workspace: text(workspace.id), workspaceName: text(workspace.name), apps, note: text(result.note) };
}

export interface AppPickItem {
  label: string;
  description?: string;
  detail?: string;
  app: WorkspaceApp;
}

/** One quick-pick entry: apps that cannot be opened now say why. */
export function appPickItem(app: WorkspaceApp): AppPickItem {
  const icon = app.openable ? 'link-external' : app.problem === 'unhealthy' ? 'warning' : 'circle-slash';
  return {
    label: `$(${icon}) ${app.displayName}`,
    description: app.problem ?? (app.agent ? `agent ${app.agent}` : undefined),
    detail: app.url,
    app,
  };
}

/**
 * The link the editor must open itself (`status: "url"`: the server could not use
 * `window/showDocument`): a page, or Coder's `vscode://` link.
 */
export function linkToOpen(result: unknown): string | undefined {
  if (!isObject(result) || result.status !== 'url') {
    return undefined;
  }
  const url = text(result.url);
  return url && /^(https?|vscode|vscode-insiders):\/\//i.test(url) ? url : undefined;
}
