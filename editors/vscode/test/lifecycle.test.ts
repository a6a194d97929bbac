import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ACTION_LABELS,
  MissingParameter,
  SERVER_COMMANDS,
  actionCommand,
  entityArguments,
  entityLocation,
  missingParameterPrompt,
  parseMissingParameters,
  updateArguments,
  updateWithMissing,
  workspaceActions,
} from '../src/commands';

const LOCATION = entityLocation('file:///repo/catalog-info.yaml', 10);
const OUTDATED = { id: 'ws-1', name: 'python-api', owner: 'alice', status: 'running', outdated: true };

const MISSING = {
  status: 'failed',
  reason: 'usage',
  message: 'updating python-api needs a value for the new required parameters region, team',
  missing: [
    {
      name: 'region',
      displayName: 'Region',
      description: 'Where the workspace runs',
      type: 'string',
      options: [
        { name: 'Europe', value: 'eu' },
        { name: 'US', value: 'us' },
      ],
    },
    { name: 'team', displayName: 'team', description: null, type: 'string', options: [] },
    { displayName: 'no name' },
  ],
};

describe('update and delete', () => {
  it('calls the server commands', () => {
    assert.equal(SERVER_COMMANDS.updateWorkspace, 'coderCatalog.updateWorkspace');
    assert.equal(SERVER_COMMANDS.deleteWorkspace, 'coderCatalog.deleteWorkspace');
    assert.equal(actionCommand('update'), 'coderCatalog.updateWorkspace');
    assert.equal(actionCommand('delete'), 'coderCatalog.deleteWorkspace');
    assert.match(ACTION_LABELS.delete, /Delete/);
    assert.match(ACTION_LABELS.update, /Update/);
  });

  it('offers update for outdated workspaces not building, delete unless being deleted', () => {
    assert.deepEqual(workspaceActions(OUTDATED), ['open', 'stop', 'update', 'delete']);
    assert.deepEqual(workspaceActions({ ...OUTDATED, status: 'stopped' }), ['start', 'open', 'update', 'delete']);
    assert.deepEqual(workspaceActions({ ...OUTDATED, status: 'starting', building: true }), ['open', 'delete']);
    assert.deepEqual(workspaceActions({ name: 'gone', status: 'deleted' }), ['open']);
  });

  it('names the workspace by id and passes the values given', () => {
    assert.deepEqual(updateArguments(LOCATION, OUTDATED), [
      { uri: 'file:///repo/catalog-info.yaml', line: 10, workspace: 'ws-1', clientAsks: true },
    ]);
    assert.deepEqual(updateArguments(LOCATION, OUTDATED, { region: 'eu' }), [
      { uri: 'file:///repo/catalog-info.yaml', line: 10, workspace: 'ws-1', clientAsks: true, params: { region: 'eu' } },
    ]);
  });

  it('reads the missing parameters of a failed update, and nothing else', () => {
    const missing = parseMissingParameters(MISSING);
    assert.deepEqual(
      missing.map((p) => [p.name, p.displayName, p.options.map((o) => o.value)]),
      [
        ['region', 'Region', ['eu', 'us']],
        ['team', 'team', []],
      ],
    );
    assert.deepEqual(parseMissingParameters({ status: 'updated', missing: MISSING.missing }), []);
    assert.deepEqual(parseMissingParameters({ status: 'failed', reason: 'refused' }), []);
    assert.deepEqual(parseMissingParameters(undefined), []);
    assert.deepEqual(missingParameterPrompt(missing[0], 'python-api'), {
      title: 'Updating python-api: Region (region)',
      prompt: 'Where the workspace runs',
    });
    assert.match(missingParameterPrompt(missing[1], 'python-api').prompt, /needs a value for team \(string\)/);
  });

  it('asks each missing parameter and runs the update again with params', async () => {
    const calls: Record<string, string>[] = [];
    const asked: string[] = [];
    const result = await updateWithMissing(
      async (params) => {
        calls.push(params);
        return calls.length === 1 ? MISSING : { status: 'updated', params };
      },
      async (parameter: MissingParameter) => {
        asked.push(parameter.name);
        return parameter.options.length ? parameter.options[0].value : 'platform';
      },
    );
    assert.deepEqual(calls, [{}, { region: 'eu', team: 'platform' }]);
    assert.deepEqual(asked, ['region', 'team']);
    assert.deepEqual(result, { status: 'updated', params: { region: 'eu', team: 'platform' } });
  });

  it('stops when a question is cancelled, and does not loop forever', async () => {
    let runs = 0;
    const cancelled = await updateWithMissing(
      async () => {
        runs++;
        return MISSING;
      },
      async (parameter) => (parameter.name === 'region' ? 'eu' : undefined),
    );
    assert.equal(runs, 1);
    assert.deepEqual(cancelled, { status: 'cancelled', reason: 'missing', missing: ['region', 'team'] });

    runs = 0;
    const stubborn = { ...MISSING, missing: [{ name: `p${Math.random()}`, options: [] }] };
    await updateWithMissing(
      async () => {
        runs++;
        return { ...stubborn, missing: [{ name: `p${runs}`, options: [] }] };
      },
      async () => 'x',
    );
    assert.equal(runs, 3);
  });

  it('creates without a preset argument, so the server asks which preset', () => {
    assert.deepEqual(entityArguments(LOCATION), [{ uri: 'file:///repo/catalog-info.yaml', line: 10 }]);
    assert.deepEqual(entityArguments(LOCATION, { preset: '' }), [{ uri: 'file:///repo/catalog-info.yaml', line: 10, preset: '' }]);
  });
});
