// The VS Code extension end to end: code-server (VS Code in a browser) driven through Chromium with
// playwright-core, as a person would use it. tests/editors/test_vscode_e2e.py starts the Coder
// simulator and code-server (with the extension installed from the .vsix) and runs this script with a
// JSON configuration file:
//
//   {url, chromium, browserProfile, artifacts, results, settingsFile, token, file, timeoutMs,
//    expectProblems, expectTemplates, expectParams, expectHover, expectWorkspaces, toggleRule, scenario}
//
// With scenario "bundled" only the first steps run: the server starts (the status bar item) and its
// findings show in the Problems panel.
//
// Each step checks what the page shows, saves a screenshot (artifacts/NN-step.png) and adds a line to
// the report (results), written after every step so that a failure shows how far it got. The token
// is typed into VS Code's password box only: it is never written to the report or the console.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const TIMEOUT = config.timeoutMs ?? 60000;
const report = { ok: false, steps: [], error: null, console: [] };
let shot = 0;

function save() {
  // Belt and braces: the token is never put in the report, and would be masked if a message had it.
  writeFileSync(config.results, JSON.stringify(report, null, 2).split(config.token).join('<token>'));
}

mkdirSync(config.artifacts, { recursive: true });

/** Text as the page shows it: the editor writes spaces as no-break spaces. */
function clean(text) {
  return (text ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}

async function step(page, name, run) {
  const started = Date.now();
  let detail;
  try {
    detail = await run();
  } finally {
    shot += 1;
    const file = `${String(shot).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(config.artifacts, file) }).catch(() => undefined);
    report.steps.push({ name, detail: detail ?? null, screenshot: file, seconds: (Date.now() - started) / 1000, done: detail !== undefined });
    save();
  }
  return detail;
}

/** Waits until `probe` returns a truthy value (polling the page), or fails with `what`. */
async function until(probe, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last: ${String(last).slice(0, 500)}; Problems rows: ${JSON.stringify(lastRows).slice(0, 1000)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// -- the workbench ------------------------------------------------------------------------------------

const STATUS = '[id="coder-catalog.coder-catalog.coderCatalog.account"]';
const QUICK_INPUT = '.quick-input-widget';

async function statusText(page) {
  const item = page.locator(STATUS);
  return (await item.count()) ? clean(await item.first().innerText()) : '';
}

async function quickInputRows(page) {
  return page.locator(`${QUICK_INPUT} .monaco-list-row`).evaluateAll((rows) =>
    rows.map((row) => (row.getAttribute('aria-label') || row.textContent || '').replace(/\u00a0/g, ' ')),
  );
}

/** Runs a command from the Command Palette by its title, as typed by a person. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(`>${title}`);
  await until(async () => (await quickInputRows(page)).some((row) => row.includes(title)), `the command "${title}" in the palette`);
  await page.keyboard.press('Enter');
}

async function focusEditor(page) {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
}

/** Puts the cursor at a 1-based line and column with "Go to Line/Column". */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: TIMEOUT });
}

/** The text of the editor's lines on screen, by their vertical order (the DOM order is not). */
async function editorLines(page) {
  return page.locator('.editor-instance .monaco-editor .view-lines .view-line').evaluateAll((lines) =>
    lines
      .map((line) => ({ top: parseFloat(line.style.top || '0'), text: (line.textContent || '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text),
  );
}

async function openProblems(page) {
  if (!(await page.locator('.markers-panel').isVisible().catch(() => false))) {
    await page.keyboard.press('Control+Shift+M');
  }
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: TIMEOUT });
}

let lastRows = [];

/** The Problems panel's markers: severity, code, line, column and message, as listed. */
async function problems(page) {
  const rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => ({
      text: (row.textContent || '').replace(/\u00a0/g, ' '),
      aria: row.getAttribute('aria-label') || '',
      // The marker's icon (a light bulb shows over it when the row has a fix, the class stays).
      severity: row.querySelector('.marker-icon')?.className.match(/\b(error|warning|info)\b/)?.[1] ?? 'other',
    })),
  );
  lastRows = rows.map((row) => row.text);
  const found = [];
  for (const row of rows) {
    // "<message><source><code>[Ln 14, Col 11]": the code is right before the position.
    const match = /(CC\d+)\s*\[Ln (\d+), Col (\d+)\]\s*$/.exec(row.text);
    if (!match) {
      continue; // the file's row
    }
    found.push({
      code: match[1],
      line: Number(match[2]),
      column: Number(match[3]),
      severity: row.severity,
      message: clean(row.aria || row.text).slice(0, 300),
    });
  }
  return found;
}

async function suggestions(page) {
  return page.locator('.editor-widget.suggest-widget.visible .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      const label = row.querySelector('.label-name, .monaco-icon-name-container');
      return (label?.textContent || row.getAttribute('aria-label') || '').replace(/\u00a0/g, ' ').trim();
    }),
  );
}

async function triggerSuggest(page, expected) {
  await page.keyboard.press('Control+Space');
  return until(async () => {
    const shown = await suggestions(page);
    return expected.every((label) => shown.includes(label)) ? shown : undefined;
  }, `completion items ${expected.join(', ')}`);
}

/** Writes the workspace's .vscode/settings.json, as a person editing it would (VS Code watches it). */
function writeSettings(settings) {
  writeFileSync(config.settingsFile, JSON.stringify(settings, null, 2));
}

// -- the scenario -------------------------------------------------------------------------------------

async function problemsStep(page) {
  await step(page, 'problems', async () => {
    // The messages of the start (no credential yet, then linked) would cover the editor.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await focusEditor(page);
    await openProblems(page);
    const found = await until(async () => {
      const listed = await problems(page);
      const codes = listed.map((p) => p.code);
      return config.expectProblems.every((code) => codes.includes(code)) ? listed : undefined;
    }, `the problems ${config.expectProblems.join(', ')}`);
    return { problems: found };
  });
}

async function scenario(page) {
  await step(page, 'activated', async () => {
    await page.goto(config.url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: TIMEOUT });
    // Open the catalog file with Quick Open, as a person would.
    await until(async () => (await page.locator('.statusbar').count()) > 0, 'the status bar');
    await page.keyboard.press('Control+P');
    const input = page.locator(`${QUICK_INPUT} input`);
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(config.file);
    await until(async () => (await quickInputRows(page)).some((row) => row.includes(config.file)), 'the file in Quick Open');
    await page.keyboard.press('Enter');
    await until(async () => (await editorLines(page)).some((line) => line.includes('templateName: devcontainers')), 'the file in the editor');
    // The status bar item comes from the server's account status: the server runs. Meanwhile, the
    // extension's notifications shown (the progress of the bundled server's first set-up).
    const notifications = [];
    const text = await until(async () => {
      const toasts = await page.locator('.notifications-toasts .notification-list-item').evaluateAll((items) =>
        items.map((item) => (item.textContent || '').replace(/\u00a0/g, ' ').trim()),
      );
      for (const toast of toasts) {
        if (toast.includes('Coder Catalog') && !notifications.includes(toast)) {
          notifications.push(toast.slice(0, 300));
        }
      }
      const shown = await statusText(page);
      return shown.includes('Link Coder account') || shown.includes(' @ ') ? shown : undefined;
    }, 'the Coder status bar item (the server started)');
    return { status: text, notifications };
  });

  if (config.scenario === 'bundled') {
    // The server the .vsix carries: its findings are enough.
    await problemsStep(page);
    return;
  }

  await step(page, 'linked', async () => {
    await runCommand(page, 'Coder: Link Account');
    const box = page.locator(`${QUICK_INPUT} input[type="password"]`);
    await box.waitFor({ state: 'visible', timeout: TIMEOUT });
    await box.fill(config.token);
    await page.keyboard.press('Enter');
    const text = await until(async () => {
      const shown = await statusText(page);
      return shown.includes(' @ ') ? shown : undefined;
    }, 'the status bar to show the linked user');
    const tooltip = clean(await page.locator(STATUS).first().getAttribute('aria-label'));
    return { status: text, tooltip };
  });

  await problemsStep(page);

  await step(page, 'completion-template', async () => {
    await focusEditor(page);
    await goTo(page, 13, 19); // the start of the value of `templateName:`
    const shown = await triggerSuggest(page, config.expectTemplates);
    // This screenshot, with the squiggles of the step before, is docs/images/vscode-completion.png.
    return { shown };
  });

  await step(page, 'completion-params', async () => {
    await page.keyboard.press('Escape');
    await goTo(page, 16, 7); // the start of a key under `params:`
    const shown = await triggerSuggest(page, config.expectParams);
    return { shown };
  });

  await step(page, 'hover', async () => {
    await page.keyboard.press('Escape');
    await goTo(page, 13, 22); // inside "devcontainers"
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover:visible, .monaco-resizable-hover:visible').first();
    const text = await until(async () => {
      const shown = clean(await hover.innerText().catch(() => ''));
      return shown.includes(config.expectHover) ? shown : undefined;
    }, `a hover with "${config.expectHover}"`);
    return { hover: text.slice(0, 500) };
  });

  await step(page, 'quickfix', async () => {
    await page.keyboard.press('Escape');
    await goTo(page, 14, 12); // inside "Auto"
    const bulb = page.locator('.lightBulbWidget:visible, .gutter-lightbulb:visible, .codicon-light-bulb:visible, .codicon-lightbulb-autofix:visible').first();
    await bulb.waitFor({ state: 'visible', timeout: TIMEOUT });
    await bulb.click();
    const menu = page.locator('.action-widget .monaco-list-row');
    const offered = await until(async () => {
      const rows = await menu.evaluateAll((rows) => rows.map((row) => (row.textContent || '').replace(/\u00a0/g, ' ').trim()));
      return rows.some((row) => row.includes('auto')) ? rows : undefined;
    }, 'the quick fixes of the light bulb');
    await menu.filter({ hasText: 'auto' }).first().click();
    const line = await until(async () => {
      const lines = await editorLines(page);
      return lines.find((text) => text.trim() === 'mode: auto');
    }, 'the line to read "mode: auto"');
    await page.keyboard.press('Control+S');
    return { offered, line, via: 'light bulb' };
  });

  await step(page, 'lens', async () => {
    const lens = await until(async () => {
      const texts = await page.locator('.editor-instance .codelens-decoration').evaluateAll((els) => els.map((el) => (el.textContent || '').replace(/\u00a0/g, ' ').trim()));
      return texts.find((text) => /\d+ workspaces?\b/.test(text));
    }, 'the workspaces code lens');
    return { lens };
  });

  await step(page, 'workspaces', async () => {
    await goTo(page, 13, 5);
    await runCommand(page, 'Coder: Show Workspaces');
    const rows = await until(async () => {
      const listed = await quickInputRows(page);
      return config.expectWorkspaces.every((name) => listed.some((row) => row.includes(name))) ? listed : undefined;
    }, `the workspaces ${config.expectWorkspaces.join(', ')} in a quick pick`);
    const title = clean(await page.locator(`${QUICK_INPUT} .quick-input-title`).innerText().catch(() => ''));
    return { rows, title };
  });

  await step(page, 'setting-off', async () => {
    await page.keyboard.press('Escape');
    await openProblems(page);
    writeSettings({ 'coderCatalog.rules': { [config.toggleRule]: 'off' } });
    const listed = await until(async () => {
      const now = await problems(page);
      return now.every((p) => p.code !== config.toggleRule) ? now : undefined;
    }, `${config.toggleRule} to leave the Problems panel`);
    return { problems: listed };
  });

  await step(page, 'setting-warning', async () => {
    writeSettings({ 'coderCatalog.rules': { [config.toggleRule]: 'warning' } });
    const listed = await until(async () => {
      const now = await problems(page);
      return now.some((p) => p.code === config.toggleRule) ? now : undefined;
    }, `${config.toggleRule} to come back in the Problems panel`);
    return { problems: listed };
  });

  await step(page, 'definition', async () => {
    // F12 on the owner: the Group's file, which the workspace's index found through a Location.
    const tab = page.locator('.tabs-container .tab.active');
    await tab.click(); // the Problems panel had the focus
    await goTo(page, 11, 12); // inside "team-a" of `owner: team-a`
    let title = '';
    await until(async () => {
      if (!title.includes('team-a.yaml')) {
        await page.keyboard.press('F12');
      }
      title = clean(await tab.getAttribute('aria-label').catch(() => '')) || clean(await tab.textContent().catch(() => ''));
      return title.includes('team-a.yaml');
    }, 'F12 to open team-a.yaml (the index may still be reading the workspace)');
    const found = title;
    const line = await until(async () => (await editorLines(page)).find((text) => text.includes('name: team-a')), 'the Group in the editor');
    return { tab: found, line };
  });

  await step(page, 'references', async () => {
    // From the Group's name, in the file F12 opened (not a catalog-info.yaml: sent as YAML).
    await page.locator('.tabs-container .tab', { hasText: 'team-a.yaml' }).first().click();
    await goTo(page, 4, 10);
    const from = clean(await page.locator('.tabs-container .tab.active').getAttribute('aria-label'));
    const peek = page.locator('.peekview-widget').first();
    const tree = page.locator('.peekview-widget .ref-tree').first();
    const shown = await until(async () => {
      if ((await peek.count()) === 0) {
        await runCommand(page, 'Peek References');
      }
      const title = clean(await peek.locator('.peekview-title').innerText().catch(() => ''));
      const files = clean(await tree.innerText().catch(() => ''));
      return files.includes('catalog-info.yaml') ? { title, files } : undefined;
    }, 'the references peek listing catalog-info.yaml');
    await page.keyboard.press('Escape');
    return { from, title: shown.title.slice(0, 300), peek: shown.files.slice(0, 500) };
  });
}

// A fresh profile (userDataDir) each run; Debian's chromium, never a downloaded browser.
const context = await chromium.launchPersistentContext(config.browserProfile, {
  executablePath: config.chromium,
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let code = 1;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error' && report.console.length < 50) {
      report.console.push(message.text().slice(0, 300));
    }
  });
  await scenario(page);
  report.ok = true;
  code = 0;
} catch (error) {
  report.error = String(error?.stack ?? error).slice(0, 4000);
} finally {
  save();
  await context.close().catch(() => undefined);
}
process.exit(code);
