-- End-to-end scenarios for the Neovim plugin, run by tests/editors/test_neovim.py:
--   nvim --headless --clean -n -c "luafile tests/editors/nvim/e2e.lua"
-- with CODER_CATALOG_E2E naming a JSON file: {scenario, plugin, results, file, url, ...}.
-- Real editor, real server (found on PATH by the plugin, or installed by :CoderCatalogInstall), real HTTP to the simulator. The only stand-in
-- is the user: vim.ui.select answers from a script, and pages "opened" are recorded instead of
-- starting a browser.
-- Writes {ok, steps, skipped, error, deprecations} to the results file and exits with cquit (0 ok,
-- 1 failed, 77 skipped).
--
-- Every scenario fails on a deprecation: a call of vim.deprecate (0.9+; soft deprecations too, which
-- Neovim itself only lists in :checkhealth vim.deprecated), "deprecated" in :messages, or in the LSP log.

local config = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv("CODER_CATALOG_E2E")), "\n"))
if config.plugin then
  vim.opt.runtimepath:prepend(config.plugin)
end
local uv = vim.uv or vim.loop

local steps = {}
local opened = {}
local selections = {}
local messages = {} -- what the server showed (window/showMessage), as the user would have seen it

local deprecations = {}
if vim.deprecate then
  local deprecate = vim.deprecate
  vim.deprecate = function(name, alternative, version, ...)
    table.insert(deprecations, {
      name = tostring(name),
      alternative = alternative and tostring(alternative) or nil,
      version = version and tostring(version) or nil,
      traceback = debug.traceback("", 2),
    })
    return deprecate(name, alternative, version, ...)
  end
end

--- The deprecations seen by the end of the scenario, from vim.deprecate, :messages and the LSP log.
local function deprecations_seen()
  local found = vim.deepcopy(deprecations)
  local history = vim.fn.execute("messages")
  for _, text in ipairs(vim.split(history, "\n", { plain = true })) do
    if text:lower():find("deprecat", 1, true) then
      table.insert(found, { name = ":messages", message = text })
    end
  end
  local log_file = require("vim.lsp.log").get_filename()
  if vim.fn.filereadable(log_file) == 1 then
    for _, text in ipairs(vim.fn.readfile(log_file)) do
      if text:lower():find("deprecat", 1, true) then
        table.insert(found, { name = "lsp.log", message = text:sub(1, 500) })
      end
    end
  end
  return found
end

local function finish(code, extra)
  local report = vim.tbl_extend("force", { ok = code == 0, steps = steps, opened = opened, selections = selections, messages = messages }, extra or {})
  local ok, seen = pcall(deprecations_seen)
  report.deprecations = ok and seen or { { name = "error while looking for deprecations", message = tostring(seen) } }
  if code == 0 and #report.deprecations > 0 then
    code = 1
    report.ok = false
    report.error = "deprecated calls: " .. vim.inspect(report.deprecations)
  end
  vim.fn.writefile({ vim.fn.json_encode(report) }, config.results)
  vim.cmd("cquit " .. code)
end

local function step(name, detail)
  table.insert(steps, { name = name, detail = detail })
end

local function check(condition, message, ...)
  if not condition then
    error(string.format(message, ...), 2)
  end
end

local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, handler_config)
  if result and result.message then
    table.insert(messages, { type = result.type, message = result.message })
  end
  return show_message(err, result, ctx, handler_config)
end

local function wait(ms, predicate, what)
  local ok = vim.wait(ms, predicate, 20)
  check(ok, "timed out after %d ms waiting for %s", ms, what)
end

--- Waits for the server to show a message matching the Lua pattern (after the first `since` messages);
--- an error it shows meanwhile ends the wait at once, with the server's words.
local function wait_for_message(ms, pattern, what, since)
  local first = (since or #messages) + 1
  local found, refused
  wait(ms, function()
    for i = first, #messages do
      local shown = messages[i]
      if shown.message:match(pattern) then
        found = shown
      elseif shown.type == vim.lsp.protocol.MessageType.Error then
        refused = shown.message
      end
    end
    return found ~= nil or refused ~= nil
  end, what)
  check(found ~= nil, "while waiting for %s the server said: %s", what, tostring(refused))
  return found
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    found[#found + 1] = tostring(d.code)
  end
  table.sort(found)
  return found
end

local function has_code(bufnr, code)
  return vim.tbl_contains(codes(bufnr), code)
end

local function diagnostic(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if tostring(d.code) == code then
      return d
    end
  end
end

local function line(bufnr, lnum) -- 1-based
  return vim.api.nvim_buf_get_lines(bufnr, lnum - 1, lnum, false)[1]
end

local function find_line(bufnr, pattern)
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if text:match(pattern) then
      return i
    end
  end
  error("no line matches " .. pattern)
end

--- vim.ui.select answered by `choose(items, formatted, opts)` (nil cancels), each call recorded.
local choosers = {}
vim.ui.select = function(items, opts, on_choice)
  local format = opts.format_item or tostring
  local formatted = {}
  for i, item in ipairs(items) do
    formatted[i] = format(item)
  end
  table.insert(selections, { prompt = opts.prompt, items = formatted, kind = opts.kind })
  local choose = table.remove(choosers, 1)
  local choice = choose and choose(items, formatted, opts) or nil
  local index
  for i, item in ipairs(items) do
    if item == choice then
      index = i
    end
  end
  on_choice(choice, index)
end

local function setup(extra)
  local cc = require("coder_catalog")
  local options = {
    settings = config.settings,
    open_url = function(url)
      table.insert(opened, url)
      return true
    end,
    on_attach = function(_, bufnr)
      vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
    end,
  }
  cc.setup(vim.tbl_extend("force", options, extra or {}))
  return cc
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function attached_client(cc, bufnr)
  local client
  wait(15000, function()
    client = cc.client_for(bufnr)
    -- initialized: the server's capabilities are known (0.7 has no `initialized` field)
    return client ~= nil and client.initialized ~= false and client.server_capabilities ~= nil
      and client.server_capabilities.textDocumentSync ~= nil
  end, "the coder-catalog client to attach")
  return client
end

--- :checkhealth coder_catalog against the simulator with a valid credential: every check OK (the
--- `wanted` patterns too), no WARNING and no ERROR.
local function checkhealth(wanted)
  vim.cmd("checkhealth coder_catalog")
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local report = table.concat(lines, "\n")
  local patterns = { "OK.*server: ", "OK.*version: coder%-catalog", "OK.*deployment: " .. vim.pesc(config.url), "OK.*the deployment answers", "OK.*credential: env:CODER_SESSION_TOKEN" }
  vim.list_extend(patterns, wanted or {})
  for _, pattern in ipairs(patterns) do
    check(report:find(pattern) ~= nil, "checkhealth lacks %q:\n%s", pattern, report)
  end
  for _, text in ipairs(lines) do
    check(not text:find("WARNING") and not text:find("ERROR"), "checkhealth warns: %s\n%s", text, report)
  end
  step("checkhealth", { report = report })
  vim.cmd("bwipeout")
end

-- -- scenario: diagnostics, completion, quick fix ------------------------------------------------------

local function code_action_quickfix(want_title)
  local only = { "quickfix" }
  table.insert(choosers, function(items, formatted)
    for i, text in ipairs(formatted) do
      if text:find(want_title, 1, true) then
        return items[i]
      end
    end
    error("no code action titled like " .. want_title .. ": " .. vim.inspect(formatted))
  end)
  if vim.fn.has("nvim-0.8") == 1 then
    vim.lsp.buf.code_action({ context = { only = only } })
  else
    vim.lsp.buf.code_action({ only = only })
  end
end

--- Insert-mode omni completion (<C-x><C-o>) at the end of line `lnum`; picks `wanted`; returns the words shown.
local function omni_complete(bufnr, lnum, wanted)
  vim.api.nvim_win_set_cursor(0, { lnum, 0 })
  local shown, tries = {}, 0
  local function poll()
    tries = tries + 1
    local items = vim.fn.complete_info({ "items" }).items
    if #items > 0 or tries > 250 then
      shown = vim.tbl_map(function(item)
        return item.word
      end, items)
      for i, word in ipairs(shown) do
        if word == wanted then
          vim.api.nvim_select_popupmenu_item(i - 1, true, true, {})
        end
      end
      vim.api.nvim_input("<Esc>")
    else
      vim.defer_fn(poll, 20)
    end
  end
  vim.defer_fn(poll, 20)
  -- "x!": run the keys now and stay in Insert mode until poll() sends <Esc>.
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("A<C-x><C-o>", true, false, true), "x!", false)
  return shown
end

local function scenario_edit()
  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  check(client.name == "coder_catalog", "client name %s", client.name)
  check(client.config.root_dir == config.root, "root_dir %s, wanted %s", tostring(client.config.root_dir), config.root)
  -- How the plugin started it: vim.lsp.enable on 0.11+ (the config's cmd is then the plugin's function).
  local enabled = vim.lsp.is_enabled == nil and "unknown" or vim.lsp.is_enabled("coder_catalog")
  step("attached", {
    root = client.config.root_dir,
    version = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch,
    enabled = enabled,
    cmd = type(client.config.cmd),
  })

  -- Diagnostics: a shape rule (CC105) at once, a template rule (CC201) once the templates came over HTTP.
  wait(30000, function()
    return has_code(bufnr, "CC105") and has_code(bufnr, "CC201")
  end, "diagnostics CC105 and CC201")
  local mode = diagnostic(bufnr, "CC105")
  local mode_line = find_line(bufnr, "^    mode: Auto")
  check(mode.lnum == mode_line - 1 and mode.col == 10, "CC105 at %d:%d", mode.lnum, mode.col)
  check(mode.severity == vim.diagnostic.severity.ERROR, "CC105 severity %s", tostring(mode.severity))
  check(mode.source == "coder-catalog", "source %s", tostring(mode.source))
  check(mode.message:find('"auto"', 1, true) ~= nil, "CC105 message: %s", mode.message)
  local template = diagnostic(bufnr, "CC201")
  check(template.message:find("docker", 1, true) ~= nil, "CC201 message: %s", template.message)
  step("diagnostics", { codes = codes(bufnr), CC105 = mode.message, CC201 = template.message })

  -- Quick fix through vim.lsp.buf.code_action: the user picks the fix for CC105.
  vim.api.nvim_win_set_cursor(0, { mode_line, 10 })
  code_action_quickfix("auto")
  wait(10000, function()
    return line(bufnr, mode_line) == "    mode: auto"
  end, "the quick fix to change the buffer")
  wait(10000, function()
    return not has_code(bufnr, "CC105")
  end, "CC105 to go away after the fix")
  step("quickfix", { line = line(bufnr, mode_line), codes = codes(bufnr) })

  -- Completion of a template name with <C-x><C-o> (vim.lsp.omnifunc) in Insert mode.
  local template_line = find_line(bufnr, "^    templateName:")
  vim.api.nvim_buf_set_lines(bufnr, template_line - 1, template_line, false, { "    templateName: " })
  local shown = omni_complete(bufnr, template_line, "docker")
  check(vim.tbl_contains(shown, "docker") and vim.tbl_contains(shown, "devcontainers"), "completion offered %s", vim.inspect(shown))
  check(line(bufnr, template_line) == "    templateName: docker", "after completion: %q", line(bufnr, template_line))
  -- The buffer went "templateName: " (CC103, not a string) -> "templateName: docker": clean again.
  wait(15000, function()
    return #codes(bufnr) == 0
  end, "the diagnostics to clear after completing docker")
  step("completion", { shown = shown, line = line(bufnr, template_line), codes = codes(bufnr) })

  -- One client per root: a second catalog file of the project shares it; another project gets its own;
  -- a YAML file that is not a catalog file gets none.
  local same = open(config.second_file)
  local same_client = attached_client(cc, same)
  check(same_client.id == client.id, "second file of the root got client %d, not %d", same_client.id, client.id)
  local other = open(config.other_root_file)
  local other_client = attached_client(cc, other)
  check(other_client.id ~= client.id, "a file of another root shares the client")
  check(other_client.config.root_dir == config.other_root, "other root_dir %s", tostring(other_client.config.root_dir))
  local plain = open(config.plain_yaml)
  vim.wait(300)
  check(cc.client_for(plain) == nil, "a plain YAML file got a client")
  step("clients", { clients = vim.tbl_count(cc.clients) })
end

-- -- scenario: workspaces ------------------------------------------------------------------------------

local function pick_named(name)
  return function(items)
    for _, item in ipairs(items) do
      if type(item) == "table" and item.name == name then
        return item
      end
    end
    error("no workspace " .. name .. " in the list")
  end
end

local function pick_value(value)
  return function(items)
    check(vim.tbl_contains(items, value), "%s not offered: %s", value, vim.inspect(items))
    return value
  end
end

local function cancel()
  return nil
end

local function scenario_workspaces()
  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  local commands = cc.server_commands(client)
  if not commands["coderCatalog.listWorkspaces"] then
    finish(77, { skipped = "the server does not offer coderCatalog.listWorkspaces yet" })
    return
  end
  vim.api.nvim_win_set_cursor(0, { find_line(bufnr, "^  coder:"), 0 })

  -- :CoderWorkspaces -> python-api (running) -> Open in Coder: the server asks for window/showDocument,
  -- which Neovim 0.7 lacks; the plugin's handler hands the page to the opener.
  table.insert(choosers, pick_named("python-api"))
  table.insert(choosers, pick_value("open"))
  vim.cmd("CoderWorkspaces")
  wait(20000, function()
    return #opened >= 1
  end, "the workspace page to open")
  local list = selections[1]
  check(list.kind == "coder_catalog.workspace", "first picker kind %s", tostring(list.kind))
  local listed = table.concat(list.items, "\n")
  check(listed:find("● python-api (running) @alice", 1, true) ~= nil, "workspaces listed: %s", listed)
  check(listed:find("○ python-api-eu (stopped) @alice", 1, true) ~= nil, "workspaces listed: %s", listed)
  check(list.prompt:find("component:default/python-project", 1, true) ~= nil, "prompt %s", list.prompt)
  check(vim.deep_equal(selections[2].items, { "Open in Coder", "Stop", "Delete" }), "actions %s", vim.inspect(selections[2].items))
  check(opened[1] == config.url .. "/@alice/python-api", "opened %s", opened[1])
  step("list and open", { items = list.items, prompt = list.prompt, opened = opened[1] })

  -- :CoderWorkspaces -> python-api-eu (stopped) -> Start; listed again until it runs.
  table.insert(choosers, pick_named("python-api-eu"))
  table.insert(choosers, pick_value("start"))
  local before, shown_before = #selections, #messages
  vim.cmd("CoderWorkspaces")
  wait(10000, function()
    return #selections >= before + 2
  end, "the start choice")
  check(vim.deep_equal(selections[before + 2].items, { "Start", "Open in Coder", "Delete" }), "actions %s", vim.inspect(selections[before + 2].items))
  -- The server answers the start command once the build is done and tells the user so
  -- (window/showMessage); wait for that, then list once more.
  wait_for_message(60000, "python%-api%-eu is running", "the message that python-api-eu is running", shown_before)
  local status
  table.insert(choosers, function(items)
    for _, item in ipairs(items) do
      if item.name == "python-api-eu" then
        status = item.status
      end
    end
    return nil
  end)
  vim.cmd("CoderWorkspaces")
  wait(10000, function()
    return status ~= nil
  end, "the workspaces listed again")
  check(status == "running", "python-api-eu is %s after the start", tostring(status))
  step("start", { status = status })

  -- Code lenses: "N workspaces (M running)" once the listing is in the server's memory.
  local titles, last = {}, 0
  wait(20000, function()
    if uv.now() - last > 300 then
      last = uv.now()
      vim.lsp.codelens.refresh()
    end
    titles = {}
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      if lens.command then
        table.insert(titles, lens.command.title)
      end
    end
    return table.concat(titles, "|"):find("3 workspaces (3 running)", 1, true) ~= nil
  end, "the workspace code lens")
  step("code lenses", { titles = titles })

  -- :CoderOpen NAME and :CoderCreate (manual mode: Coder's pre-filled create page).
  vim.cmd("CoderOpen python-api-eu")
  wait(10000, function()
    return #opened >= 2
  end, ":CoderOpen to open a page")
  check(opened[2] == config.url .. "/@alice/python-api-eu", "opened %s", opened[2])
  vim.cmd("CoderCreate")
  wait(10000, function()
    return #opened >= 3
  end, ":CoderCreate to open the create page")
  check(opened[3]:find(config.url .. "/templates/", 1, true) == 1, "create page %s", opened[3])
  check(opened[3]:find("mode=manual", 1, true) ~= nil, "create page %s", opened[3])
  step("open and create", { opened = { opened[2], opened[3] } })

  -- :CoderOpenVSCode NAME: the `coder ssh` command and Coder's VS Code link are shown (and the link opened
  -- where the editor can); :CoderApps NAME -> code-server opens its page.
  local notes = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(notes, tostring(message))
    if level and level >= vim.log.levels.WARN then
      return notify(message, level)
    end
  end
  vim.cmd("CoderOpenVSCode python-api")
  wait(10000, function()
    for _, note in ipairs(notes) do
      if note:find("coder ssh alice/python-api", 1, true) then
        return true
      end
    end
    return false
  end, ":CoderOpenVSCode to show the coder ssh command")
  local link = notes[#notes]:match("(vscode://%S+)")
  check(link ~= nil and link:find("workspace=python-api", 1, true) ~= nil, "VS Code link in %s", vim.inspect(notes))
  vim.notify = notify
  table.insert(choosers, function(items)
    for _, item in ipairs(items) do
      if type(item) == "table" and item.slug == "code-server" then
        return item
      end
    end
    error("no code-server app in " .. vim.inspect(items))
  end)
  local app_page = config.url .. "/@alice/python-api.main/apps/code-server/"
  vim.cmd("CoderApps python-api")
  wait(10000, function()
    return vim.tbl_contains(opened, app_page)
  end, ":CoderApps to open code-server")
  step("vscode and apps", { link = link, app = app_page })

  checkhealth({ "OK.*signed in as alice on " .. vim.pesc(config.url) })
end

-- -- scenario: update and delete -----------------------------------------------------------------------

--- vim.ui.input answered by `answer(opts)` (nil cancels), each call recorded.
local inputs, answers = {}, {}
vim.ui.input = function(opts, on_confirm)
  table.insert(inputs, { prompt = opts.prompt })
  local answer = table.remove(answers, 1)
  on_confirm(answer and answer(opts) or nil)
end

--- Answers a server question (window/showMessageRequest through vim.ui.select) with the action titled `title`.
local function pick_action(title, prompt_pattern)
  return function(items, formatted, opts)
    check(opts.kind == "coder_catalog.question", "a server question expected, got %s: %s", tostring(opts.kind), tostring(opts.prompt))
    check(opts.prompt:match(prompt_pattern) ~= nil, "question %q does not match %q", opts.prompt, prompt_pattern)
    for i, item in ipairs(items) do
      if formatted[i] == title then
        return item
      end
    end
    error(title .. " not offered: " .. vim.inspect(formatted))
  end
end

--- A parameter the plugin asks itself (an update's `missing` entry with options): `title` among them.
local function pick_parameter(title, prompt_pattern)
  return function(items, formatted, opts)
    check(opts.kind == "coder_catalog.parameter", "a parameter question expected, got %s: %s", tostring(opts.kind), tostring(opts.prompt))
    check(opts.prompt:match(prompt_pattern) ~= nil, "question %q does not match %q", opts.prompt, prompt_pattern)
    for i, item in ipairs(items) do
      if formatted[i] == title then
        return item
      end
    end
    error(title .. " not offered: " .. vim.inspect(formatted))
  end
end

--- The docker template's active version adds a required `zone` (options) and a required `team` (none):
--- the plugin asks for clientAsks, so the server answers both in `missing` (no question, no error shown)
--- and the plugin asks them (vim.ui.select for zone, vim.ui.input for team), then runs the update again.
local function scenario_lifecycle()
  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  if not cc.server_commands(client)["coderCatalog.updateWorkspace"] then
    finish(77, { skipped = "the server does not offer coderCatalog.updateWorkspace yet" })
    return
  end
  vim.api.nvim_win_set_cursor(0, { find_line(bufnr, "^  coder:"), 0 })

  -- :CoderWorkspaces -> old-docker (outdated) -> Update.
  local before, shown_before = #selections, #messages
  table.insert(choosers, pick_named("old-docker"))
  table.insert(choosers, pick_value("update"))
  table.insert(choosers, pick_parameter("South", "^Updating old%-docker: Zone %(zone%)"))
  table.insert(answers, function()
    return "platform"
  end)
  vim.cmd("CoderWorkspaces")
  wait_for_message(60000, "old%-docker is updated and running", "the message that old-docker is updated", shown_before)
  for i = shown_before + 1, #messages do
    local text = type(messages[i]) == "table" and (messages[i].message or messages[i][1]) or messages[i]
    check(not tostring(text):find("new required parameter", 1, true), "an error was shown before asking: %s", tostring(text))
  end
  local listed = table.concat(selections[before + 1].items, "\n")
  check(listed:find("old-docker (stopped, outdated) @alice", 1, true) ~= nil, "workspaces listed: %s", listed)
  local actions = selections[before + 2].items
  check(vim.deep_equal(actions, { "Start", "Open in Coder", "Update to the template's active version", "Delete" }), "actions %s", vim.inspect(actions))
  check(#inputs == 1 and inputs[1].prompt:find("Updating old-docker: team", 1, true) == 1, "inputs %s", vim.inspect(inputs))
  step("update", { actions = actions, inputs = inputs, questions = #selections - before - 2 })

  -- :CoderWorkspaces -> python-api-eu -> Delete: the server asks, naming it; once deleted it says so.
  before, shown_before = #selections, #messages
  table.insert(choosers, pick_named("python-api-eu"))
  table.insert(choosers, pick_value("delete"))
  table.insert(choosers, pick_action("Delete python-api-eu", "^Delete workspace alice/python%-api%-eu %(stopped%)%?"))
  vim.cmd("CoderWorkspaces")
  wait_for_message(60000, "python%-api%-eu is deleted", "the message that python-api-eu is deleted", shown_before)
  local gone
  table.insert(choosers, function(items)
    gone = true
    for _, item in ipairs(items) do
      if item.name == "python-api-eu" and item.status ~= "deleted" then
        gone = false
      end
    end
    return nil
  end)
  vim.cmd("CoderWorkspaces")
  wait(10000, function()
    return gone ~= nil
  end, "the workspaces listed again")
  check(gone, "python-api-eu is still listed after the delete")
  step("delete", { question = selections[before + 3].prompt })
end

-- -- scenario: linking an account ------------------------------------------------------------------------

local function account_status(cc, client)
  local response = cc.call(client, "request_sync", "workspace/executeCommand", { command = "coderCatalog.accountStatus", arguments = {} }, 10000, 0)
  check(response and response.result, "accountStatus: %s", vim.inspect(response))
  return response.result
end

local function scenario_accounts()
  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  if not cc.server_commands(client)["coderCatalog.linkAccount"] then
    finish(77, { skipped = "the server does not offer coderCatalog.linkAccount yet" })
    return
  end
  -- No credential yet: no template checks, nobody signed in.
  local before = account_status(cc, client)
  check(before.signedIn == false, "signed in before linking: %s", vim.inspect(before))
  wait(15000, function()
    return has_code(bufnr, "CC105")
  end, "the shape diagnostics")
  check(not has_code(bufnr, "CC201"), "template checks ran without a credential: %s", vim.inspect(codes(bufnr)))
  step("not linked", { status = before, codes = codes(bufnr) })

  -- :CoderLink reads the token with inputsecret (typed here); no keyring on this box, so the plugin asks
  -- before the server keeps it in a 0600 file.
  table.insert(choosers, pick_value("Store in a file"))
  vim.api.nvim_feedkeys(config.token .. "\r", "t", false)
  vim.cmd("CoderLink")
  local status
  wait(20000, function()
    status = account_status(cc, client)
    return status.signedIn == true
  end, "the account to be linked")
  check(status.user == "alice", "linked user %s", tostring(status.user))
  check(selections[1] and selections[1].kind == "coder_catalog.consent", "consent asked: %s", vim.inspect(selections))
  check(vim.fn.filereadable(config.credentials_file) == 1, "no credentials file at %s", config.credentials_file)
  -- The template checks start again with the linked account.
  wait(20000, function()
    return has_code(bufnr, "CC201")
  end, "template checks with the linked account")
  step("linked", { status = status, codes = codes(bufnr) })

  vim.cmd("CoderUnlink")
  wait(20000, function()
    status = account_status(cc, client)
    return status.signedIn == false
  end, "the account to be unlinked")
  step("unlinked", { status = status })
end

-- -- scenario: template usage and moving a template ------------------------------------------------------

--- The server's templateUsage answer once it has read the workspace and the deployment's templates
--- (legacy-vm known as deprecated).
local function settled_usage(cc, client)
  local usage
  wait(30000, function()
    local response = cc.call(client, "request_sync", "workspace/executeCommand", { command = "coderCatalog.templateUsage", arguments = {} }, 10000, 0)
    usage = response and response.result
    if type(usage) ~= "table" or usage.indexing ~= false then
      return false
    end
    for _, template in ipairs(usage.templates or {}) do
      if template.name == "legacy-vm" and template.status == "deprecated" then
        return true
      end
    end
    return false
  end, "the template usage with legacy-vm known as deprecated")
  return usage
end

--- :CoderTemplateUsage fills the quickfix list (one entry per use, at its templateName, flags in the
--- text) and opens it; :CoderMoveTemplate legacy-vm docker has the server send a workspace/applyEdit,
--- which Neovim's own handler applies to both files' buffers (one not open before), unsaved.
local function scenario_templates()
  local notes = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(notes, { message = tostring(message), level = level or vim.log.levels.INFO })
    if level and level >= vim.log.levels.ERROR then
      return notify(message, level)
    end
  end
  local function wait_note(ms, pattern, what, since)
    local found
    wait(ms, function()
      for i = (since or 0) + 1, #notes do
        if notes[i].message:find(pattern) then
          found = notes[i]
          return true
        end
        check(notes[i].level ~= vim.log.levels.ERROR, "while waiting for %s: %s", what, notes[i].message)
      end
      return false
    end, what)
    return found
  end
  -- The user answers "Yes" when Neovim asks to apply an edit whose change annotations need confirmation.
  local confirmations = {}
  vim.fn.confirm = function(message)
    table.insert(confirmations, tostring(message))
    return 1
  end

  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  if not cc.server_commands(client)["coderCatalog.templateUsage"] then
    finish(77, { skipped = "the server does not offer coderCatalog.templateUsage yet" })
    return
  end
  local usage = settled_usage(cc, client)
  step("usage", { templates = usage.templates, notes = usage.notes })

  local since = #notes
  vim.cmd("CoderTemplateUsage")
  local summary = wait_note(20000, "in the quickfix list", "the quickfix list of template uses", since)
  local list = vim.fn.getqflist({ title = 0, items = 0, winid = 0 })
  check(list.winid ~= 0, "the quickfix window is not open")
  check(list.title:find("Coder template usage", 1, true) == 1, "quickfix title %q", list.title)
  local entries = {}
  for _, item in ipairs(list.items) do
    local name = vim.api.nvim_buf_get_name(item.bufnr)
    local text_line = vim.fn.readfile(name)[item.lnum] or ""
    table.insert(entries, { file = name, lnum = item.lnum, col = item.col, text = item.text, at = text_line:sub(item.col) })
  end
  local function entry(text)
    for _, e in ipairs(entries) do
      if e.text == text then
        return e
      end
    end
    error("no quickfix entry " .. text .. " in " .. vim.inspect(entries))
  end
  local one = entry("legacy-vm (deprecated): component:default/vm-one")
  check(one.file == config.file and one.at == "legacy-vm", "vm-one entry %s", vim.inspect(one))
  check(entry("legacy-vm (deprecated): component:default/vm-two").at == "legacy-vm", "vm-two entry")
  check(entry("docker: component:default/web").at == "docker", "web entry")
  check(entry("dokker (unknown): component:default/typo").at == "dokker", "typo entry")
  entry("docker: component:default/plain (from the app default)")
  check(#entries == 5, "quickfix entries %s", vim.inspect(entries))
  step("quickfix", { entries = entries, summary = summary.message })

  vim.cmd("cclose")
  open(config.file)
  check(vim.fn.bufloaded(config.second_file) == 0, "the second file is loaded before the move")
  since = #notes
  vim.cmd("CoderMoveTemplate legacy-vm docker")
  local moved = wait_note(30000, "moved 2 entities from legacy%-vm to docker", "the message that the move is done", since)
  local first = line(bufnr, find_line(bufnr, "^    templateName:"))
  check(first == "    templateName: docker", "vm-one after the move: %q", first)
  local second = vim.fn.bufnr(config.second_file)
  check(second ~= -1 and vim.api.nvim_buf_is_loaded(second), "the second file's buffer was not loaded by the edit")
  local second_line = line(second, find_line(second, "^    templateName:"))
  check(second_line == "    templateName: docker", "vm-two after the move: %q", second_line)
  check(vim.bo[second].modified, "the second file's buffer is not modified")
  local on_disk = table.concat(vim.fn.readfile(config.second_file), "\n")
  check(on_disk:find("templateName: legacy-vm", 1, true) ~= nil, "the move wrote the file")
  step("move", { message = moved.message, confirmations = confirmations, first = first, second = second_line })

  -- The server sees the edited buffers: legacy-vm is no longer used.
  wait(20000, function()
    local response = cc.call(client, "request_sync", "workspace/executeCommand", { command = "coderCatalog.templateUsage", arguments = {} }, 10000, 0)
    local result = response and response.result or {}
    for _, template in ipairs(result.templates or {}) do
      if template.name == "legacy-vm" and #(template.uses or {}) > 0 then
        return false
      end
    end
    return true
  end, "legacy-vm to be unused after the move")

  -- docker -> devcontainers: web and the two edited buffers move; plain, which takes docker from the
  -- app default, is not changed and goes to the quickfix list with the reason.
  since = #notes
  vim.cmd("CoderMoveTemplate docker devcontainers")
  local partly = wait_note(30000, "moved 3 entities from docker to devcontainers", "the message of the second move", since)
  check(partly.level == vim.log.levels.WARN, "second move reported at level %s", tostring(partly.level))
  check(partly.message:find("component:default/plain", 1, true) ~= nil, "second move: %s", partly.message)
  local left = vim.fn.getqflist({ title = 0, items = 0 })
  check(left.title == "Coder: not moved from docker to devcontainers", "quickfix title %q", left.title)
  check(#left.items == 1 and vim.api.nvim_buf_get_name(left.items[1].bufnr) == config.plain_file, "not moved: %s", vim.inspect(left.items))
  check(line(bufnr, find_line(bufnr, "^    templateName:")) == "    templateName: devcontainers", "vm-one after the second move")
  step("partial move", { message = partly.message, not_moved = left.items[1].text })
  vim.notify = notify
end

-- -- scenario: vim.lsp.config + vim.lsp.enable (0.11+) without setup() -----------------------------------

local function enabled_client(bufnr)
  local client
  wait(15000, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = "coder_catalog" })[1]
    return client ~= nil and client.initialized == true
  end, "vim.lsp.enable to start coder_catalog")
  return client
end

--- The Lua of docs/editors.md (config.recipe: a copy with the simulator's URL), run as a user's init.lua
--- would: without the plugin on the runtimepath ("recipe"), or with it and its lsp/coder_catalog.lua
--- ("lsp_file").
local function scenario_recipe()
  check(vim.lsp.config ~= nil and vim.lsp.enable ~= nil, "Neovim %s has no vim.lsp.config", tostring(vim.version()))
  dofile(config.recipe)
  local bufnr = open(config.file)
  local client = enabled_client(bufnr)
  check(client.config.root_dir == config.root, "root_dir %s, wanted %s", tostring(client.config.root_dir), config.root)
  step("attached", { root = client.config.root_dir, cmd = type(client.config.cmd) == "table" and client.config.cmd or tostring(client.config.cmd) })

  -- Diagnostics from the server: shape (CC105) and template (CC201: the templates came from the simulator).
  wait(30000, function()
    return has_code(bufnr, "CC105") and has_code(bufnr, "CC201")
  end, "diagnostics CC105 and CC201")
  check(diagnostic(bufnr, "CC201").message:find("docker", 1, true) ~= nil, "CC201 message: %s", diagnostic(bufnr, "CC201").message)
  step("diagnostics", { codes = codes(bufnr) })

  -- Another project gets its own client.
  local other = open(config.other_root_file)
  local other_client = enabled_client(other)
  check(other_client.id ~= client.id, "a file of another root shares the client")
  check(other_client.config.root_dir == config.other_root, "other root_dir %s", tostring(other_client.config.root_dir))

  if config.with_plugin then
    -- lsp/coder_catalog.lua starts only for catalog files; :checkhealth reads vim.lsp.config's settings.
    local plain = open(config.plain_yaml)
    vim.wait(500)
    check(#vim.lsp.get_clients({ bufnr = plain, name = "coder_catalog" }) == 0, "a plain YAML file got a client")
    open(config.file)
    checkhealth({ "OK.*signed in as alice on " .. vim.pesc(config.url) })
  end
  step("clients", { clients = #vim.lsp.get_clients({ name = "coder_catalog" }) })
end

-- -- scenario: :CoderCatalogInstall -------------------------------------------------------------------

--- No server anywhere (PATH without it, no .venv): the plugin says so; :CoderCatalogInstall with a Python
--- older than 3.11 says that; then it installs the wheel (config.wheel) into stdpath("data"), and the
--- buffer gets a client of that server, with diagnostics, and :checkhealth names it.
local function scenario_install()
  local notes = {}
  vim.notify = function(message, level)
    table.insert(notes, { message = tostring(message), level = level or vim.log.levels.INFO })
  end
  local function wait_note(ms, pattern, what, since)
    local found
    wait(ms, function()
      for i = (since or 0) + 1, #notes do
        if notes[i].message:find(pattern) then
          found = notes[i]
          return true
        end
        check(notes[i].level ~= vim.log.levels.ERROR, "while waiting for %s: %s", what, notes[i].message)
      end
      return false
    end, what)
    return found
  end
  local cc = setup({ python = config.old_python ~= vim.NIL and config.old_python or nil })
  local util = require("coder_catalog.util")
  local bufnr = open(config.file)
  vim.wait(500)
  check(cc.client_for(bufnr) == nil, "a client started without a server")
  local missing = wait_note(5000, "not found", "the message that the server is missing")
  check(missing.message:find(":CoderCatalogInstall", 1, true) ~= nil, "missing: %s", missing.message)
  check(util.find_server(cc.options, config.root) == nil, "a server was found: %s", vim.inspect(util.find_server(cc.options, config.root)))
  step("missing", { message = missing.message })

  local command = "CoderCatalogInstall " .. vim.fn.fnameescape(config.wheel)
  if config.old_python then
    local since = #notes
    vim.cmd(command)
    local refused
    wait(30000, function()
      for i = since + 1, #notes do
        if notes[i].level == vim.log.levels.ERROR then
          refused = notes[i].message
        end
      end
      return refused ~= nil
    end, "the install to refuse an old Python")
    check(refused:find("3.10.12", 1, true) and refused:find("3.11 or later", 1, true), "old Python: %s", refused)
    step("old python", { message = refused })
  end

  cc.options.python = config.python ~= vim.NIL and config.python or nil -- nil: the first 3.11+ on PATH
  local since = #notes
  vim.cmd(command)
  local installed = wait_note(240000, "installed coder%-catalog", "the installation to finish", since)
  local found = util.find_server(cc.options, config.root)
  check(found ~= nil and found.source == "install", "server after install: %s", vim.inspect(found))
  check(vim.startswith(found.path, vim.fn.stdpath("data")), "installed server %s", found.path)
  step("installed", { message = installed.message, server = found.path, notes = notes })

  -- The buffer opened before gets a client of the installed server, without being opened again.
  local client = attached_client(cc, bufnr)
  if type(client.config.cmd) == "table" then
    check(client.config.cmd[1] == found.path, "client cmd %s", vim.inspect(client.config.cmd))
  end
  wait(30000, function()
    return has_code(bufnr, "CC105") and has_code(bufnr, "CC201")
  end, "diagnostics CC105 and CC201 from the installed server")
  step("diagnostics", { codes = codes(bufnr) })
  checkhealth({
    "OK.*server: " .. vim.pesc(found.path) .. " serve %(from :CoderCatalogInstall%)",
    "OK.*version: coder%-catalog " .. vim.pesc(config.version),
  })

  -- Again (an update): the same environment, and the running client is replaced by a new one.
  local cfg = util.join(util.install_dir(), "pyvenv.cfg")
  local made = uv.fs_stat(cfg).mtime
  since = #notes
  vim.cmd(command)
  wait_note(240000, "installed coder%-catalog", "the second installation to finish", since)
  local restarted
  wait(30000, function()
    restarted = cc.client_for(bufnr)
    return restarted ~= nil and restarted.id ~= client.id and restarted.server_capabilities ~= nil
  end, "a new client after the second installation")
  check(vim.deep_equal(uv.fs_stat(cfg).mtime, made), "the virtual environment was made again")
  wait(30000, function()
    return has_code(bufnr, "CC105") and has_code(bufnr, "CC201")
  end, "diagnostics from the restarted server")
  step("reinstalled", { client = restarted.id, before = client.id, codes = codes(bufnr) })
end

-- -- scenario: the catalog as a graph (definition, references, rename across files) ---------------------

--- The server's index of the project once it is done (config.files catalog files, the Location's target
--- among them); the coderCatalog.serverStats answer's catalogIndex.
local function indexed(cc, client, bufnr)
  local stats
  wait(30000, function()
    local response = cc.call(client, "request_sync", "workspace/executeCommand", { command = "coderCatalog.serverStats", arguments = {} }, 10000, bufnr)
    stats = response and response.result and response.result.catalogIndex
    return type(stats) == "table" and stats.ready == true and stats.files == config.files
  end, "the catalog index of the project")
  return stats
end

local function same_file(a, b)
  return vim.fn.resolve(vim.fn.fnamemodify(a, ":p")) == vim.fn.resolve(vim.fn.fnamemodify(b, ":p"))
end

local function relative(path)
  local full = vim.fn.resolve(vim.fn.fnamemodify(path, ":p"))
  local root = vim.fn.resolve(vim.fn.fnamemodify(config.root, ":p"))
  root = root:sub(-1) == "/" and root or root .. "/"
  return vim.startswith(full, root) and full:sub(#root + 1) or full
end

--- The loaded buffer of a file (nil when it is not loaded).
local function loaded(path)
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and same_file(vim.api.nvim_buf_get_name(bufnr), path) then
      return bufnr
    end
  end
  return nil
end

--- `owner: team-a` names the Group of org/team-a.yaml, a file found only through org/catalog-info.yaml's
--- Location: vim.lsp.buf.definition() opens it on the name; vim.lsp.buf.references() there fills the
--- quickfix list with both owners and the declaration (0.7 and 0.12 both send includeDeclaration = true
--- by default); vim.lsp.buf.rename("team-b") on the owner changes the three files' buffers (api's, not
--- open before, loaded by the edit), each reference in its own form, nothing written to disk.
local function scenario_graph()
  local cc = setup()
  local bufnr = open(config.file)
  local client = attached_client(cc, bufnr)
  local caps = client.server_capabilities
  check(caps.definitionProvider and caps.referencesProvider and caps.renameProvider, "server capabilities %s", vim.inspect(caps))
  local stats = indexed(cc, client, bufnr)
  step("indexed", { stats = stats })

  -- Go to definition from the owner's value.
  local owner_line = find_line(bufnr, "^  owner: team%-a$")
  vim.api.nvim_win_set_cursor(0, { owner_line, 9 })
  vim.lsp.buf.definition()
  wait(15000, function()
    return same_file(vim.api.nvim_buf_get_name(0), config.team_file)
  end, "go to definition to open org/team-a.yaml")
  local team = vim.api.nvim_get_current_buf()
  local name_line = find_line(team, "^  name: team%-a$")
  local cursor = vim.api.nvim_win_get_cursor(0)
  check(cursor[1] == name_line and cursor[2] == 8, "definition at %d:%d, wanted %d:8", cursor[1], cursor[2], name_line)
  step("definition", { file = relative(vim.api.nvim_buf_get_name(0)), line = cursor[1], col = cursor[2], text = line(team, cursor[1]) })

  -- Find references from the declaration: the file opened by the jump gets the project's client too.
  local team_client = attached_client(cc, team)
  check(team_client.id == client.id, "org/team-a.yaml got client %d, not %d", team_client.id, client.id)
  vim.fn.setqflist({}, "r", { title = "before", items = {} })
  vim.lsp.buf.references()
  local list
  wait(15000, function()
    list = vim.fn.getqflist({ title = 0, items = 0, winid = 0 })
    return list.title == "References" and #list.items > 0
  end, "the references in the quickfix list")
  check(list.winid ~= 0, "the quickfix window is not open")
  local entries = {}
  for _, item in ipairs(list.items) do
    local name = vim.api.nvim_buf_get_name(item.bufnr)
    local text = vim.fn.readfile(name)[item.lnum] or ""
    table.insert(entries, { file = relative(name), lnum = item.lnum, col = item.col, at = text:sub(item.col) })
  end
  table.sort(entries, function(a, b)
    return a.file < b.file
  end)
  step("references", { title = list.title, entries = entries })
  vim.cmd("cclose")
  check(vim.api.nvim_get_current_buf() == team, "after :cclose the window shows %s", vim.api.nvim_buf_get_name(0))

  -- Rename from the owner in catalog-info.yaml; no prompt (the new name is given).
  check(loaded(config.api_file) == nil, "api/catalog-info.yaml is loaded before the rename")
  open(config.file)
  vim.api.nvim_win_set_cursor(0, { owner_line, 9 })
  vim.lsp.buf.rename("team-b")
  local renamed = {}
  wait(15000, function()
    local api = loaded(config.api_file)
    if not api then
      return false
    end
    renamed = {
      ["catalog-info.yaml"] = line(bufnr, owner_line),
      ["api/catalog-info.yaml"] = line(api, find_line(api, "^  owner:")),
      ["org/team-a.yaml"] = line(team, name_line),
    }
    return renamed["catalog-info.yaml"] == "  owner: team-b" and renamed["org/team-a.yaml"] == "  name: team-b"
      and renamed["api/catalog-info.yaml"] == "  owner: group:default/team-b"
  end, "the rename to change the three buffers")
  local api = loaded(config.api_file)
  local modified = {}
  for _, b in ipairs({ bufnr, api, team }) do
    modified[relative(vim.api.nvim_buf_get_name(b))] = vim.bo[b].modified
  end
  local location = loaded(config.location_file)
  check(location == nil or not vim.bo[location].modified, "the Location's file was changed")
  check(line(bufnr, find_line(bufnr, "^  dependsOn:")) == "  dependsOn: [component:api]", "dependsOn changed")
  local on_disk = {}
  for _, path in ipairs({ config.file, config.api_file, config.team_file }) do
    on_disk[relative(path)] = table.concat(vim.fn.readfile(path), "\n"):find("team-b", 1, true) ~= nil
  end
  step("rename", { lines = renamed, modified = modified, written = on_disk })
end

local scenarios = { edit = scenario_edit, workspaces = scenario_workspaces, lifecycle = scenario_lifecycle, accounts = scenario_accounts, templates = scenario_templates, recipe = scenario_recipe, install = scenario_install, graph = scenario_graph }

local ok, err = xpcall(scenarios[config.scenario], debug.traceback)
if ok then
  finish(0)
else
  finish(1, { error = tostring(err) })
end
