import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { entityLocation } from '../src/commands';
import {
  OPEN_CLIENT_COMMANDS,
  OPEN_SERVER_COMMANDS,
  appPickItem,
  linkToOpen,
  openArguments,
  parseWorkspaceApps,
} from '../src/openCommands';

const APPS = {
  status: 'ok',
  workspace: { id: '3a15f311-e7b5-51fa-9b86-af19f0868b7b', name: 'python-api', status: 'running' },
  apps: [
    {
      slug: 'code-server',
      displayName: 'code-server',
      agent: 'main',
      health: 'healthy',
      agentStatus: 'connected',
      url: 'http://127.0.0.1:1/@alice/python-api.main/apps/code-server/',
      openable: true,
      problem: null,
    },
    { slug: 'docs', displayName: 'Docs server', agent: 'main', health: 'unhealthy', url: 'http://x/', openable: false, problem: 'unhealthy' },
    { displayName: 'no slug' },
  ],
  note: null,
};

describe('open in VS Code and apps', () => {
  it('calls the server commands, which differ from the palette commands', () => {
    assert.equal(OPEN_SERVER_COMMANDS.openInVSCode, 'coderCatalog.openWorkspaceInVSCode');
    assert.equal(OPEN_SERVER_COMMANDS.workspaceApps, 'coderCatalog.workspaceApps');
    for (const id of Object.values(OPEN_CLIENT_COMMANDS)) {
      assert.ok(!(Object.values(OPEN_SERVER_COMMANDS) as string[]).includes(id));
    }
  });

  it('names the entity, then the workspace and app chosen', () => {
    const location = entityLocation('file:///repo/catalog-info.yaml', 10.7);
    assert.deepEqual(openArguments(location), [{ uri: 'file:///repo/catalog-info.yaml', line: 10 }]);
    assert.deepEqual(openArguments(location, { workspace: 'abc', app: 'docs', agent: undefined }), [
      { uri: 'file:///repo/catalog-info.yaml', line: 10, workspace: 'abc', app: 'docs' },
    ]);
  });

  it('reads the apps and shows those it cannot open with the reason', () => {
    const parsed = parseWorkspaceApps(APPS);
    assert.equal(parsed.workspace, '3a15f311-e7b5-51fa-9b86-af19f0868b7b');
    assert.deepEqual(
      parsed.apps.map((a) => [a.slug, a.openable, a.problem]),
      [
        ['code-server', true, undefined],
        ['docs', false, 'unhealthy'],
      ],
    );
    assert.equal(appPickItem(parsed.apps[0]).label, '$(link-external) code-server');
    assert.equal(appPickItem(parsed.apps[0]).description, 'agent main');
    assert.deepEqual(
      [appPickItem(parsed.apps[1]).label, appPickItem(parsed.apps[1]).description],
      ['$(warning) Docs server', 'unhealthy'],
    );
    assert.deepEqual(parseWorkspaceApps({ status: 'failed', message: 'x' }).apps, []);
    assert.equal(parseWorkspaceApps(null).apps.length, 0);
  });

  it('opens vscode:// links the server could not open, and nothing else', () => {
    const link = 'vscode://coder.coder-remote/open?owner=alice&workspace=python-api&url=https%3A%2F%2Fcoder.example.com';
    assert.equal(linkToOpen({ status: 'url', url: link }), link);
    assert.equal(linkToOpen({ status: 'opened', url: link }), undefined);
    assert.equal(linkToOpen({ status: 'url', url: 'file:///etc/passwd' }), undefined);
    assert.equal(linkToOpen({ status: 'url', url: 'https://x/@alice/a.main/apps/b/' }), 'https://x/@alice/a.main/apps/b/');
  });
});
