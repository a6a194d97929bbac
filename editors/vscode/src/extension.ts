/**
 * The VS Code side: starts `coder-catalog serve` for catalog files and gives the server's account and
 * workspace commands VS Code's own UI (input boxes, quick picks, a status bar item).
 *
 * Everything that can be decided without VS Code lives in the pure modules next to this one
 * (discovery, settings, commands), which have unit tests.
 */

import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import {
  ACTION_LABELS,
  AccountStatus,
  CLIENT_COMMANDS,
  EntityLocation,
  SERVER_COMMANDS,
  Workspace,
  WorkspaceAction,
  actionCommand,
  entityArguments,
  entityLocation,
  linkArguments,
  MissingParameter,
  missingParameterPrompt,
  parseAccountStatus,
  parseWorkspaceList,
  FILE_STORE_QUESTION,
  failed,
  isWaitingForBrowser,
  needsFileStoreConsent,
  signInArguments,
  urlToOpen,
  statusBarView,
  tokenPage,
  updateArguments,
  updateWithMissing,
  workspaceActions,
  workspaceArguments,
  workspacePickItem,
} from './commands';
import {
  BundledHost,
  Manifest,
  OnceNotifier,
  RunResult,
  bundledEnvironment,
  bundledServer,
  ensureVenv,
  findInterpreter,
  importStrategy,
  interpreterCandidates,
  noPythonMessage,
  parseManifest,
  serverSource,
  venvFor,
  venvReady,
  versionText,
} from './bundled';
import { SECTION } from './configurationSchema';
import { OPEN_CLIENT_COMMANDS, OPEN_SERVER_COMMANDS, appPickItem, linkToOpen, openArguments, parseWorkspaceApps } from './openCommands';
import {
  NotChanged,
  Range as UsageRange,
  TemplateUsage,
  TemplateUsageEntry,
  TemplateUse,
  canMove,
  emptyUsageMessage,
  moveArguments,
  movePickItem,
  moveReport,
  notChangedPickItem,
  parseMoveResult,
  parseTemplateUsage,
  targetTemplates,
  templatePickItem,
  usageHeader,
  usePickItem,
  validateTargetName,
} from './templateUsage';
import { Found, findServer } from './discovery';
import { catalogPatterns, clientDocumentSelector, documentSelector, initializationOptions, needsRestart, serverSettings, Variables } from './settings';

const NAME = 'Coder Catalog';

let client: LanguageClient | undefined;
let patterns: string[] = [];
let output: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;
let starting: Promise<void> | undefined;
/** When the extension activated, for the time to the first diagnostics (logged in the output channel). */
let activatedAt = 0;
let firstDiagnostics = false;
let serverReady = false;
/** Messages about a missing server or interpreter: once, not for every catalog file opened. */
const notices = new OnceNotifier();

// -- the server ---------------------------------------------------------------------------------------

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function variables(): Variables {
  return { workspaceFolder: workspaceFolder(), userHome: os.homedir() };
}

function section(scope?: vscode.ConfigurationScope): unknown {
  // A WorkspaceConfiguration is a proxy: turn it into plain JSON.
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(SECTION, scope)));
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface PythonEnvironment {
  executable?: string;
  prefix?: string;
}

/** The selected interpreter, from the Python extension's API when it is installed; else nothing. */
async function pythonEnvironment(context: vscode.ExtensionContext): Promise<PythonEnvironment> {
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (!extension) {
    return {};
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = extension.isActive ? extension.exports : await extension.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const environments = api?.environments;
    if (environments?.getActiveEnvironmentPath) {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = await environments.resolveEnvironment(active);
      watchPythonEnvironment(context, environments);
      return {
        executable: resolved?.executable?.uri?.fsPath ?? active?.path,
        prefix: resolved?.executable?.sysPrefix,
      };
    }
    const details = api?.settings?.getExecutionDetails?.(resource);
    const command: unknown = details?.execCommand?.[0];
    return typeof command === 'string' ? { executable: command } : {};
  } catch (error) {
    output.appendLine(`The Python extension did not give the selected interpreter: ${String(error)}`);
    return {};
  }
}

let watchingPython = false;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function watchPythonEnvironment(context: vscode.ExtensionContext, environments: any): void {
  if (watchingPython || typeof environments?.onDidChangeActiveEnvironmentPath !== 'function') {
    return;
  }
  watchingPython = true;
  context.subscriptions.push(
    environments.onDidChangeActiveEnvironmentPath(() => {
      const configured = vscode.workspace.getConfiguration(SECTION).get<string | null>('server.path');
      if (!configured) {
        output.appendLine('The selected Python interpreter changed: restarting the server.');
        void restart(context);
      }
    }),
  );
}

async function discover(context: vscode.ExtensionContext): Promise<Found | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const python = await pythonEnvironment(context);
  const source = serverSource(config.get<string | null>('server.path'), importStrategy(config.get('server.importStrategy')));
  if (source === 'useBundled') {
    const manifest = readManifest(context);
    if (manifest) {
      return bundled(context, manifest, python.executable, config.get<string[]>('server.args') ?? []);
    }
    output.appendLine('This build of the extension carries no server (no bundled/manifest.json): looking for an installed one.');
  }
  const serverEnv = { ...process.env, ...(config.get<Record<string, string>>('server.env') ?? {}) };
  const result = findServer({
    settingPath: config.get<string | null>('server.path'),
    extraArgs: config.get<string[]>('server.args') ?? [],
    pythonExecutable: python.executable,
    pythonPrefix: python.prefix,
    env: serverEnv,
    platform: process.platform,
    workspaceFolder: workspaceFolder(),
    home: os.homedir(),
    isExecutable,
  });
  if (result.found) {
    output.appendLine(`Starting ${result.command} ${result.args.join(' ')} (found through ${result.source}).`);
    return result;
  }
  output.appendLine(result.message);
  void missingServer(context, result.message, result.installCommand);
  return undefined;
}

async function missingServer(context: vscode.ExtensionContext, message: string, installCommand: string): Promise<void> {
  if (!notices.first('missing-server')) {
    return;
  }
  const install = 'Install in Terminal';
  const setPath = 'Set Path';
  const retry = 'Retry';
  const choice = await vscode.window.showErrorMessage(message, install, setPath, retry);
  if (choice === install) {
    const terminal = vscode.window.createTerminal(NAME);
    terminal.show();
    terminal.sendText(installCommand, false); // the user presses Enter
  } else if (choice === setPath) {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
  } else if (choice === retry) {
    await restart(context);
  }
}

// -- the server the extension ships -------------------------------------------------------------------

function readManifest(context: vscode.ExtensionContext): Manifest | undefined {
  try {
    return parseManifest(fs.readFileSync(path.join(context.extensionPath, 'bundled', 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function runProcess(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true, env: bundledEnvironment(process.env, {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const failedToStart = error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : undefined;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), error: failedToStart });
      },
    );
  });
}

function bundledHost(context: vscode.ExtensionContext): BundledHost {
  return {
    platform: process.platform,
    extensionPath: context.extensionPath,
    extensionVersion: String(context.extension.packageJSON.version ?? '0'),
    storage: context.globalStorageUri.fsPath,
    run: runProcess,
    exists: (file) => fs.existsSync(file),
    remove: (folder) => fs.promises.rm(folder, { recursive: true, force: true }),
    rename: (from, to) => fs.promises.rename(from, to),
    writeFile: async (file, text) => {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, text, 'utf8');
    },
    list: (folder) => {
      try {
        return fs.readdirSync(folder);
      } catch {
        return [];
      }
    },
    log: (message) => output.appendLine(message),
  };
}

/** The bundled server in its private environment (made first, with progress, when missing). */
async function bundled(
  context: vscode.ExtensionContext,
  manifest: Manifest,
  selected: string | undefined,
  extraArgs: string[],
): Promise<Found | undefined> {
  const host = bundledHost(context);
  const candidates = interpreterCandidates(selected, process.platform);
  const { probe, tried } = await findInterpreter(candidates, manifest, host);
  for (const t of tried) {
    output.appendLine(`Not using ${[t.interpreter.command, ...t.interpreter.args].join(' ')}: ${t.reason}.`);
  }
  if (!probe) {
    const message = noPythonMessage(tried, manifest, process.platform);
    output.appendLine(message);
    if (notices.first('no-python')) {
      const setPath = 'Set Server Path';
      const select = 'Select Interpreter';
      const choices = vscode.extensions.getExtension('ms-python.python') ? [select, setPath] : [setPath];
      void vscode.window.showErrorMessage(message, ...choices).then(async (choice) => {
        if (choice === setPath) {
          await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
        } else if (choice === select) {
          await vscode.commands.executeCommand('python.setInterpreter');
        }
      });
    }
    return undefined;
  }
  const venv = venvFor(probe, host);
  const started = Date.now();
  try {
    const made = venvReady(venv, host)
      ? { ...venv, created: false }
      : await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Coder Catalog: setting up the language server for Python ${versionText(probe)} (once)`,
          },
          (progress) => ensureVenv(probe, manifest, { ...host, progress: (message) => progress.report({ message }) }),
        );
    output.appendLine(
      `Bundled server (${manifest.requirement}, ${manifest.target}) in ${made.folder}: ` +
        `${made.created ? `made in ${Date.now() - started} ms` : 'reused'}, Python ${versionText(probe)} (${probe.executable}).`,
    );
    return bundledServer(made, extraArgs);
  } catch (error) {
    const message = `Coder Catalog could not install the language server it ships: ${error instanceof Error ? error.message : String(error)}`;
    output.appendLine(message);
    if (notices.first('bundled-install')) {
      void vscode.window.showErrorMessage(message.split('\n')[0], 'Show Output').then((choice) => {
        if (choice) {
          output.show();
        }
      });
    }
    return undefined;
  }
}

function createClient(server: Found): LanguageClient {
  const config = vscode.workspace.getConfiguration(SECTION);
  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    // No `transport`: stdio without the `--stdio` argument vscode-languageclient adds for
    // TransportKind.stdio, which `coder-catalog serve` refuses (it talks stdio by default).
    options: {
      cwd: workspaceFolder(),
      env:
        server.source === 'bundled'
          ? bundledEnvironment(process.env, config.get<Record<string, string>>('server.env') ?? {})
          : { ...process.env, ...(config.get<Record<string, string>>('server.env') ?? {}) },
    },
  };
  patterns = catalogPatterns(config.get('catalogGlobs'));
  const clientOptions: LanguageClientOptions = {
    documentSelector: clientDocumentSelector(patterns),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: initializationOptions(section(), variables()),
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        if (!firstDiagnostics) {
          firstDiagnostics = true;
          output.appendLine(`First diagnostics ${Date.now() - activatedAt} ms after activation (server: ${server.source}).`);
        }
        next(uri, diagnostics);
      },
      workspace: {
        // The server asks for `coderCatalog`; answer with what it reads (client-only keys dropped).
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return answers.map((answer, index) =>
            params.items[index]?.section === SECTION ? serverSettings(answer, variables()) : answer,
          );
        },
      },
    },
  };
  return new LanguageClient(SECTION, NAME, serverOptions, clientOptions);
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (starting) {
    return starting;
  }
  starting = (async () => {
    const server = await discover(context);
    if (!server) {
      statusItem.text = '$(warning) coder-catalog not found';
      statusItem.tooltip = 'The coder-catalog language server was not found: click to look again (see the output channel).';
      statusItem.command = CLIENT_COMMANDS.restartServer;
      statusItem.show();
      return;
    }
    const created = createClient(server);
    client = created;
    created.onDidChangeState((event) => {
      if (event.newState === State.Stopped) {
        statusItem.text = '$(warning) Coder Catalog stopped';
        statusItem.tooltip = 'The coder-catalog language server stopped: click to restart it.';
        statusItem.command = CLIENT_COMMANDS.restartServer;
      }
    });
    try {
      await created.start();
    } catch (error) {
      output.appendLine(`The language server did not start: ${String(error)}`);
      void vscode.window.showErrorMessage(`coder-catalog did not start: ${String(error)}`, 'Show Output').then((choice) => {
        if (choice) {
          output.show();
        }
      });
      return;
    }
    if (!serverReady) {
      serverReady = true;
      output.appendLine(`Server ready ${Date.now() - activatedAt} ms after activation (server: ${server.source}).`);
    }
    void refreshStatus();
  })();
  try {
    await starting;
  } finally {
    starting = undefined;
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) {
    try {
      await current.stop();
    } catch (error) {
      output.appendLine(`Stopping the server: ${String(error)}`);
    }
    await current.dispose();
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  notices.reset(); // asked for: say again what is missing
  await starting;
  await stop();
  await start(context);
}

function running(): LanguageClient | undefined {
  if (client && client.state === State.Running) {
    return client;
  }
  void vscode.window.showWarningMessage('The coder-catalog language server is not running.', 'Restart', 'Show Output').then((choice) => {
    if (choice === 'Restart') {
      void vscode.commands.executeCommand(CLIENT_COMMANDS.restartServer);
    } else if (choice === 'Show Output') {
      output.show();
    }
  });
  return undefined;
}

async function execute(command: string, args: unknown[]): Promise<unknown> {
  const current = running();
  if (!current) {
    return undefined;
  }
  return current.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

function reportError(what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  void vscode.window.showErrorMessage(`${what}: ${message}`);
}

// -- the status bar -----------------------------------------------------------------------------------

let lastStatus: AccountStatus = { signedIn: false };

function renderStatus(status: AccountStatus): void {
  lastStatus = status;
  const view = statusBarView(status);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.command = view.command;
  statusItem.show();
}

async function refreshStatus(): Promise<void> {
  if (!client || client.state !== State.Running) {
    return;
  }
  try {
    const result = await client.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_COMMANDS.accountStatus,
      arguments: [],
    });
    renderStatus(parseAccountStatus(result));
  } catch (error) {
    output.appendLine(`Account status: ${error instanceof Error ? error.message : String(error)}`);
    renderStatus({ signedIn: false });
  }
}

/** After an OAuth2 sign-in was started, the server finishes it when the browser comes back (and says
 * so in a message): look at the account status now and then until it changes, for the status bar. */
let signInWatch: NodeJS.Timeout | undefined;

function watchSignIn(): void {
  if (signInWatch) {
    clearInterval(signInWatch);
  }
  const before = `${lastStatus.signedIn}/${lastStatus.user}`;
  let rounds = 0;
  signInWatch = setInterval(() => {
    rounds += 1;
    void refreshStatus().then(() => {
      if ((`${lastStatus.signedIn}/${lastStatus.user}` !== before || rounds >= 60) && signInWatch) {
        clearInterval(signInWatch);
        signInWatch = undefined;
      }
    });
  }, 5000);
}

/** Asks for consent to a file store when the server found no OS keyring; true when given. */
async function fileStoreConsent(result: unknown): Promise<boolean> {
  if (!needsFileStoreConsent(result)) {
    return false;
  }
  const store = 'Store in File';
  return (await vscode.window.showWarningMessage(FILE_STORE_QUESTION, { modal: true }, store)) === store;
}

// -- commands -----------------------------------------------------------------------------------------

function isCatalogDocument(document: vscode.TextDocument): boolean {
  return vscode.languages.match(documentSelector(patterns), document) > 0;
}

/** The entity under the cursor of the active editor, when it shows a catalog file. */
function currentEntity(): EntityLocation | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isCatalogDocument(editor.document)) {
    void vscode.window.showInformationMessage('Put the cursor on an entity of a catalog file (catalog-info.yaml) first.');
    return undefined;
  }
  return entityLocation(editor.document.uri.toString(), editor.selection.active.line);
}

/** Opens the page of a command's answer when the server could not (`status: "url"`). */
async function openResult(result: unknown): Promise<void> {
  const url = urlToOpen(result);
  if (url) {
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }
}

async function linkAccount(): Promise<void> {
  if (!running()) {
    return;
  }
  const page = tokenPage(lastStatus.deployment);
  const token = await new Promise<string | undefined>((resolve) => {
    const input = vscode.window.createInputBox();
    input.title = 'Coder: Link Account';
    input.password = true;
    input.ignoreFocusOut = true;
    input.placeholder = 'Session token';
    input.prompt = page ? `Paste a session token from ${page}` : 'Paste a Coder session token (from <deployment>/cli-auth)';
    const openPage = { iconPath: new vscode.ThemeIcon('link-external'), tooltip: 'Open the token page' };
    if (page) {
      input.buttons = [openPage];
    }
    let done = false;
    input.onDidTriggerButton(() => {
      if (page) {
        void vscode.env.openExternal(vscode.Uri.parse(page));
      }
    });
    input.onDidAccept(() => {
      if (!input.value.trim()) {
        input.validationMessage = 'Paste the token first.';
        return;
      }
      done = true;
      resolve(input.value);
      input.hide();
    });
    input.onDidHide(() => {
      if (!done) {
        resolve(undefined);
      }
      input.dispose();
    });
    input.show();
  });
  if (!token) {
    return;
  }
  // The server checks the token (users/me), keeps it, and says how it went in a message.
  const link = (options: { allowFileStore?: boolean }) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Linking your Coder account…' }, () =>
      execute(SERVER_COMMANDS.linkAccount, linkArguments(token, options)),
    );
  try {
    const result = await link({});
    if (await fileStoreConsent(result)) {
      await link({ allowFileStore: true });
    }
  } catch (error) {
    reportError('Linking the Coder account failed', error);
  }
  await refreshStatus();
}

async function signInWithOAuth(): Promise<void> {
  // The server opens Coder's authorize page (window/showDocument) and answers at once; the outcome
  // comes as a message when the browser returns.
  try {
    let result = await execute(SERVER_COMMANDS.signInWithOAuth, signInArguments());
    if (await fileStoreConsent(result)) {
      result = await execute(SERVER_COMMANDS.signInWithOAuth, signInArguments({ allowFileStore: true }));
    }
    if (isWaitingForBrowser(result)) {
      watchSignIn();
    }
  } catch (error) {
    reportError('Signing in with OAuth failed', error);
  }
}

async function unlinkAccount(): Promise<void> {
  try {
    await execute(SERVER_COMMANDS.unlinkAccount, []); // the server says what it did
  } catch (error) {
    reportError('Unlinking the Coder account failed', error);
  }
  await refreshStatus();
}

interface WorkspacePick extends vscode.QuickPickItem {
  workspace?: Workspace;
  create?: boolean;
}

async function showWorkspaces(): Promise<void> {
  const location = currentEntity();
  if (!location || !running()) {
    return;
  }
  let answer: unknown;
  try {
    answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Coder: loading workspaces' },
      () => execute(SERVER_COMMANDS.listWorkspaces, entityArguments(location)),
    );
  } catch (error) {
    reportError('Listing the workspaces failed', error);
    return;
  }
  if (answer === undefined || failed(answer)) {
    return; // the server has said why
  }
  const list = parseWorkspaceList(answer);
  const items: WorkspacePick[] = list.workspaces.map((workspace) => ({ ...workspacePickItem(workspace), workspace }));
  items.push({ label: '$(add) Create Workspace', create: true, detail: list.workspaces.length ? undefined : list.note ?? undefined });
  const picked = await vscode.window.showQuickPick(items, {
    title: list.summary ? `Coder workspaces: ${list.summary}` : 'Coder workspaces',
    placeHolder: list.workspaces.length ? 'Choose a workspace' : list.note ?? 'No workspaces yet for this entity',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) {
    return;
  }
  if (picked.create || !picked.workspace) {
    await createWorkspace(location);
    return;
  }
  const workspace = picked.workspace;
  const actions = workspaceActions(workspace);
  const action = await vscode.window.showQuickPick(
    actions.map((a) => ({ label: ACTION_LABELS[a], action: a })),
    { title: `${workspace.name} (${workspace.status})`, placeHolder: 'What to do with this workspace' },
  );
  if (action) {
    await runWorkspaceAction(location, workspace, action.action);
  }
}

async function runWorkspaceAction(location: EntityLocation, workspace: Workspace, action: WorkspaceAction): Promise<void> {
  const titles: Record<WorkspaceAction, string> = {
    open: `Opening ${workspace.name}…`,
    start: `Starting ${workspace.name}…`,
    stop: `Stopping ${workspace.name}…`,
    update: `Updating ${workspace.name}…`,
    delete: `Deleting ${workspace.name}…`,
  };
  try {
    if (action === 'update') {
      // The server asks the new parameters with options itself; the others come back as `missing`.
      await updateWithMissing(
        (params) =>
          vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: titles.update }, () =>
            execute(SERVER_COMMANDS.updateWorkspace, updateArguments(location, workspace, params)),
          ),
        (parameter) => askParameter(parameter, workspace.name),
      );
      return;
    }
    // Delete: the server asks for confirmation (window/showMessageRequest) before anything is sent.
    const result = await vscode.window.withProgress(
      { location: action === 'delete' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: titles[action] },
      () => execute(actionCommand(action), workspaceArguments(location, workspace)),
    );
    await openResult(result);
  } catch (error) {
    reportError(`${ACTION_LABELS[action].replace(/^\$\([^)]*\) /, '').replace(/…$/, '')} ${workspace.name} failed`, error);
  }
}

/** Asks a new required parameter of an update: a quick pick of its options, else an input box. */
async function askParameter(parameter: MissingParameter, workspaceName: string): Promise<string | undefined> {
  const { title, prompt } = missingParameterPrompt(parameter, workspaceName);
  if (parameter.options.length) {
    const picked = await vscode.window.showQuickPick(
      parameter.options.map((o) => ({ label: o.name, description: o.name === o.value ? undefined : o.value, value: o.value })),
      { title, placeHolder: prompt, ignoreFocusOut: true },
    );
    return picked?.value;
  }
  return vscode.window.showInputBox({ title, prompt, ignoreFocusOut: true });
}

async function createWorkspace(location?: EntityLocation): Promise<void> {
  const where = location ?? currentEntity();
  if (!where || !running()) {
    return;
  }
  try {
    // No `preset`: when the template's active version has presets, the server asks which one
    // (window/showMessageRequest, shown by vscode-languageclient as a message with one button each).
    const result = await execute(SERVER_COMMANDS.createWorkspace, entityArguments(where));
    await openResult(result);
  } catch (error) {
    reportError('Creating the workspace failed', error);
  }
}

/** "Coder: Open Workspace in VS Code": the server starts a stopped workspace (it asks) and opens Coder's link. */
async function openWorkspaceInVSCode(): Promise<void> {
  const location = currentEntity();
  if (!location || !running()) {
    return;
  }
  try {
    const result = await execute(OPEN_SERVER_COMMANDS.openInVSCode, openArguments(location));
    const link = linkToOpen(result);
    if (link) {
      await vscode.env.openExternal(vscode.Uri.parse(link, true));
    }
  } catch (error) {
    reportError('Opening the workspace in VS Code failed', error);
  }
}

/** "Coder: Open Workspace App": a quick pick of the apps of the entity's workspace; apps not ready say why. */
async function openWorkspaceApp(): Promise<void> {
  const location = currentEntity();
  if (!location || !running()) {
    return;
  }
  try {
    const answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Coder: loading apps' },
      () => execute(OPEN_SERVER_COMMANDS.workspaceApps, openArguments(location)),
    );
    if (answer === undefined || failed(answer)) {
      return; // the server has said why
    }
    const list = parseWorkspaceApps(answer);
    if (!list.apps.length) {
      void vscode.window.showInformationMessage(list.note ?? `${list.workspaceName ?? 'The workspace'} has no apps.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(list.apps.map(appPickItem), {
      title: `Apps of ${list.workspaceName ?? 'the workspace'}`,
      placeHolder: 'Choose an app to open',
      matchOnDescription: true,
    });
    if (!picked) {
      return;
    }
    if (!picked.app.openable) {
      void vscode.window.showWarningMessage(`${picked.app.displayName} is not opened: ${picked.app.problem ?? 'not ready'}.`);
      return;
    }
    const result = await execute(
      OPEN_SERVER_COMMANDS.workspaceApps,
      openArguments(location, { workspace: list.workspace, app: picked.app.slug }),
    );
    const link = linkToOpen(result);
    if (link) {
      await vscode.env.openExternal(vscode.Uri.parse(link, true));
    }
  } catch (error) {
    reportError('Opening the app failed', error);
  }
}

// -- template usage -----------------------------------------------------------------------------------

/** True when the running server offers `command` (executeCommandProvider); else says to update it. */
function offers(current: LanguageClient, command: string): boolean {
  const commands = current.initializeResult?.capabilities.executeCommandProvider?.commands;
  if (!commands || commands.includes(command)) {
    return true;
  }
  void vscode.window.showWarningMessage(`This coder-catalog server does not offer ${command}: update it (pip install -U coder-catalog).`);
  return false;
}

function relativePath(uri: string): string {
  try {
    // The folder's name is prepended only in a multi-root workspace.
    return vscode.workspace.asRelativePath(vscode.Uri.parse(uri, true));
  } catch {
    return uri;
  }
}

async function openAt(uri: string, range: UsageRange): Promise<void> {
  const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  try {
    await vscode.window.showTextDocument(vscode.Uri.parse(uri, true), { selection, preview: true });
  } catch (error) {
    reportError(`Opening ${relativePath(uri)} failed`, error);
  }
}

interface TemplatePick extends vscode.QuickPickItem {
  template: TemplateUsageEntry;
}

interface UsePick extends vscode.QuickPickItem {
  use?: TemplateUse;
  move?: boolean;
}

/** "Coder: Show Template Usage": the templates the workspace's entities use, then a template's entities
 * (opened at their templateName), or moving them all to another template. */
async function showTemplateUsage(): Promise<void> {
  const current = running();
  if (!current || !offers(current, SERVER_COMMANDS.templateUsage)) {
    return;
  }
  let answer: unknown;
  try {
    answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Coder: reading template usage' }, () =>
      execute(SERVER_COMMANDS.templateUsage, []),
    );
  } catch (error) {
    reportError('Reading the template usage failed', error);
    return;
  }
  if (answer === undefined || failed(answer)) {
    return; // the server has said why
  }
  const usage = parseTemplateUsage(answer);
  if (!usage.templates.length) {
    void vscode.window.showInformationMessage(emptyUsageMessage(usage));
    return;
  }
  const header = usageHeader(usage);
  const picked = await vscode.window.showQuickPick<TemplatePick>(
    usage.templates.map((template) => ({ ...templatePickItem(template), template })),
    { title: header.title, placeHolder: header.placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  if (picked) {
    await showTemplateUses(usage, picked.template);
  }
}

async function showTemplateUses(usage: TemplateUsage, template: TemplateUsageEntry): Promise<void> {
  const items: UsePick[] = template.uses.map((use) => ({ ...usePickItem(use, relativePath), use }));
  if (canMove(template)) {
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { ...movePickItem(template), move: true });
  }
  const name = templatePickItem(template).label;
  const picked = await vscode.window.showQuickPick(items, {
    title: `Entities using ${name}${usage.indexing ? ' (still indexing: the list may be incomplete)' : ''}`,
    placeHolder: 'Choose an entity to open its catalog file',
    matchOnDescription: true,
  });
  if (!picked) {
    return;
  }
  if (picked.move && template.name !== null) {
    await moveTemplate(usage, template.name);
  } else if (picked.use) {
    await openAt(picked.use.uri, picked.use.range);
  }
}

/** Asks the new template: the other known names, or one typed (offered as its own entry). */
function askTargetTemplate(usage: TemplateUsage, from: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const known = targetTemplates(usage, from);
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { name: string }>();
    pick.title = `Move the entities of ${from} to`;
    pick.placeholder = known.length ? 'Choose a template, or type another name' : 'Type the name of the new template';
    pick.ignoreFocusOut = true;
    const knownItems = known.map((item) => ({ ...item, name: item.label }));
    pick.items = knownItems;
    pick.onDidChangeValue((value) => {
      const typed = value.trim();
      const problem = typed ? validateTargetName(typed, from) : undefined;
      const exact = knownItems.some((item) => item.name === typed);
      pick.items =
        typed && !exact
          ? [{ label: problem ? `$(error) ${typed}` : `$(edit) ${typed}`, description: problem ?? 'the name typed', name: typed }, ...knownItems]
          : knownItems;
    });
    let done = false;
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0]?.name ?? pick.value.trim();
      const problem = validateTargetName(chosen, from);
      if (problem) {
        void vscode.window.showWarningMessage(problem);
        return;
      }
      done = true;
      resolve(chosen.trim());
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) {
        resolve(undefined);
      }
      pick.dispose();
    });
    pick.show();
  });
}

/** Runs `moveTemplate`: the server sends the edit (VS Code's refactor preview asks for confirmation when
 * the server marks it so), then answers what changed; this tells it, with the entities not changed. */
async function moveTemplate(usage: TemplateUsage, from: string): Promise<void> {
  const current = running();
  if (!current || !offers(current, SERVER_COMMANDS.moveTemplate)) {
    return;
  }
  const to = await askTargetTemplate(usage, from);
  if (!to) {
    return;
  }
  const move = 'Move';
  const review = 'Review Each Change…';
  const how = await vscode.window.showInformationMessage(
    `Move the entities of ${from} to ${to}?`,
    { modal: true, detail: 'Every spec.coder.templateName: ' + from + ' in the workspace changes (undo restores them). Review opens the refactor preview, where you tick the changes to apply.' },
    move,
    review,
  );
  if (!how) {
    return;
  }
  let answer: unknown;
  try {
    answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Coder: moving ${from} to ${to}` }, () =>
      execute(SERVER_COMMANDS.moveTemplate, moveArguments(from, to, how === review)),
    );
  } catch (error) {
    reportError(`Moving the entities of ${from} to ${to} failed`, error);
    return;
  }
  if (answer === undefined) {
    return;
  }
  const result = parseMoveResult(answer);
  const report = moveReport(result, from, to);
  const list = 'Show Not Changed';
  const buttons = result.notChanged.length ? [list] : [];
  const choice =
    report.level === 'info'
      ? await vscode.window.showInformationMessage(report.message, ...buttons)
      : await vscode.window.showWarningMessage(report.message, ...buttons);
  if (choice === list) {
    await showNotChanged(result.notChanged);
  }
}

async function showNotChanged(notChanged: NotChanged[]): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    notChanged.map((item) => ({ ...notChangedPickItem(item, relativePath), item })),
    { title: 'Entities not changed', placeHolder: 'Choose an entity to open its catalog file', matchOnDescription: true, matchOnDetail: true },
  );
  if (picked) {
    await openAt(picked.item.uri, picked.item.range);
  }
}

// -- activation ---------------------------------------------------------------------------------------

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  activatedAt = Date.now();
  output = vscode.window.createOutputChannel(NAME);
  statusItem = vscode.window.createStatusBarItem('coderCatalog.account', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'Coder account';
  context.subscriptions.push(output, statusItem);

  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  register(CLIENT_COMMANDS.linkAccount, linkAccount);
  register(CLIENT_COMMANDS.signInWithOAuth, signInWithOAuth);
  register(CLIENT_COMMANDS.unlinkAccount, unlinkAccount);
  register(CLIENT_COMMANDS.showWorkspaces, showWorkspaces);
  register(CLIENT_COMMANDS.createWorkspace, () => createWorkspace());
  register(CLIENT_COMMANDS.showTemplateUsage, showTemplateUsage);
  register(OPEN_CLIENT_COMMANDS.openInVSCode, openWorkspaceInVSCode);
  register(OPEN_CLIENT_COMMANDS.openApp, openWorkspaceApp);
  register(CLIENT_COMMANDS.restartServer, () => restart(context));
  register(CLIENT_COMMANDS.showOutput, () => output.show());

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((key) => event.affectsConfiguration(key))) {
        patterns = catalogPatterns(vscode.workspace.getConfiguration(SECTION).get('catalogGlobs'));
        if (client || starting) {
          void restart(context);
        } else {
          void startForCatalogFiles(context);
        }
      } else if (event.affectsConfiguration(SECTION) && client?.state === State.Running) {
        void client
          .sendNotification(DidChangeConfigurationNotification.type, { settings: initializationOptions(section(), variables()) })
          .then(() => (event.affectsConfiguration(`${SECTION}.deployment`) ? refreshStatus() : undefined));
      }
    }),
    // `onLanguage:yaml` activates the extension for any YAML file: the server starts with the first
    // catalog file only.
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (!client && !starting && isCatalogDocument(document)) {
        void start(context);
      }
    }),
  );

  patterns = catalogPatterns(vscode.workspace.getConfiguration(SECTION).get('catalogGlobs'));
  await startForCatalogFiles(context);
}

/** Starts the server when a catalog file is open or the workspace has one; else waits for one to open. */
async function startForCatalogFiles(context: vscode.ExtensionContext): Promise<void> {
  if (client || starting) {
    return;
  }
  if (vscode.workspace.textDocuments.some(isCatalogDocument)) {
    await start(context);
    return;
  }
  for (const pattern of patterns) {
    const found = await vscode.workspace.findFiles(pattern, '**/node_modules/**', 1);
    if (found.length > 0) {
      await start(context);
      return;
    }
  }
}

export async function deactivate(): Promise<void> {
  await stop();
}
