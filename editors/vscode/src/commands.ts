/**
 * The server's commands: their ids, their arguments, and what the editor shows of their answers.
 *
 * Pure: no `vscode` import.
 */

export const SERVER_COMMANDS = {
  linkAccount: 'coderCatalog.linkAccount',
  signInWithOAuth: 'coderCatalog.signInWithOAuth',
  unlinkAccount: 'coderCatalog.unlinkAccount',
  accountStatus: 'coderCatalog.accountStatus',
  listWorkspaces: 'coderCatalog.listWorkspaces',
  openWorkspace: 'coderCatalog.openWorkspace',
  createWorkspace: 'coderCatalog.createWorkspace',
  startWorkspace: 'coderCatalog.startWorkspace',
  stopWorkspace: 'coderCatalog.stopWorkspace',
  updateWorkspace: 'coderCatalog.updateWorkspace',
  deleteWorkspace: 'coderCatalog.deleteWorkspace',
  templateUsage: 'coderCatalog.templateUsage',
  moveTemplate: 'coderCatalog.moveTemplate',
} as const;

/**
 * The extension's own commands. Their ids differ from the server's: vscode-languageclient registers
 * the server's command ids itself, and registering them twice fails ("command already exists").
 */
export const CLIENT_COMMANDS = {
  linkAccount: 'coderCatalog.vscode.linkAccount',
  signInWithOAuth: 'coderCatalog.vscode.signInWithOAuth',
  unlinkAccount: 'coderCatalog.vscode.unlinkAccount',
  showWorkspaces: 'coderCatalog.vscode.showWorkspaces',
  createWorkspace: 'coderCatalog.vscode.createWorkspace',
  showTemplateUsage: 'coderCatalog.vscode.showTemplateUsage',
  restartServer: 'coderCatalog.vscode.restartServer',
  showOutput: 'coderCatalog.vscode.showOutput',
} as const;

/** An entity in a catalog file: the document and a 0-based line inside the entity's YAML document. */
export interface EntityLocation {
  uri: string;
  line: number;
}

export interface Workspace {
  id?: string;
  name: string;
  owner?: string;
  template?: string;
  templateDisplayName?: string;
  status: string;
  building?: boolean;
  outdated?: boolean;
  lastUsedAt?: string | null;
  url?: string;
  error?: string | null;
}

export interface WorkspaceList {
  workspaces: Workspace[];
  summary?: string;
  note?: string | null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function entityLocation(uri: string, line: number): EntityLocation {
  return { uri, line: Math.max(0, Math.floor(line)) };
}

/**
 * Arguments of `linkAccount`: the token, trimmed (a pasted token often ends with a newline), and
 * `{allowFileStore: true}` once the user agreed to a file store where no OS keyring is available.
 */
export function linkArguments(token: string, options: { allowFileStore?: boolean } = {}): unknown[] {
  return options.allowFileStore ? [token.trim(), { allowFileStore: true }] : [token.trim()];
}

/** Arguments of `signInWithOAuth` (the deployment of the open catalog files is meant). */
export function signInArguments(options: { allowFileStore?: boolean } = {}): unknown[] {
  return options.allowFileStore ? [{ allowFileStore: true }] : [];
}

/** True when the server could not keep a credential because no OS keyring is available and asks for
 * consent to a file store (answer `{status: "failed", needsFileStoreConsent: true}`). */
export function needsFileStoreConsent(result: unknown): boolean {
  return isObject(result) && result.status === 'failed' && result.needsFileStoreConsent === true;
}

export const FILE_STORE_QUESTION =
  'No OS keyring is available to keep the Coder token. Keep it in a file that only you can read (mode 0600) in your config folder instead?';

/**
 * Arguments of the workspace commands: one object naming the entity (`uri` and a 0-based `line`
 * inside its YAML document) with the command's options (`workspace`, `name`, `new`, `pick`).
 */
export interface EntityCommandArgument extends EntityLocation {
  workspace?: string;
  name?: string;
  new?: boolean;
  pick?: boolean;
  /** `createWorkspace`: a preset's name, or "" for none; absent: the server asks when the template has presets. */
  preset?: string;
}

/** Arguments of `listWorkspaces` and `createWorkspace`. */
export function entityArguments(
  location: EntityLocation,
  options: Omit<EntityCommandArgument, 'uri' | 'line'> = {},
): [EntityCommandArgument] {
  return [{ uri: location.uri, line: location.line, ...options }];
}

/** How a command names a workspace: its id when known (unique), else `owner/name`, else its name. */
export function workspaceReference(workspace: Workspace): string {
  if (workspace.id) {
    return workspace.id;
  }
  return workspace.owner ? `${workspace.owner}/${workspace.name}` : workspace.name;
}

/** Arguments of `openWorkspace`, `startWorkspace` and `stopWorkspace`. */
export function workspaceArguments(location: EntityLocation, workspace: Workspace): [EntityCommandArgument] {
  return entityArguments(location, { workspace: workspaceReference(workspace) });
}

/** The workspaces in an answer of `listWorkspaces` (an object with `workspaces`, or a bare list). */
export function parseWorkspaceList(result: unknown): WorkspaceList {
  const raw = Array.isArray(result) ? result : isObject(result) && Array.isArray(result.workspaces) ? result.workspaces : [];
  const workspaces: Workspace[] = [];
  for (const item of raw) {
    if (!isObject(item) || !text(item.name)) {
      continue;
    }
    workspaces.push({
      id: text(item.id),
      name: item.name as string,
      owner: text(item.owner),
      template: text(item.template),
      templateDisplayName: text(item.templateDisplayName),
      status: text(item.status) ?? 'unknown',
      building: item.building === true,
      outdated: item.outdated === true,
      lastUsedAt: text(item.lastUsedAt) ?? null,
      url: text(item.url),
      error: text(item.error) ?? null,
    });
  }
  const note = isObject(result) ? text(result.note) ?? null : null;
  const summary = isObject(result) ? text(result.summary) : undefined;
  return { workspaces, note, summary };
}

const STATUS_ICONS: Record<string, string> = {
  running: 'vm-running',
  stopped: 'vm-outline',
  pending: 'loading~spin',
  starting: 'loading~spin',
  stopping: 'loading~spin',
  deleting: 'loading~spin',
  canceling: 'loading~spin',
  failed: 'error',
  canceled: 'circle-slash',
  deleted: 'trash',
};

/** The codicon of a workspace status (`$(name)` in labels). */
export function statusIcon(status: string): string {
  return STATUS_ICONS[status] ?? 'vm';
}

export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
}

/** One quick-pick entry: `$(icon) name`, with status, owner/template and last use. */
export function workspacePickItem(workspace: Workspace): PickItem {
  const status = workspace.outdated ? `${workspace.status}, outdated` : workspace.status;
  const details = [
    workspace.owner ? `@${workspace.owner}` : undefined,
    workspace.templateDisplayName || workspace.template,
    workspace.lastUsedAt ? `last used ${workspace.lastUsedAt.replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z$/, '$1 UTC')}` : undefined,
    workspace.error ?? undefined,
  ].filter(Boolean);
  return {
    label: `$(${statusIcon(workspace.status)}) ${workspace.name}`,
    description: status,
    detail: details.join(' · ') || undefined,
  };
}

export type WorkspaceAction = 'open' | 'start' | 'stop' | 'update' | 'delete';

/** What can be done with a workspace in its status; the first is the default. */
export function workspaceActions(workspace: Workspace): WorkspaceAction[] {
  let actions: WorkspaceAction[];
  switch (workspace.status) {
    case 'running':
      actions = ['open', 'stop'];
      break;
    case 'stopped':
    case 'failed':
    case 'canceled':
      actions = ['start', 'open'];
      break;
    default:
      actions = ['open'];
  }
  if (workspace.outdated && !workspace.building) {
    actions.push('update');
  }
  if (workspace.status !== 'deleting' && workspace.status !== 'deleted') {
    actions.push('delete');
  }
  return actions;
}

export const ACTION_LABELS: Record<WorkspaceAction, string> = {
  open: '$(link-external) Open in Coder',
  start: '$(play) Start',
  stop: '$(debug-stop) Stop',
  update: '$(arrow-up) Update to the template\'s active version',
  delete: '$(trash) Delete…',
};

export function actionCommand(action: WorkspaceAction): string {
  return {
    open: SERVER_COMMANDS.openWorkspace,
    start: SERVER_COMMANDS.startWorkspace,
    stop: SERVER_COMMANDS.stopWorkspace,
    update: SERVER_COMMANDS.updateWorkspace,
    delete: SERVER_COMMANDS.deleteWorkspace,
  }[action];
}

/** A new required parameter `updateWorkspace` needs a value for (its `missing` answer). */
export interface MissingParameter {
  name: string;
  displayName: string;
  description?: string;
  type?: string;
  options: { name: string; value: string }[];
}

/**
 * The `missing` list of a failed `updateWorkspace` (`{status: "failed", reason: "usage", missing:
 * [{name, displayName, description, type, options: [{name, value}]}]}`); empty for any other answer.
 */
export function parseMissingParameters(result: unknown): MissingParameter[] {
  if (!isObject(result) || result.status !== 'failed' || !Array.isArray(result.missing)) {
    return [];
  }
  const missing: MissingParameter[] = [];
  for (const item of result.missing) {
    if (!isObject(item) || !text(item.name)) {
      continue;
    }
    const options = (Array.isArray(item.options) ? item.options : [])
      .filter((o): o is Record<string, unknown> => isObject(o) && typeof o.value === 'string')
      .map((o) => ({ name: text(o.name) ?? (o.value as string), value: o.value as string }));
    missing.push({
      name: item.name as string,
      displayName: text(item.displayName) ?? (item.name as string),
      description: text(item.description),
      type: text(item.type),
      options,
    });
  }
  return missing;
}

/** How a missing parameter is asked: its title, and the prompt under it. */
export function missingParameterPrompt(parameter: MissingParameter, workspaceName: string): { title: string; prompt: string } {
  const label = parameter.displayName === parameter.name ? parameter.name : `${parameter.displayName} (${parameter.name})`;
  return {
    title: `Updating ${workspaceName}: ${label}`,
    prompt: parameter.description ?? `The template's active version needs a value for ${label}${parameter.type ? ` (${parameter.type})` : ''}.`,
  };
}

/** Arguments of `updateWorkspace`, with the values the user gave for the missing parameters. */
export function updateArguments(
  location: EntityLocation,
  workspace: Workspace,
  params: Record<string, string> = {},
): [Record<string, unknown>] {
  // clientAsks: the server answers every missing parameter in `missing` (this extension asks them, options
  // as a quick pick) instead of asking some itself and showing an error for the others.
  const [argument] = workspaceArguments(location, workspace);
  return Object.keys(params).length
    ? [{ ...argument, clientAsks: true, params: { ...params } }]
    : [{ ...argument, clientAsks: true }];
}

export interface AccountStatus {
  /** A credential applies to the deployment and signs in (any source: linked, CODER_SESSION_TOKEN, coder login). */
  signedIn: boolean;
  user?: string;
  deployment?: string;
  /** Where the credential comes from, in words. */
  source?: string;
  /** Why the credential does not sign in, or why there is no status. */
  problem?: string;
}

/**
 * Reads the answer of `accountStatus`: `{status, deployment, signedIn, user, source,
 * sourceDescription, method, expiresAt, problem, linked}`, or `{status: "failed", message}`.
 */
export function parseAccountStatus(result: unknown): AccountStatus {
  if (!isObject(result)) {
    return { signedIn: false };
  }
  const userValue = result.user;
  const user = isObject(userValue) ? text(userValue.username) ?? text(userValue.name) : text(userValue);
  const deploymentValue = result.deployment;
  const deployment = isObject(deploymentValue) ? text(deploymentValue.accessUrl) ?? text(deploymentValue.url) : text(deploymentValue);
  const signedIn = result.status !== 'failed' && (typeof result.signedIn === 'boolean' ? result.signedIn : !!user) && !!user;
  return {
    signedIn,
    user,
    deployment,
    source: text(result.sourceDescription) ?? text(result.source),
    problem: text(result.problem) ?? (result.status === 'failed' ? text(result.message) : undefined),
  };
}

/** `host[:port]` of a deployment URL, for the status bar. */
export function deploymentHost(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  const match = /^[a-z]+:\/\/([^/?#]+)/i.exec(url);
  return match ? match[1] : url;
}

export interface StatusBarView {
  text: string;
  tooltip: string;
  command: string;
}

export function statusBarView(status: AccountStatus): StatusBarView {
  if (status.signedIn && status.user) {
    const host = deploymentHost(status.deployment);
    return {
      text: `$(account) ${status.user}${host ? ` @ ${host}` : ''}`,
      tooltip: `Coder: signed in as ${status.user}${status.deployment ? ` on ${status.deployment}` : ''}${
        status.source ? ` (${status.source})` : ''
      }. Click to show the workspaces of this entity.`,
      command: CLIENT_COMMANDS.showWorkspaces,
    };
  }
  const where = status.deployment ? ` for ${status.deployment}` : '';
  return {
    text: '$(account) Link Coder account',
    tooltip: `No Coder account is linked${where}${status.problem ? `: ${status.problem}` : ''}. Click to link one.`,
    command: CLIENT_COMMANDS.linkAccount,
  };
}

/**
 * The URL the editor must open itself after a command: the server opens pages through
 * `window/showDocument` when the editor supports it (answer `status: "opened"`) and otherwise
 * answers `status: "url"` with the page in `url`.
 */
export function urlToOpen(result: unknown): string | undefined {
  if (!isObject(result) || result.status !== 'url') {
    return undefined;
  }
  const url = text(result.url);
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

/** True when the server answered that the command failed (it has told the user why already). */
export function failed(result: unknown): boolean {
  return isObject(result) && result.status === 'failed';
}

/** True when an OAuth2 sign-in started and waits for the browser to come back. */
export function isWaitingForBrowser(result: unknown): boolean {
  return isObject(result) && result.status === 'waitingForBrowser';
}

/** The token page of a deployment, where a user gets a session token to paste. */
export function tokenPage(deployment: string | undefined): string | undefined {
  return deployment ? `${deployment.replace(/\/+$/, '')}/cli-auth` : undefined;
}

/**
 * Runs `updateWorkspace`, and while it answers a `missing` list asks each parameter (`ask`: undefined
 * when the user cancels) and runs it again with every value given so far (`params`). At most `rounds`
 * runs; a cancelled question ends with `{status: "cancelled"}` and no further run.
 */
export async function updateWithMissing(
  run: (params: Record<string, string>) => PromiseLike<unknown>,
  ask: (parameter: MissingParameter) => PromiseLike<string | undefined>,
  rounds = 3,
): Promise<unknown> {
  const params: Record<string, string> = {};
  let result = await run({});
  for (let round = 1; round < rounds; round++) {
    const missing = parseMissingParameters(result).filter((p) => !(p.name in params));
    if (!missing.length) {
      return result;
    }
    for (const parameter of missing) {
      const value = await ask(parameter);
      if (value === undefined) {
        return { status: 'cancelled', reason: 'missing', missing: missing.map((p) => p.name) };
      }
      params[parameter.name] = value;
    }
    result = await run({ ...params });
  }
  return result;
}
