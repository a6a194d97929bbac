import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CLIENT_COMMANDS, SERVER_COMMANDS } from '../src/commands';
import {
  MOVE_LABEL,
  canMove,
  emptyUsageMessage,
  moveArguments,
  movePickItem,
  moveReport,
  notChangedPickItem,
  parseMoveResult,
  parseRange,
  parseTemplateUsage,
  targetTemplates,
  templatePickItem,
  usageHeader,
  usePickItem,
  validateTargetName,
} from '../src/templateUsage';

const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });

// The server's answer of coderCatalog.templateUsage.
const USAGE = {
  indexing: false,
  templates: [
    {
      name: 'docker',
      status: 'deprecated',
      uses: [
        { entity: 'component:default/web', uri: 'file:///repo/web/catalog-info.yaml', range: range(3, 18, 24), inherited: false },
        { entity: 'component:default/api', uri: 'file:///repo/api/catalog-info.yaml', range: range(11, 18, 24), inherited: false },
        { entity: 'component:default/bare', uri: 'file:///repo/bare/catalog-info.yaml', range: range(9, 2, 7), inherited: true },
      ],
    },
    {
      name: 'devcontainers',
      status: 'active',
      uses: [{ entity: 'component:default/ml', uri: 'file:///repo/ml/catalog-info.yaml', range: range(12, 18, 31), inherited: false }],
    },
    { name: 'dokker', status: 'unknown', uses: [{ entity: 'component:default/typo', uri: 'file:///repo/typo.yaml', range: range(0, 0, 6) }] },
    { name: 'python', status: null, uses: [{ entity: 'component:default/py', uri: 'file:///repo/py.yaml', range: range(4, 18, 24), inherited: true }] },
    { name: null, status: null, uses: [{ entity: 'component:default/none', uri: 'file:///repo/none.yaml', range: range(8, 2, 7), inherited: false }] },
    'not a template',
  ],
  notes: ['offline: deprecated and unknown templates are not flagged', 42],
};

const relative = (uri: string) => uri.replace('file:///repo/', '');

describe('template usage', () => {
  it('calls the server commands from a client command of its own', () => {
    assert.equal(SERVER_COMMANDS.templateUsage, 'coderCatalog.templateUsage');
    assert.equal(SERVER_COMMANDS.moveTemplate, 'coderCatalog.moveTemplate');
    assert.equal(CLIENT_COMMANDS.showTemplateUsage, 'coderCatalog.vscode.showTemplateUsage');
    assert.deepEqual(moveArguments('docker', ' devcontainers\n'), [{ from: 'docker', to: 'devcontainers', preview: false }]);
    assert.deepEqual(moveArguments('docker', 'nix', true), [{ from: 'docker', to: 'nix', preview: true }]);
  });

  it('reads the answer, keeping what it can of broken entries', () => {
    const usage = parseTemplateUsage(USAGE);
    assert.equal(usage.indexing, false);
    assert.deepEqual(
      usage.templates.map((t) => [t.name, t.status, t.uses.length]),
      [
        ['docker', 'deprecated', 3],
        ['devcontainers', 'active', 1],
        ['dokker', 'unknown', 1],
        ['python', null, 1],
        [null, null, 1],
      ],
    );
    assert.deepEqual(usage.notes, ['offline: deprecated and unknown templates are not flagged']);
    assert.equal(usage.templates[0].uses[2].inherited, true);
    assert.equal(usage.templates[2].uses[0].inherited, false);
    assert.deepEqual(parseTemplateUsage(null), { indexing: false, templates: [], available: [], notes: [] });
    assert.deepEqual(
      parseTemplateUsage({ templates: [{ name: 'x', status: 'weird', uses: [{ entity: 'a' }, { uri: 'file:///a.yaml' }] }] }).templates,
      [{ name: 'x', status: null, uses: [{ entity: '(unnamed entity)', uri: 'file:///a.yaml', range: range(0, 0, 0), inherited: false }] }],
    );
    assert.deepEqual(parseRange({ start: { line: 2.5, character: -1 } }), range(2, 0, 0));
    assert.deepEqual(parseRange('x'), range(0, 0, 0));
  });

  it('lists templates with their entity counts and flags', () => {
    const usage = parseTemplateUsage(USAGE);
    assert.deepEqual(templatePickItem(usage.templates[0]), {
      label: 'docker',
      description: '3 entities',
      detail: '$(warning) deprecated · 1 from the app default (workspaces.defaultTemplateName)',
    });
    assert.deepEqual(templatePickItem(usage.templates[1]), { label: 'devcontainers', description: '1 entity', detail: undefined });
    assert.match(templatePickItem(usage.templates[2]).detail ?? '', /unknown/);
    assert.equal(templatePickItem(usage.templates[4]).label, '(no template)');
    assert.deepEqual(usageHeader(usage), {
      title: 'Coder template usage: 4 templates, 7 entities',
      placeHolder: 'offline: deprecated and unknown templates are not flagged',
    });
  });

  it('says when the server is still indexing', () => {
    const usage = parseTemplateUsage({ ...USAGE, indexing: true, notes: [] });
    const header = usageHeader(usage);
    assert.match(header.title, /still indexing the workspace: the list may be incomplete/);
    assert.match(header.placeHolder, /^Still indexing/);
    // The server's notes say it already: no second sentence.
    const noted = usageHeader(parseTemplateUsage({ indexing: true, templates: [], notes: ['the workspace is still being indexed'] }));
    assert.equal(noted.placeHolder, 'the workspace is still being indexed');
    assert.match(emptyUsageMessage(parseTemplateUsage({ indexing: true, templates: [] })), /still indexing/);
    assert.equal(
      emptyUsageMessage(parseTemplateUsage({ indexing: false, templates: [], notes: ['offline.'] })),
      'No catalog entity in this workspace has a coder block. offline.',
    );
    assert.equal(usageHeader(parseTemplateUsage({ templates: [] })).placeHolder, 'Choose a template to see the entities that use it');
  });

  it('lists the uses of a template, marking inherited ones, and offers the move', () => {
    const [docker, , , python, none] = parseTemplateUsage(USAGE).templates;
    assert.deepEqual(usePickItem(docker.uses[0], relative), {
      label: 'component:default/web',
      description: 'web/catalog-info.yaml:4',
      detail: undefined,
    });
    assert.match(usePickItem(docker.uses[2], relative).detail ?? '', /from the app default/);
    assert.equal(canMove(docker), true);
    assert.equal(canMove(python), false); // only inherited uses: nothing in catalog files to edit
    assert.equal(canMove(none), false); // no name to move from
    assert.deepEqual(movePickItem(docker), {
      label: MOVE_LABEL,
      description: '2 entities from docker',
      detail: '1 entity from the app default stay: change the app\'s workspaces.defaultTemplateName for them',
    });
    assert.equal(MOVE_LABEL, '$(arrow-swap) Move these entities to another template…');
  });

  it('offers the other templates as targets and checks a typed name', () => {
    const usage = parseTemplateUsage(USAGE);
    assert.deepEqual(
      targetTemplates(usage, 'docker').map((t) => t.label),
      ['devcontainers', 'python', 'dokker'],
    );
    assert.match(targetTemplates(usage, 'devcontainers').find((t) => t.label === 'docker')?.detail ?? '', /deprecated/);
    // The deprecated template's successor first, then the used ones, then the deployment's unused ones
    const withData = parseTemplateUsage({
      ...USAGE,
      templates: [{ ...(USAGE.templates[0] as object), replacement: 'nix' }, ...USAGE.templates.slice(1)],
      available: ['devcontainers', 'nix', 'python'],
    });
    const targets = targetTemplates(withData, 'docker');
    assert.deepEqual(targets.map((t) => t.label), ['nix', 'devcontainers', 'python', 'dokker']);
    assert.match(targets[0].detail ?? '', /deprecation message/);
    assert.equal(targets[0].description, 'not used yet');
    assert.equal(validateTargetName('devcontainers', 'docker'), undefined);
    assert.match(validateTargetName('  ', 'docker') ?? '', /Type the name/);
    assert.match(validateTargetName('docker', 'docker') ?? '', /already use docker/);
    assert.match(validateTargetName('dev containers', 'docker') ?? '', /no spaces/);
  });

  it('reports the result of a move', () => {
    const all = parseMoveResult({ applied: true, changed: 3, notChanged: [] });
    assert.deepEqual(moveReport(all, 'docker', 'devcontainers'), { level: 'info', message: 'Moved 3 entities from docker to devcontainers.' });

    const some = parseMoveResult({
      applied: true,
      changed: 1,
      notChanged: [
        {
          entity: 'component:default/bare',
          uri: 'file:///repo/bare/catalog-info.yaml',
          range: range(9, 2, 7),
          reason: 'the template comes from the app default',
        },
        'junk',
      ],
    });
    assert.equal(some.notChanged.length, 1);
    assert.deepEqual(moveReport(some, 'docker', 'devcontainers'), {
      level: 'warning',
      message:
        'Moved 1 entity from docker to devcontainers. 1 entity not changed: component:default/bare (the template comes from the app default).',
    });
    assert.deepEqual(notChangedPickItem(some.notChanged[0], relative), {
      label: 'component:default/bare',
      description: 'bare/catalog-info.yaml:10',
      detail: 'the template comes from the app default',
    });

    const refused = parseMoveResult({ applied: false, changed: 0, notChanged: [], failureReason: 'the file changed on disk' });
    assert.deepEqual(moveReport(refused, 'docker', 'x'), { level: 'warning', message: 'Nothing moved from docker to x: the file changed on disk.' });
    const cancelled = parseMoveResult({ applied: false, changed: 0, notChanged: [] });
    assert.deepEqual(moveReport(cancelled, 'docker', 'x'), {
      level: 'warning',
      message: 'Nothing moved from docker to x (the edit was cancelled or refused).',
    });
    const warned = parseMoveResult({ applied: true, changed: 2, notChanged: [], warning: 'template "x" does not exist on https://coder.example.com' });
    assert.deepEqual(moveReport(warned, 'docker', 'x'), {
      level: 'warning',
      message: 'Moved 2 entities from docker to x. Note: template "x" does not exist on https://coder.example.com.',
    });
    assert.equal(moveReport({ ...refused, warning: 'w' }, 'docker', 'x').message, 'Nothing moved from docker to x: the file changed on disk. Note: w.');
    const none = parseMoveResult({ applied: true, changed: 0 });
    assert.equal(moveReport(none, 'docker', 'x').message, 'No entity moved from docker to x.');
    assert.equal(parseMoveResult(undefined).failureReason, 'the server gave no answer');
    assert.equal(parseMoveResult({ applied: true, changed: -2 }).changed, 0);
  });
});
