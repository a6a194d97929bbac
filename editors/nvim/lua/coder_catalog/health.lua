-- :checkhealth coder_catalog: the server found (and where it comes from), its version, the deployment
-- reachable, an account linked.

local util = require("coder_catalog.util")

local M = {}

-- vim.health.start/ok/... (0.9+), vim.health.report_* (0.8) or the `health` module over
-- health#report_* (0.7).
local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local info = health.info or health.report_info
local warn = health.warn or health.report_warn
local report_error = health.error or health.report_error

local function plugin()
  return require("coder_catalog")
end

local function environment()
  local env = plugin().options.cmd_env
  if env == nil or next(env) == nil then
    return nil
  end
  -- jobstart's env replaces the environment from 0.10 on when `clear_env` is set; merge to be safe.
  return vim.tbl_extend("force", vim.fn.environ(), env)
end

local function current_file(section)
  local name = vim.api.nvim_buf_get_name(0)
  if name ~= "" and plugin().is_catalog_buffer(0, section) then
    return name
  end
  return nil
end

function M.check()
  start("coder-catalog language server")
  local cp = plugin()
  -- setup()'s options, else those of vim.lsp.config("coder_catalog", ...) (0.11+).
  local section, markers = cp.effective_options()
  local file = current_file(section)
  local root = file and util.find_root(file, markers) or vim.fn.getcwd()
  local found, why = util.find_server(cp.options, root)
  if not found then
    report_error(why, {
      "Install it with :CoderCatalogInstall (a virtual environment in " .. util.install_dir() .. ")",
      "or: " .. util.INSTALL_COMMAND,
      'or give setup() the command: cmd = { "/path/to/coder-catalog", "serve" }',
    })
    return
  end
  local cmd = found.cmd
  ok("server: " .. table.concat(cmd, " ") .. " (from " .. util.SOURCES[found.source] .. ")")
  local installed = util.venv_program(util.install_dir(), "coder-catalog")
  if found.source ~= "install" and util.is_executable(installed) then
    info("not used: the server :CoderCatalogInstall installed (" .. installed .. "); " .. util.SOURCES[found.source] .. " comes first")
  end

  local cli = util.cli_prefix(cmd)
  local env = environment()
  local code, out, err = util.run(vim.list_extend(vim.deepcopy(cli), { "--version" }), env, 10000)
  if code == 0 then
    ok("version: " .. out)
  else
    report_error("`" .. table.concat(cli, " ") .. " --version` failed: " .. (err ~= "" and err or out))
    return
  end

  -- The deployment, as the server resolves it for this project (settings, project file, app-config, ...).
  local config_cmd = vim.list_extend(vim.deepcopy(cli), { "config", "--json" })
  local url_setting = (section.deployment or {}).accessUrl
  if type(url_setting) == "string" and url_setting ~= "" then
    vim.list_extend(config_cmd, { "--url", url_setting })
  end
  table.insert(config_cmd, file or root)
  local resolved = {}
  code, out, err = util.run(config_cmd, env, 10000)
  if code == 0 then
    local decoded, value = pcall(vim.fn.json_decode, out)
    resolved = decoded and type(value) == "table" and value or {}
  else
    warn("the settings could not be resolved: " .. (err ~= "" and err or out))
  end
  local url = type(resolved.deployment) == "table" and resolved.deployment.accessUrl or nil
  if type(url) ~= "string" or url == "" then
    warn("no Coder deployment is configured: template checks are skipped", {
      "Set settings.deployment.accessUrl in setup(), deployment.accessUrl in .coder-catalog.yaml, or CODER_URL",
    })
    return
  end
  ok("deployment: " .. url)

  -- Reachable (and the credential accepted): list the templates with the same credentials.
  local list = vim.list_extend(vim.deepcopy(cli), { "templates", "list", "--json", "--url", url })
  code, out, err = util.run(list, env, 20000)
  if code == 0 then
    ok("the deployment answers, and accepts the credential")
  elseif code == -1 then
    report_error("the deployment did not answer within 20 s: " .. url)
  else
    local message = err ~= "" and err or out
    local lower = message:lower()
    if lower:find("cannot connect", 1, true) or lower:find("timed out", 1, true) then
      report_error(message)
    elseif lower:find("401", 1, true) or lower:find("403", 1, true) then
      ok("the deployment answers")
      warn("it did not accept the credential: " .. message, { "Link an account with :CoderLink (token) or :CoderOAuth" })
    else
      warn(message)
    end
  end

  -- The account.
  local credential = resolved.credential
  if type(credential) == "string" and credential ~= "" then
    ok("credential: " .. credential)
  else
    warn("no Coder account is linked for " .. url, { ":CoderLink asks for a session token from " .. url:gsub("/+$", "") .. "/cli-auth", ":CoderOAuth signs in with the browser" })
  end
  local client = cp.client_for(0, true)
  if client and cp.server_commands(client)[cp.COMMANDS.status] then
    local response = cp.call(client, "request_sync", "workspace/executeCommand", { command = cp.COMMANDS.status, arguments = {} }, 5000, 0)
    local result = response and response.result
    if type(result) == "table" and result.status ~= "failed" then
      local source = result.sourceDescription or result.source
      if result.signedIn and type(result.user) == "string" then
        ok("signed in as " .. result.user .. " on " .. tostring(result.deployment) .. (type(source) == "string" and (" (" .. source .. ")") or ""))
      else
        warn("not signed in to " .. tostring(result.deployment) .. (type(result.problem) == "string" and (": " .. result.problem) or ""), {
          ":CoderLink (session token) or :CoderOAuth (browser)",
        })
      end
    elseif type(result) == "table" then
      info("account status: " .. tostring(result.message))
    end
  elseif not client then
    info("no coder-catalog server is running: open a catalog file for the server's own account status")
  end
end

return M
