-- coder-catalog for Neovim: starts the `coder-catalog serve` language server for Backstage catalog
-- files (one client per project root) and gives its account and workspace commands user commands.
--
--   require("coder_catalog").setup({
--     settings = { deployment = { accessUrl = "https://coder.example.com" } },
--   })
--
-- Neovim 0.11+: vim.lsp.config + vim.lsp.enable (the same config as the plugin's lsp/coder_catalog.lua,
-- so `vim.lsp.enable("coder_catalog")` works without setup()); 0.8 to 0.10: vim.lsp.start from a
-- FileType autocommand; 0.7: vim.lsp.start_client + buf_attach_client.

local util = require("coder_catalog.util")

local M = {}

M.NAME = "coder_catalog"
M.SECTION = "coderCatalog"
-- The coder-catalog release this plugin goes with (tests/project/test_release.py checks they agree).
M.VERSION = "0.1.0"
M.COMMANDS = {
  link = "coderCatalog.linkAccount",
  oauth = "coderCatalog.signInWithOAuth",
  unlink = "coderCatalog.unlinkAccount",
  status = "coderCatalog.accountStatus",
  list = "coderCatalog.listWorkspaces",
  open = "coderCatalog.openWorkspace",
  create = "coderCatalog.createWorkspace",
  start = "coderCatalog.startWorkspace",
  stop = "coderCatalog.stopWorkspace",
  update = "coderCatalog.updateWorkspace",
  delete = "coderCatalog.deleteWorkspace",
  open_vscode = "coderCatalog.openWorkspaceInVSCode",
  apps = "coderCatalog.workspaceApps",
  usage = "coderCatalog.templateUsage",
  move = "coderCatalog.moveTemplate",
}

local defaults = {
  -- The server command; default: `coder-catalog serve` from PATH, $VIRTUAL_ENV or <root>/.venv, else
  -- the one :CoderCatalogInstall installed (stdpath("data")/coder-catalog/venv).
  cmd = nil,
  -- The Python (3.11+) :CoderCatalogInstall makes its virtual environment with; default: the first
  -- python3, python, python3.N on PATH that is 3.11 or later.
  python = nil,
  -- Extra arguments after `serve` for the found executable, e.g. { "--log-level", "debug" }.
  args = {},
  -- Extra environment for the server (e.g. CODER_CONFIG_DIR).
  cmd_env = nil,
  -- The `coderCatalog` settings: the keys of .coder-catalog.yaml (deployment, workspaces, templates,
  -- catalogGlobs, rules, tls). They override the project file.
  settings = {},
  -- Also start for YAML buffers that look like entities (apiVersion: and kind: lines), as the server does.
  detect_entities = true,
  root_markers = util.ROOT_MARKERS,
  capabilities = nil,
  on_attach = nil,
  handlers = nil,
  -- How to open a URL (a workspace page, the OAuth page); default: the system opener.
  open_url = nil,
  -- Define :CoderLink, :CoderOAuth, :CoderUnlink, :CoderWorkspaces, :CoderCreate, :CoderOpen,
  -- :CoderOpenVSCode, :CoderApps, :CoderTemplateUsage, :CoderMoveTemplate and :CoderCatalogInstall.
  user_commands = true,
  -- Show the server's code lenses ("N workspaces (M running)", "Create workspace", "Open in Coder");
  -- run the one under the cursor with vim.lsp.codelens.run().
  codelens = true,
  autostart = true,
  -- Text markers of workspace statuses in the pickers.
  icons = {
    running = "●",
    stopped = "○",
    failed = "✗",
    canceled = "⊘",
    building = "◐",
    unknown = "·",
  },
}

M.options = vim.deepcopy(defaults)
M.clients = {} -- root folder -> client id
M.configured = false -- setup() was called (else only lsp/coder_catalog.lua and vim.lsp.config apply)
local warned = {}

-- Client methods are called with `:` from Neovim 0.11 on, with `.` before.
local method_call = vim.fn.has("nvim-0.11") == 1
-- vim.lsp.config and vim.lsp.enable (Neovim 0.11+).
M.has_lsp_config = vim.fn.has("nvim-0.11") == 1 and vim.lsp.config ~= nil and vim.lsp.enable ~= nil

local function call(client, method, ...)
  if method_call then
    return client[method](client, ...)
  end
  return client[method](...)
end
M.call = call

local function notify(message, level)
  vim.notify("coder-catalog: " .. message, level or vim.log.levels.INFO)
end

local function warn_once(key, message)
  if not warned[key] then
    warned[key] = true
    notify(message, vim.log.levels.WARN)
  end
end

--- The `coderCatalog` section from the options (`settings` may be the section or hold it).
function M.section()
  local settings = M.options.settings or {}
  if type(settings[M.SECTION]) == "table" then
    return settings[M.SECTION]
  end
  return settings
end

function M.open_url(url)
  if M.options.open_url then
    return M.options.open_url(url)
  end
  return util.system_open(url)
end

-- -- handlers ------------------------------------------------------------------------------------------

--- window/showDocument, which Neovim 0.7 and 0.8 do not handle: external pages go to the system opener.
local function show_document(_, result, ctx)
  if type(result) ~= "table" or type(result.uri) ~= "string" then
    return { success = false }
  end
  local uri = result.uri
  if result.external or not vim.startswith(uri, "file:") then
    local ok = M.open_url(uri)
    return { success = ok ~= false }
  end
  local location = { uri = uri, range = result.selection or { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } } }
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local encoding = client and client.offset_encoding or "utf-16"
  local ok
  if vim.lsp.util.show_document then
    ok = pcall(vim.lsp.util.show_document, location, encoding, { focus = result.takeFocus ~= false })
  else
    ok = pcall(vim.lsp.util.jump_to_location, location, encoding)
  end
  return { success = ok }
end

--- window/showMessageRequest (which preset, delete confirmation, an option of a new parameter) through
--- vim.ui.select. Where the handler runs in a coroutine (0.11+) any vim.ui.select works; before, the
--- answer must come synchronously (the default vim.ui.select's inputlist does).
local function show_message_request(err, params, ctx, handler_config)
  if type(params) ~= "table" or type(params.actions) ~= "table" or #params.actions == 0 then
    return vim.lsp.handlers["window/showMessageRequest"](err, params, ctx, handler_config)
  end
  local opts = {
    prompt = tostring(params.message),
    format_item = function(action)
      return (tostring(action.title):gsub("\r?\n", " "))
    end,
    kind = "coder_catalog.question",
  }
  local co, is_main = coroutine.running()
  if co and not is_main then
    vim.ui.select(params.actions, opts, function(choice)
      vim.schedule(function()
        coroutine.resume(co, choice or vim.NIL)
      end)
    end)
    return coroutine.yield()
  end
  local answered, answer = false, nil
  vim.ui.select(params.actions, opts, function(choice)
    answered, answer = true, choice
  end)
  if not answered then
    notify("this Neovim cannot wait for an asynchronous vim.ui.select: the question was dismissed", vim.log.levels.WARN)
  end
  return answer or vim.NIL
end

local function handlers()
  return vim.tbl_extend(
    "force",
    { ["window/showDocument"] = show_document, ["window/showMessageRequest"] = show_message_request },
    M.options.handlers or {}
  )
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  if M.options.capabilities then
    caps = vim.tbl_deep_extend("force", caps, M.options.capabilities)
  end
  caps.window = caps.window or {}
  caps.window.showDocument = { support = true }
  return caps
end

-- -- starting the server ------------------------------------------------------------------------------

local function live_client(id)
  local client = id and vim.lsp.get_client_by_id(id)
  if client and not call(client, "is_stopped") then
    return client
  end
  return nil
end

local function on_attach(client, bufnr)
  if M.options.codelens and client.server_capabilities.codeLensProvider then
    M.enable_codelens(bufnr)
  end
  if M.options.on_attach then
    M.options.on_attach(client, bufnr)
  end
end

local function on_init(client)
  if client.config.root_dir then
    M.clients[client.config.root_dir] = client.id
  end
end

function M.config_for(root)
  local cmd, why = util.server_cmd(M.options, root)
  if not cmd then
    return nil, why
  end
  local section = M.section()
  return {
    name = M.NAME,
    cmd = cmd,
    cmd_cwd = root,
    cmd_env = M.options.cmd_env,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = { [M.SECTION] = section },
    init_options = { [M.SECTION] = section },
    capabilities = capabilities(),
    handlers = handlers(),
    on_attach = on_attach,
    flags = { debounce_text_changes = 100 },
  }
end

-- -- Neovim 0.11+: vim.lsp.config ------------------------------------------------------------------------

--- The resolved vim.lsp.config("coder_catalog") (0.11+), or nil.
local function resolved_config()
  if not M.has_lsp_config then
    return nil
  end
  local ok, conf = pcall(function()
    return vim.lsp.config[M.NAME]
  end)
  return ok and type(conf) == "table" and conf or nil
end

--- The `coderCatalog` section and root markers in force: setup()'s, else (vim.lsp.enable without
--- setup) those given with vim.lsp.config("coder_catalog", { settings = ..., root_markers = ... }).
function M.effective_options()
  if M.configured then
    return M.section(), M.options.root_markers
  end
  local conf = resolved_config() or {}
  local settings = type(conf.settings) == "table" and conf.settings or {}
  local section = type(settings[M.SECTION]) == "table" and settings[M.SECTION] or settings
  return section, conf.root_markers or util.ROOT_MARKERS
end

-- The root last handed to vim.lsp.enable by root_dir, for the 0.11 releases that call `cmd(dispatchers)`
-- without the config; later ones pass the config, with its root_dir.
local pending_root

--- `cmd` of the vim.lsp.config: `coder-catalog serve` found for the root (PATH, $VIRTUAL_ENV, the
--- root's .venv or :CoderCatalogInstall's), started in the root.
local function start_server(dispatchers, config)
  local root = (type(config) == "table" and type(config.root_dir) == "string" and config.root_dir) or pending_root
  local cmd = util.server_cmd(M.options, root) or { "coder-catalog", "serve" }
  local env = M.options.cmd_env or (type(config) == "table" and config.cmd_env) or nil
  return vim.lsp.rpc.start(cmd, dispatchers, { cwd = root, env = env })
end

--- `root_dir` of the vim.lsp.config: only catalog buffers get a server, one per project root.
local function catalog_root(bufnr, on_dir)
  local section, markers = M.effective_options()
  if not M.is_catalog_buffer(bufnr, section) then
    return
  end
  local root = util.find_root(vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":p"), markers)
  local conf = resolved_config()
  if not conf or conf.cmd == start_server then
    local cmd, why = util.server_cmd(M.options, root)
    if not cmd then
      warn_once("missing", why)
      return
    end
  end
  pending_root = root
  on_dir(root)
end

--- The settings of setup() (also after update_settings) into a client about to start.
local function before_init(params, config)
  if not M.configured then
    return
  end
  local section = M.section()
  -- client.settings is this very table: fill it rather than replace it.
  config.settings = config.settings or {}
  config.settings[M.SECTION] = section
  params.initializationOptions = { [M.SECTION] = section }
end

--- The configuration for vim.lsp.config (Neovim 0.11+): what lsp/coder_catalog.lua returns and what
--- setup() registers.
function M.lsp_config()
  local section = M.section()
  return {
    cmd = start_server,
    filetypes = { "yaml" },
    root_dir = catalog_root,
    settings = { [M.SECTION] = section },
    init_options = { [M.SECTION] = section },
    capabilities = capabilities(),
    handlers = handlers(),
    before_init = before_init,
    on_init = on_init,
    on_attach = on_attach,
    flags = { debounce_text_changes = 100 },
  }
end

--- Keeps the buffer's code lenses fresh (on entering it, leaving Insert mode and saving).
function M.enable_codelens(bufnr)
  local group = vim.api.nvim_create_augroup("coder_catalog_codelens_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost", "CursorHold" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
    end,
  })
  pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
end

--- Whether the server should look at this buffer (`section`: the settings, default setup()'s).
function M.is_catalog_buffer(bufnr, section)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return false
  end
  section = section or M.section()
  local path = vim.api.nvim_buf_get_name(bufnr)
  local lines = M.options.detect_entities and vim.api.nvim_buf_get_lines(bufnr, 0, -1, false) or {}
  return util.is_catalog_file(path, vim.bo[bufnr].filetype, lines, section.catalogGlobs, M.options.detect_entities)
end

--- Starts (or reuses) the client of the buffer's project root and attaches the buffer; the client id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return nil
  end
  local _, markers = M.effective_options()
  local root = util.find_root(vim.fn.fnamemodify(path, ":p"), markers)
  local existing = live_client(M.clients[root])
  if existing then
    if not vim.lsp.buf_is_attached(bufnr, existing.id) then
      vim.lsp.buf_attach_client(bufnr, existing.id)
    end
    return existing.id
  end
  local config, why = M.config_for(root)
  if not config then
    warn_once("missing", why)
    return nil
  end
  local id
  if vim.fn.has("nvim-0.8") == 1 then
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(config, {
        reuse_client = function(client, conf)
          return client.name == conf.name and client.config.root_dir == conf.root_dir
        end,
      })
    end)
  else
    id = vim.lsp.start_client(config)
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    M.clients[root] = id
  end
  return id
end

function M.maybe_attach(bufnr)
  if M.is_catalog_buffer(bufnr) then
    return M.attach(bufnr)
  end
  return nil
end

--- The coder-catalog client attached to a buffer (else any running one when `any` is true).
function M.client_for(bufnr, any)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local fallback
  for _, id in pairs(M.clients) do
    local client = live_client(id)
    if client then
      if vim.lsp.buf_is_attached(bufnr, id) then
        return client
      end
      fallback = fallback or client
    end
  end
  return any and fallback or nil
end

--- Sends new settings to the running servers (workspace/didChangeConfiguration).
function M.update_settings(settings)
  M.options.settings = settings or {}
  local section = M.section()
  for _, id in pairs(M.clients) do
    local client = live_client(id)
    if client then
      -- workspace/configuration answers from client.settings (0.11+) or client.config.settings.
      client.config.settings = { [M.SECTION] = section }
      if type(client.settings) == "table" then
        client.settings[M.SECTION] = section
      end
      call(client, "notify", "workspace/didChangeConfiguration", { settings = { [M.SECTION] = section } })
    end
  end
end

-- -- commands ------------------------------------------------------------------------------------------

--- The server's commands that a client advertises (executeCommandProvider).
function M.server_commands(client)
  local provider = client and client.server_capabilities and client.server_capabilities.executeCommandProvider
  local supported = {}
  for _, command in ipairs(provider and provider.commands or {}) do
    supported[command] = true
  end
  return supported
end

--- Runs a server command; `on_result(result)` is called with the answer (not on errors, which are shown).
function M.execute(client, command, arguments, on_result, bufnr)
  if not client.server_capabilities then
    notify("the server is still starting; try again in a moment", vim.log.levels.WARN)
    return
  end
  if not M.server_commands(client)[command] then
    notify(command .. " is not offered by this coder-catalog server (update it with :CoderCatalogInstall, or: " .. util.INSTALL_COMMAND .. " -U)", vim.log.levels.ERROR)
    return
  end
  call(client, "request", "workspace/executeCommand", { command = command, arguments = arguments or {} }, function(err, result)
    if err then
      notify(command .. ": " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end, bufnr)
end

--- `{uri, line}` of the entity under the cursor in the current window.
function M.entity_location(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  return { uri = vim.uri_from_bufnr(bufnr), line = line }
end

--- Opens the page of an answer when the server could not (status "url").
function M.open_result(result)
  if type(result) == "table" and result.status == "url" and type(result.url) == "string" then
    M.open_url(result.url)
  end
end

local function failed(result)
  return type(result) == "table" and result.status == "failed" -- the server has shown why
end

function M.status_icon(workspace)
  local icons = M.options.icons
  if workspace.building then
    return icons.building
  end
  return icons[workspace.status] or icons.unknown
end

function M.format_workspace(workspace)
  local status = workspace.status .. (workspace.outdated and ", outdated" or "")
  local owner = workspace.owner and (" @" .. workspace.owner) or ""
  return string.format("%s %s (%s)%s", M.status_icon(workspace), workspace.name, status, owner)
end

--- What can be done with a workspace in its status; the likely one first.
function M.workspace_actions(workspace)
  local actions
  if workspace.status == "running" then
    actions = { "open", "stop" }
  elseif workspace.status == "stopped" or workspace.status == "failed" or workspace.status == "canceled" then
    actions = { "start", "open" }
  else
    actions = { "open" }
  end
  if workspace.outdated and not workspace.building then
    table.insert(actions, "update")
  end
  if workspace.status ~= "deleting" and workspace.status ~= "deleted" then
    table.insert(actions, "delete")
  end
  return actions
end

local ACTION_LABELS = {
  open = "Open in Coder",
  start = "Start",
  stop = "Stop",
  update = "Update to the template's active version",
  delete = "Delete",
}

local function catalog_client(bufnr)
  local client = M.client_for(bufnr)
  if not client then
    notify("this buffer is not a catalog file with a running coder-catalog server", vim.log.levels.WARN)
  end
  return client
end

local function account_client()
  local client = M.client_for(0, true)
  if not client then
    notify("no coder-catalog server is running: open a catalog file first", vim.log.levels.WARN)
  end
  return client
end

--- Asks one new required parameter of an update (a `missing` entry): its options in vim.ui.select, else
--- vim.ui.input. `on_value(nil)` when the user cancels.
function M.ask_parameter(parameter, workspace_name, on_value)
  local label = parameter.displayName or parameter.name
  if label ~= parameter.name then
    label = label .. " (" .. parameter.name .. ")"
  end
  local prompt = "Updating " .. workspace_name .. ": " .. label
  local options = type(parameter.options) == "table" and parameter.options or {}
  if #options > 0 then
    vim.ui.select(options, {
      prompt = prompt,
      format_item = function(option)
        return (option.name and option.name ~= vim.NIL and option.name ~= "") and option.name or option.value
      end,
      kind = "coder_catalog.parameter",
    }, function(option)
      on_value(option and option.value or nil)
    end)
  else
    vim.ui.input({ prompt = prompt .. ": " }, function(value)
      on_value(value)
    end)
  end
end

--- coderCatalog.updateWorkspace; a `missing` answer (new required parameters the server could not ask)
--- is asked parameter by parameter and the update runs again with `params` (at most 3 runs).
function M.update_workspace(client, location, workspace, bufnr, params, round)
  params, round = params or {}, round or 1
  -- clientAsks: the server answers every missing parameter in `missing` (asked here, options through
  -- vim.ui.select) instead of asking some itself and showing an error for the others.
  local argument = vim.tbl_extend("force", location, { workspace = workspace.id or workspace.name, clientAsks = true })
  if next(params) ~= nil then
    argument.params = params
  end
  M.execute(client, M.COMMANDS.update, { argument }, function(result)
    if type(result) ~= "table" or result.status ~= "failed" or type(result.missing) ~= "table" or round >= 3 then
      return
    end
    local missing = {}
    for _, parameter in ipairs(result.missing) do
      if type(parameter) == "table" and type(parameter.name) == "string" and params[parameter.name] == nil then
        table.insert(missing, parameter)
      end
    end
    local given = vim.deepcopy(params)
    local function ask(i)
      if i > #missing then
        if #missing > 0 then
          M.update_workspace(client, location, workspace, bufnr, given, round + 1)
        end
        return
      end
      M.ask_parameter(missing[i], workspace.name, function(value)
        if value == nil then
          notify("update of " .. workspace.name .. " cancelled", vim.log.levels.WARN)
          return
        end
        given[missing[i].name] = value
        ask(i + 1)
      end)
    end
    ask(1)
  end, bufnr)
end

function M.workspace_action(client, location, workspace, action, bufnr)
  if action == "update" then
    return M.update_workspace(client, location, workspace, bufnr)
  end
  -- delete: the server asks for confirmation (window/showMessageRequest, through vim.ui.select).
  local arguments = { vim.tbl_extend("force", location, { workspace = workspace.id or workspace.name }) }
  M.execute(client, M.COMMANDS[action], arguments, function(result)
    if not failed(result) then
      M.open_result(result)
    end
  end, bufnr)
end

function M.create(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = catalog_client(bufnr)
  if not client then
    return
  end
  notify("creating a workspace…")
  M.execute(client, M.COMMANDS.create, { M.entity_location(bufnr) }, function(result)
    if failed(result) then
      return
    end
    M.open_result(result)
    if type(result) == "table" and result.status == "created" and type(result.workspace) == "table" then
      notify("created workspace " .. tostring(result.workspace.name) .. " (" .. tostring(result.url) .. ")")
    end
  end, bufnr)
end

--- :CoderWorkspaces: the entity's workspaces in vim.ui.select, then open, start, stop, update (outdated)
--- or delete the chosen one.
function M.workspaces(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = catalog_client(bufnr)
  if not client then
    return
  end
  local location = M.entity_location(bufnr)
  M.execute(client, M.COMMANDS.list, { location }, function(result)
    if type(result) ~= "table" or failed(result) then
      return
    end
    local workspaces = result.workspaces or {}
    if #workspaces == 0 then
      local why = result.note and result.note ~= vim.NIL and (" (" .. result.note .. ")") or ""
      vim.ui.select({ "Create a workspace", "Cancel" }, { prompt = "No workspaces for " .. tostring(result.entity) .. why }, function(choice)
        if choice == "Create a workspace" then
          M.create(bufnr)
        end
      end)
      return
    end
    local prompt = "Workspaces of " .. tostring(result.entity) .. (result.summary and (": " .. result.summary) or "")
    vim.ui.select(workspaces, { prompt = prompt, format_item = M.format_workspace, kind = "coder_catalog.workspace" }, function(workspace)
      if not workspace then
        return
      end
      local actions = M.workspace_actions(workspace)
      vim.ui.select(actions, {
        prompt = workspace.name .. " (" .. workspace.status .. ")",
        format_item = function(action)
          return ACTION_LABELS[action]
        end,
        kind = "coder_catalog.action",
      }, function(action)
        if action then
          M.workspace_action(client, location, workspace, action, bufnr)
        end
      end)
    end)
  end, bufnr)
end

--- The buffer, its server and the command argument naming the entity under the cursor (and `workspace`
--- when given): what :CoderOpen, :CoderOpenVSCode and :CoderApps start from. nil when no server runs.
local function workspace_target(bufnr, workspace)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = catalog_client(bufnr)
  if not client then
    return nil
  end
  local argument = M.entity_location(bufnr)
  if workspace and workspace ~= "" then
    argument.workspace = workspace
  end
  return bufnr, client, argument
end

--- :CoderOpen [workspace]: opens a workspace of the entity (the given one, else the server's best guess).
function M.open(bufnr, workspace)
  local client, argument
  bufnr, client, argument = workspace_target(bufnr, workspace)
  if not bufnr then
    return
  end
  M.execute(client, M.COMMANDS.open, { argument }, function(result)
    if not failed(result) then
      M.open_result(result)
    end
  end, bufnr)
end

--- :CoderOpenVSCode [workspace]: starts a stopped workspace (the server asks first), then shows the
--- `coder ssh` command and Coder's VS Code link (opened when the editor can, never with a token).
function M.open_vscode(bufnr, workspace)
  local client, argument
  bufnr, client, argument = workspace_target(bufnr, workspace)
  if not bufnr then
    return
  end
  M.execute(client, M.COMMANDS.open_vscode, { argument }, function(result)
    if type(result) ~= "table" or failed(result) or result.status == "cancelled" then
      return
    end
    notify(tostring(result.ssh) .. "\n" .. tostring(result.url))
  end, bufnr)
end

function M.format_app(app)
  local problem = type(app.problem) == "string" and (" (" .. app.problem .. ")") or ""
  return tostring(app.displayName or app.slug) .. problem
end

--- :CoderApps [workspace]: the workspace's apps in vim.ui.select; the chosen one opens when it is ready.
function M.apps(bufnr, workspace)
  local client, argument
  bufnr, client, argument = workspace_target(bufnr, workspace)
  if not bufnr then
    return
  end
  local location = M.entity_location(bufnr)
  M.execute(client, M.COMMANDS.apps, { argument }, function(result)
    if type(result) ~= "table" or failed(result) then
      return
    end
    local apps = result.apps or {}
    local name = type(result.workspace) == "table" and tostring(result.workspace.name) or "the workspace"
    if #apps == 0 then
      notify(type(result.note) == "string" and result.note or (name .. " has no apps"))
      return
    end
    vim.ui.select(apps, { prompt = "Apps of " .. name, format_item = M.format_app, kind = "coder_catalog.app" }, function(app)
      if not app then
        return
      end
      if not app.openable then
        notify(M.format_app(app) .. ": not opened", vim.log.levels.WARN)
        return
      end
      local open = vim.tbl_extend("force", location, { workspace = result.workspace.id, app = app.slug })
      M.execute(client, M.COMMANDS.apps, { open }, function(opened)
        if not failed(opened) then
          M.open_result(opened)
        end
      end, bufnr)
    end)
  end, bufnr)
end

-- -- template usage ----------------------------------------------------------------------------------

local function text_of(value)
  return type(value) == "string" and value ~= "" and value or nil
end

--- How a template is named in lists: "docker", "docker (deprecated)", "dokker (unknown)", "(no template)".
function M.format_template(template)
  local name = text_of(template.name) or "(no template)"
  if template.status == "deprecated" or template.status == "unknown" then
    name = name .. " (" .. template.status .. ")"
  end
  return name
end

--- The quickfix text of one use: "docker (deprecated): component:default/web", and "(from the app
--- default)" when the template comes from the app's workspaces.defaultTemplateName.
function M.format_template_use(template, use)
  local text = M.format_template(template) .. ": " .. tostring(text_of(use.entity) or "(unnamed entity)")
  if use.inherited == true then
    text = text .. " (from the app default)"
  end
  return text
end

local ORIGIN = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } }

--- A quickfix item at an LSP location (the column converted from the server's position encoding).
local function quickfix_item(uri, range, encoding, text)
  if type(range) ~= "table" or type(range.start) ~= "table" then
    range = ORIGIN
  end
  if type(range["end"]) ~= "table" then
    range = { start = range.start, ["end"] = range.start }
  end
  local ok, items = pcall(vim.lsp.util.locations_to_items, { { uri = uri, range = range } }, encoding)
  local item = ok and items[1] or nil
  if not item then
    item = { filename = vim.uri_to_fname(uri), lnum = (tonumber(range.start.line) or 0) + 1, col = (tonumber(range.start.character) or 0) + 1 }
  end
  return { filename = item.filename, lnum = item.lnum, col = item.col, text = text }
end

--- The quickfix items of a templateUsage answer: one per use, in the server's order.
function M.template_usage_items(result, encoding)
  local items = {}
  for _, template in ipairs(type(result) == "table" and type(result.templates) == "table" and result.templates or {}) do
    if type(template) == "table" then
      for _, use in ipairs(type(template.uses) == "table" and template.uses or {}) do
        if type(use) == "table" and text_of(use.uri) then
          table.insert(items, quickfix_item(use.uri, use.range, encoding, M.format_template_use(template, use)))
        end
      end
    end
  end
  return items
end

--- What the server says besides the list: its notes, else "still indexing" while it reads the workspace.
local function usage_notes(result)
  local said = {}
  for _, note in ipairs(type(result.notes) == "table" and result.notes or {}) do
    if text_of(note) then
      table.insert(said, note)
    end
  end
  if result.indexing == true and #said == 0 then
    table.insert(said, "still indexing the workspace: the list may be incomplete")
  end
  return said
end

--- The template names of the last :CoderTemplateUsage, for completing :CoderMoveTemplate.
M.template_names = {}

--- :CoderTemplateUsage: every entity's template in the quickfix list (one entry per use, at its
--- templateName), opened; flags deprecated and unknown templates and uses from the app default.
function M.template_usage()
  local client = account_client()
  if not client then
    return
  end
  M.execute(client, M.COMMANDS.usage, {}, function(result)
    if type(result) ~= "table" or failed(result) then
      return
    end
    local names = {}
    for _, template in ipairs(type(result.templates) == "table" and result.templates or {}) do
      if type(template) == "table" and text_of(template.name) then
        table.insert(names, template.name)
      end
    end
    M.template_names = names
    local items = M.template_usage_items(result, client.offset_encoding or "utf-16")
    local said = usage_notes(result)
    if #items == 0 then
      notify("no catalog entity has a coder block" .. (#said > 0 and ("; " .. table.concat(said, "; ")) or ""))
      return
    end
    local title = "Coder template usage" .. (result.indexing == true and " (still indexing)" or "")
    vim.fn.setqflist({}, " ", { title = title, items = items })
    vim.cmd("botright copen")
    local summary = string.format("%d %s of %d %s in the quickfix list", #items, #items == 1 and "use" or "uses", #names, #names == 1 and "template" or "templates")
    notify(summary .. (#said > 0 and ("; " .. table.concat(said, "; ")) or ""), result.indexing == true and vim.log.levels.WARN or vim.log.levels.INFO)
  end)
end

--- The message after a move: how many entities changed, which did not and why, or why nothing did.
function M.format_move_result(result, from, to)
  if type(result) ~= "table" then
    return "nothing moved from " .. from .. " to " .. to .. ": the server gave no answer", vim.log.levels.ERROR
  end
  local changed = tonumber(result.changed) or 0
  local lines, level = {}, vim.log.levels.INFO
  if result.applied ~= true then
    local why = text_of(result.failureReason)
    table.insert(lines, "nothing moved from " .. from .. " to " .. to .. (why and (": " .. why) or " (the edit was not applied)"))
    level = vim.log.levels.WARN
  elseif changed == 0 then
    table.insert(lines, "no entity moved from " .. from .. " to " .. to)
    level = vim.log.levels.WARN
  else
    table.insert(lines, string.format("moved %d %s from %s to %s (write the changed buffers: :wall)", changed, changed == 1 and "entity" or "entities", from, to))
  end
  local not_changed = type(result.notChanged) == "table" and result.notChanged or {}
  if #not_changed > 0 then
    table.insert(lines, string.format("%d not changed:", #not_changed))
    for _, item in ipairs(not_changed) do
      if type(item) == "table" then
        table.insert(lines, "  " .. tostring(text_of(item.entity) or "?") .. ": " .. tostring(text_of(item.reason) or "not changed"))
      end
    end
    if level == vim.log.levels.INFO then
      level = vim.log.levels.WARN
    end
  end
  -- Something to know about the new template: it does not exist, or is deprecated, on the deployment.
  if text_of(result.warning) then
    table.insert(lines, "note: " .. result.warning)
    if level == vim.log.levels.INFO then
      level = vim.log.levels.WARN
    end
  end
  return table.concat(lines, "\n"), level
end

--- :CoderMoveTemplate OLD NEW: the server changes every spec.coder.templateName OLD to NEW through
--- workspace/applyEdit (applied by Neovim's own handler, in buffers left to write); the entities it
--- did not change go to the quickfix list.
function M.move_template(from, to, on_done)
  from, to = vim.trim(from or ""), vim.trim(to or "")
  if from == "" or to == "" or from == to then
    notify("usage: :CoderMoveTemplate OLD NEW (two different template names)", vim.log.levels.ERROR)
    return
  end
  local client = account_client()
  if not client then
    return
  end
  M.execute(client, M.COMMANDS.move, { { from = from, to = to } }, function(result)
    if type(result) == "table" and failed(result) then
      return
    end
    local message, level = M.format_move_result(result, from, to)
    local not_changed = type(result) == "table" and type(result.notChanged) == "table" and result.notChanged or {}
    local items = {}
    for _, item in ipairs(not_changed) do
      if type(item) == "table" and text_of(item.uri) then
        local text = tostring(text_of(item.entity) or "?") .. ": " .. tostring(text_of(item.reason) or "not changed")
        table.insert(items, quickfix_item(item.uri, item.range, client.offset_encoding or "utf-16", text))
      end
    end
    if #items > 0 then
      vim.fn.setqflist({}, " ", { title = "Coder: not moved from " .. from .. " to " .. to, items = items })
      message = message .. "\n(in the quickfix list: :copen)"
    end
    notify(message, level)
    if on_done then
      on_done(result)
    end
  end)
end

--- Completion of :CoderMoveTemplate: the template names the server knows of (else those of the last
--- :CoderTemplateUsage).
function M.complete_template(arg_lead)
  local names = M.template_names
  local client = M.client_for(0, true)
  if client and client.server_capabilities and M.server_commands(client)[M.COMMANDS.usage] then
    local ok, response = pcall(call, client, "request_sync", "workspace/executeCommand", { command = M.COMMANDS.usage, arguments = {} }, 1000, 0)
    if ok and type(response) == "table" and type(response.result) == "table" and type(response.result.templates) == "table" then
      names = {}
      for _, template in ipairs(response.result.templates) do
        if type(template) == "table" and text_of(template.name) then
          table.insert(names, template.name)
        end
      end
      M.template_names = names
    end
  end
  return vim.tbl_filter(function(name)
    return vim.startswith(name, arg_lead or "")
  end, names)
end

local FILE_STORE_QUESTION = "No OS keyring is available to keep the Coder token. Keep it in a file only you can read (0600)?"

--- When the server found no OS keyring it answers `needsFileStoreConsent`: ask, and run `again` on yes.
local function with_file_store_consent(result, again)
  if type(result) ~= "table" or result.status ~= "failed" or result.needsFileStoreConsent ~= true then
    return false
  end
  vim.ui.select({ "Store in a file", "Cancel" }, { prompt = FILE_STORE_QUESTION, kind = "coder_catalog.consent" }, function(choice)
    if choice == "Store in a file" then
      again()
    end
  end)
  return true
end

--- :CoderLink [token]: asks for a session token without echo and links it through the server, which
--- checks it (users/me), keeps it in the OS keyring and says how it went.
function M.link(token)
  local client = account_client()
  if not client then
    return
  end
  if not token or token == "" then
    local url = (M.section().deployment or {}).accessUrl
    local prompt = url and ("Coder session token (from " .. url:gsub("/+$", "") .. "/cli-auth): ") or "Coder session token: "
    token = vim.fn.inputsecret(prompt)
  end
  token = vim.trim(token or "")
  if token == "" then
    return
  end
  M.execute(client, M.COMMANDS.link, { token }, function(result)
    with_file_store_consent(result, function()
      M.execute(client, M.COMMANDS.link, { token, { allowFileStore = true } })
    end)
  end)
end

--- :CoderOAuth: the server opens Coder's authorize page (window/showDocument, handled by this plugin
--- with the system opener) and tells the outcome when the browser comes back.
function M.oauth()
  local client = account_client()
  if client then
    M.execute(client, M.COMMANDS.oauth, {}, function(result)
      with_file_store_consent(result, function()
        M.execute(client, M.COMMANDS.oauth, { { allowFileStore = true } })
      end)
    end)
  end
end

function M.unlink()
  local client = account_client()
  if client then
    M.execute(client, M.COMMANDS.unlink, {}) -- the server says what it did
  end
end

--- The server's account status (`coderCatalog.accountStatus`) for `callback(result)`.
function M.account_status(callback)
  local client = account_client()
  if client then
    M.execute(client, M.COMMANDS.status, {}, callback)
  end
end

-- -- installing the server --------------------------------------------------------------------------

--- Starts the server again for every catalog buffer: the running clients stop (they may run an older
--- server), then the buffers get a client as they would on opening them (vim.lsp.enable's FileType
--- autocommand on 0.11+, else attach()).
function M.restart()
  local stopping = {}
  local attached = {}
  for _, id in pairs(M.clients) do
    local client = live_client(id)
    if client then
      for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
        if vim.lsp.buf_is_attached(bufnr, id) then
          attached[bufnr] = true
        end
      end
      call(client, "stop")
      table.insert(stopping, client)
    end
  end
  M.clients = {}
  warned.missing = nil
  local function start()
    local section = M.effective_options()
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and (attached[bufnr] or M.options.autostart) and M.is_catalog_buffer(bufnr, section) then
        local enabled = M.has_lsp_config and (vim.lsp.is_enabled == nil or vim.lsp.is_enabled(M.NAME))
        local by_enable = enabled
          and pcall(vim.api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = bufnr })
        if not by_enable then
          M.attach(bufnr)
        end
      end
    end
  end
  local tries = 0
  local function when_stopped()
    tries = tries + 1
    for _, client in ipairs(stopping) do
      if not call(client, "is_stopped") then
        if tries == 30 then
          call(client, "stop", true) -- force
        end
        if tries < 60 then
          vim.defer_fn(when_stopped, 100)
          return
        end
      end
    end
    start()
  end
  when_stopped()
end

--- :CoderCatalogInstall [SOURCE] [pip options]: installs the server into the plugin's own virtual
--- environment (in the background), then starts it for the catalog buffers.
function M.install(args, on_done)
  if type(args) == "string" then
    args = vim.split(vim.trim(args), "%s+")
    if args[1] == "" then
      args = {}
    end
  end
  require("coder_catalog.install").install(M.options, args, function(ok, server)
    if ok then
      local found = util.find_server(M.options, vim.fn.getcwd())
      if found and found.source ~= "install" then
        notify(string.format("note: %s (from %s) comes first and is the one started; remove it, or set setup's cmd to %s", found.path, util.SOURCES[found.source], server), vim.log.levels.WARN)
      end
      M.restart()
    end
    if on_done then
      on_done(ok, server)
    end
  end)
end

local function define_commands()
  local command = vim.api.nvim_create_user_command
  command("CoderCatalogInstall", function(args)
    M.install(args.fargs)
  end, { nargs = "*", complete = "file", desc = "Install the coder-catalog server into the plugin's own virtual environment" })
  command("CoderLink", function(args)
    M.link(args.args)
  end, { nargs = "?", desc = "Link a Coder account with a session token" })
  command("CoderOAuth", function()
    M.oauth()
  end, { desc = "Sign in to Coder with OAuth2 in the browser" })
  command("CoderUnlink", function()
    M.unlink()
  end, { desc = "Unlink the Coder account" })
  command("CoderWorkspaces", function()
    M.workspaces(0)
  end, { desc = "Workspaces of the entity under the cursor: open, start, stop, update or delete" })
  command("CoderCreate", function()
    M.create(0)
  end, { desc = "Create a Coder workspace for the entity under the cursor" })
  command("CoderOpen", function(args)
    M.open(0, args.args)
  end, { nargs = "?", desc = "Open a workspace of the entity under the cursor in Coder" })
  command("CoderOpenVSCode", function(args)
    M.open_vscode(0, args.args)
  end, { nargs = "?", desc = "Open a workspace of the entity under the cursor in VS Code (prints the coder ssh command)" })
  command("CoderApps", function(args)
    M.apps(0, args.args)
  end, { nargs = "?", desc = "Open an app of a workspace of the entity under the cursor" })
  command("CoderTemplateUsage", function()
    M.template_usage()
  end, { desc = "The templates the workspace's entities use, in the quickfix list" })
  command("CoderMoveTemplate", function(args)
    if #args.fargs ~= 2 then
      notify("usage: :CoderMoveTemplate OLD NEW", vim.log.levels.ERROR)
      return
    end
    M.move_template(args.fargs[1], args.fargs[2])
  end, {
    nargs = "+",
    complete = function(arg_lead)
      return M.complete_template(arg_lead)
    end,
    desc = "Move every entity of template OLD to template NEW (spec.coder.templateName)",
  })
end

function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if opts and opts.root_markers then
    M.options.root_markers = opts.root_markers
  end
  M.configured = true
  if M.options.user_commands then
    define_commands()
  end
  if M.has_lsp_config then
    -- On top of lsp/coder_catalog.lua; vim.lsp.enable starts it for catalog buffers (FileType yaml).
    vim.lsp.config(M.NAME, M.lsp_config())
    if M.options.autostart then
      vim.lsp.enable(M.NAME)
    end
    return
  end
  if not M.options.autostart then
    return
  end
  local group = vim.api.nvim_create_augroup("coder_catalog", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "yaml",
    callback = function(args)
      M.maybe_attach(args.buf)
    end,
  })
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    pattern = { "catalog-info.yaml", "catalog-info.yml" },
    callback = function(args)
      M.maybe_attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.maybe_attach(bufnr)
    end
  end
end

return M
