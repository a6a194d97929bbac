import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLIENT_COMMANDS,
  SERVER_COMMANDS,
  actionCommand,
  entityArguments,
  entityLocation,
  linkArguments,
  parseAccountStatus,
  parseWorkspaceList,
  failed,
  isWaitingForBrowser,
  needsFileStoreConsent,
  signInArguments,
  urlToOpen,
  statusBarView,
  tokenPage,
  workspaceActions,
  workspaceArguments,
  workspacePickItem,
} from '../src/commands';

const LIST = {
  summary: '2 workspaces (1 running)',
  running: 1,
  note: null,
  workspaces: [
    {
      id: '3a15f311-e7b5-51fa-9b86-af19f0868b7b',
      name: 'python-api',
      owner: 'alice',
      template: 'devcontainers',
      templateDisplayName: 'Dev Containers',
      status: 'running',
      building: false,
      outdated: true,
      lastUsedAt: '2025-06-19T11:00:00Z',
      url: 'http://127.0.0.1:1/@alice/python-api',
      error: null,
    },
    { id: '70c69a67', name: 'python-api-eu', owner: 'alice', template: 'devcontainers', status: 'stopped' },
    { name: 42 },
  ],
};

describe('command arguments', () => {
  it('never shares ids with the server (the language client registers those)', () => {
    const server = new Set<string>(Object.values(SERVER_COMMANDS));
    for (const id of Object.values(CLIENT_COMMANDS)) {
      assert.ok(!server.has(id), id);
    }
  });

  it('builds entity and workspace arguments', () => {
    const location = entityLocation('file:///repo/catalog-info.yaml', 12.7);
    assert.deepEqual(location, { uri: 'file:///repo/catalog-info.yaml', line: 12 });
    assert.deepEqual(entityArguments(location), [location]);
    assert.deepEqual(entityArguments(location, { pick: true }), [{ ...location, pick: true }]);
    const [first] = parseWorkspaceList(LIST).workspaces;
    assert.deepEqual(workspaceArguments(location, first), [{ ...location, workspace: '3a15f311-e7b5-51fa-9b86-af19f0868b7b' }]);
    assert.deepEqual(workspaceArguments(location, { name: 'dev', owner: 'alice', status: 'running' }), [{ ...location, workspace: 'alice/dev' }]);
    assert.deepEqual(linkArguments('  token-123\n'), ['token-123']);
    assert.deepEqual(linkArguments('token-123', { allowFileStore: true }), ['token-123', { allowFileStore: true }]);
    assert.deepEqual(signInArguments(), []);
    assert.deepEqual(signInArguments({ allowFileStore: true }), [{ allowFileStore: true }]);
  });

  it('reads workspace lists and shows them with status icons', () => {
    const list = parseWorkspaceList(LIST);
    assert.equal(list.workspaces.length, 2);
    assert.equal(list.summary, '2 workspaces (1 running)');
    assert.deepEqual(workspacePickItem(list.workspaces[0]), {
      label: '$(vm-running) python-api',
      description: 'running, outdated',
      detail: '@alice · Dev Containers · last used 2025-06-19 11:00:00 UTC',
    });
    assert.equal(workspacePickItem(list.workspaces[1]).label, '$(vm-outline) python-api-eu');
    assert.equal(workspacePickItem({ name: 'x', status: 'starting' }).label, '$(loading~spin) x');
    assert.deepEqual(parseWorkspaceList([{ name: 'bare', status: 'failed' }]).workspaces[0].status, 'failed');
    assert.deepEqual(parseWorkspaceList(null).workspaces, []);
  });

  it('offers the actions that fit the status, the likely one first', () => {
    assert.deepEqual(workspaceActions({ name: 'a', status: 'running' }), ['open', 'stop', 'delete']);
    assert.deepEqual(workspaceActions({ name: 'a', status: 'stopped' }), ['start', 'open', 'delete']);
    assert.deepEqual(workspaceActions({ name: 'a', status: 'starting' }), ['open', 'delete']);
    assert.deepEqual(workspaceActions({ name: 'a', status: 'deleting' }), ['open']);
    assert.equal(actionCommand('stop'), 'coderCatalog.stopWorkspace');
  });

  it('shows the signed-in user and deployment, or asks to link', () => {
    // The server's answer (coderCatalog.accountStatus).
    const linked = parseAccountStatus({
      status: 'ok',
      deployment: 'https://coder.example.com',
      signedIn: true,
      source: 'keyring',
      sourceDescription: 'the account linked with coder-catalog (OS keyring)',
      method: 'token',
      expiresAt: null,
      user: 'alice',
      problem: null,
      linked: true,
    });
    assert.equal(statusBarView(linked).text, '$(account) alice @ coder.example.com');
    assert.equal(statusBarView(linked).command, CLIENT_COMMANDS.showWorkspaces);
    assert.match(statusBarView(linked).tooltip, /OS keyring/);
    const expired = parseAccountStatus({
      status: 'ok',
      deployment: 'http://127.0.0.1:8080',
      signedIn: false,
      source: 'env:CODER_SESSION_TOKEN',
      user: null,
      problem: 'the token was rejected (401)',
      linked: false,
    });
    assert.equal(statusBarView(expired).text, '$(account) Link Coder account');
    assert.equal(statusBarView(expired).command, CLIENT_COMMANDS.linkAccount);
    assert.match(statusBarView(expired).tooltip, /127\.0\.0\.1:8080: the token was rejected/);
    const none = parseAccountStatus({ status: 'failed', deployment: null, message: 'no Coder deployment is configured' });
    assert.equal(statusBarView(none).text, '$(account) Link Coder account');
    assert.match(statusBarView(none).tooltip, /no Coder deployment is configured/);
    assert.equal(statusBarView(parseAccountStatus(undefined)).text, '$(account) Link Coder account');
    assert.equal(tokenPage('https://coder.example.com/'), 'https://coder.example.com/cli-auth');
  });

  it('asks for a file store only when the server found no keyring', () => {
    assert.equal(needsFileStoreConsent({ status: 'failed', message: 'no keyring', needsFileStoreConsent: true }), true);
    assert.equal(needsFileStoreConsent({ status: 'failed', message: 'rejected' }), false);
    assert.equal(needsFileStoreConsent({ status: 'linked', user: 'alice' }), false);
    assert.equal(isWaitingForBrowser({ status: 'waitingForBrowser', authorizeUrl: 'https://x/oauth2/authorize', opened: true }), true);
  });

  it('opens a page only when the server could not', () => {
    assert.equal(urlToOpen({ status: 'url', url: 'https://coder.example.com/@alice/dev' }), 'https://coder.example.com/@alice/dev');
    assert.equal(urlToOpen({ status: 'opened', url: 'https://coder.example.com/@alice/dev' }), undefined);
    assert.equal(urlToOpen({ status: 'url', url: 'file:///etc/passwd' }), undefined);
    assert.equal(urlToOpen('https://x'), undefined);
    assert.equal(failed({ status: 'failed', reason: 'usage', message: 'no entity' }), true);
    assert.equal(failed({ status: 'ok', workspaces: [] }), false);
  });
});
