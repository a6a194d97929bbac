-- Helpers without editor state: paths, catalog file detection, the server command, the system opener.
-- Works on Neovim 0.7 (no vim.fs there).

local M = {}

M.CATALOG_NAMES = { ["catalog-info.yaml"] = true, ["catalog-info.yml"] = true }
M.ROOT_MARKERS = { ".git", ".coder-catalog.yaml", ".coder-catalog.yml" }
M.INSTALL_COMMAND = "pip install coder-catalog"
M.INSTALL_HINT = ":CoderCatalogInstall (or: " .. M.INSTALL_COMMAND .. ")"

local is_windows = vim.fn.has("win32") == 1
local uv = vim.uv or vim.loop -- vim.loop is deprecated from 0.10 on
local sep = is_windows and "\\" or "/"

function M.basename(path)
  return (path:gsub("[/\\]+$", ""):match("([^/\\]+)$")) or path
end

function M.dirname(path)
  local dir = path:gsub("[/\\]+$", ""):match("^(.*)[/\\][^/\\]*$")
  if dir == nil then
    return "."
  end
  if dir == "" then
    return "/"
  end
  if dir:match("^%a:$") then
    return dir .. sep
  end
  return dir
end

function M.join(...)
  return table.concat({ ... }, sep)
end

function M.exists(path)
  return uv.fs_stat(path) ~= nil
end

function M.is_executable(path)
  return path ~= nil and path ~= "" and vim.fn.executable(path) == 1
end

--- The nearest folder above `path` (a file) holding one of `markers`; else the file's folder.
function M.find_root(path, markers)
  markers = markers or M.ROOT_MARKERS
  local start = M.dirname(path)
  local dir = start
  while true do
    for _, marker in ipairs(markers) do
      if M.exists(M.join(dir, marker)) then
        return dir
      end
    end
    local parent = M.dirname(dir)
    if parent == dir or parent == "." then
      return start
    end
    dir = parent
  end
end

--- A glob (`services/*/catalog.yaml`, `**/team.yaml`) as a Vim regex that matches the end of a path.
function M.glob_regex(glob)
  local pattern = glob:gsub("\\", "/"):gsub("^%./", "")
  local anchored = pattern:sub(1, 1) == "/" or pattern:match("^%a:/") ~= nil
  if not anchored and pattern:sub(1, 3) ~= "**/" then
    pattern = "**/" .. pattern
  end
  return vim.regex(vim.fn.glob2regpat(pattern))
end

function M.matches_globs(path, globs)
  if type(globs) ~= "table" then
    return false
  end
  local normalized = path:gsub("\\", "/")
  for _, glob in ipairs(globs) do
    if type(glob) == "string" and glob ~= "" then
      local ok, regex = pcall(M.glob_regex, glob)
      if ok and regex:match_str(normalized) then
        return true
      end
    end
  end
  return false
end

--- YAML lines that make a document a Backstage entity, as the server decides.
function M.looks_like_entity(lines)
  local api_version, kind = false, false
  for _, line in ipairs(lines) do
    if not api_version and line:match("^apiVersion%s*:") then
      api_version = true
    elseif not kind and line:match("^kind%s*:") then
      kind = true
    end
    if api_version and kind then
      return true
    end
  end
  return false
end

--- Whether the server looks at this file: by name, by the configured globs, or (YAML) by content.
function M.is_catalog_file(path, filetype, lines, globs, detect_entities)
  if path == nil or path == "" then
    return false
  end
  if M.CATALOG_NAMES[M.basename(path)] then
    return true
  end
  if M.matches_globs(path, globs) then
    return true
  end
  local is_yaml = filetype == "yaml" or path:match("%.ya?ml$") ~= nil
  return detect_entities ~= false and is_yaml and M.looks_like_entity(lines or {})
end

--- Where `:CoderCatalogInstall` keeps its virtual environment: stdpath("data")/coder-catalog/venv.
function M.install_dir()
  return M.join(vim.fn.stdpath("data"), "coder-catalog", "venv")
end

--- A program of a virtual environment (`bin/NAME`, `Scripts\NAME.exe` on Windows).
function M.venv_program(venv, name)
  if is_windows then
    return M.join(venv, "Scripts", name .. ".exe")
  end
  return M.join(venv, "bin", name)
end

-- Where a found server comes from, as :checkhealth says it.
M.SOURCES = {
  setting = "setup's cmd",
  path = "PATH",
  virtual_env = "$VIRTUAL_ENV",
  project = "the project's .venv",
  install = ":CoderCatalogInstall",
}

--- The server to start for a project root, in this order: setup's `cmd`; else `coder-catalog` on PATH,
--- in the active virtual environment ($VIRTUAL_ENV), in the project's `.venv`; else the one
--- :CoderCatalogInstall put into `install_dir()`. Returns `{ cmd, source, path }` (source: a key of
--- M.SOURCES), or nil and the reason when there is none.
function M.find_server(opts, root)
  opts = opts or {}
  if opts.cmd then
    local cmd = vim.deepcopy(opts.cmd)
    if type(cmd) == "string" then
      cmd = { cmd, "serve" }
    end
    if M.is_executable(cmd[1]) then
      return { cmd = cmd, source = "setting", path = cmd[1] }
    end
    return nil, string.format("%s (from setup's cmd) cannot be run; install the server with %s", cmd[1], M.INSTALL_HINT)
  end
  local candidates = { { vim.fn.exepath("coder-catalog"), "path" } }
  local venv = vim.env.VIRTUAL_ENV
  if venv and venv ~= "" then
    table.insert(candidates, { M.venv_program(venv, "coder-catalog"), "virtual_env" })
  end
  if root then
    table.insert(candidates, { M.venv_program(M.join(root, ".venv"), "coder-catalog"), "project" })
  end
  table.insert(candidates, { M.venv_program(M.install_dir(), "coder-catalog"), "install" })
  for _, candidate in ipairs(candidates) do
    if M.is_executable(candidate[1]) then
      local cmd = { candidate[1], "serve" }
      vim.list_extend(cmd, opts.args or {})
      return { cmd = cmd, source = candidate[2], path = candidate[1] }
    end
  end
  return nil, "the coder-catalog language server was not found (PATH, $VIRTUAL_ENV, the project's .venv); install it with " .. M.INSTALL_HINT
end

--- The command that starts the server (see find_server), or nil and the reason when there is none.
function M.server_cmd(opts, root)
  local found, why = M.find_server(opts, root)
  if not found then
    return nil, why
  end
  return found.cmd
end

--- The CLI prefix of a server command (everything before `serve`), for `coder-catalog --version` etc.
function M.cli_prefix(cmd)
  local prefix = {}
  for _, part in ipairs(cmd) do
    if part == "serve" then
      break
    end
    table.insert(prefix, part)
  end
  return prefix
end

--- Opens a URL with the system opener (`vim.ui.open` on 0.10+, else xdg-open, open or start).
function M.system_open(url)
  if vim.ui and vim.ui.open then
    local ok = pcall(vim.ui.open, url)
    if ok then
      return true
    end
  end
  local cmd
  if vim.fn.has("mac") == 1 then
    cmd = { "open", url }
  elseif is_windows then
    cmd = { "cmd.exe", "/c", "start", "", url }
  elseif vim.fn.executable("xdg-open") == 1 then
    cmd = { "xdg-open", url }
  elseif vim.fn.executable("wslview") == 1 then
    cmd = { "wslview", url }
  end
  if cmd and vim.fn.jobstart(cmd, { detach = true }) > 0 then
    return true
  end
  vim.notify("coder-catalog: open in your browser: " .. url, vim.log.levels.WARN)
  return false
end

--- Runs a command and waits at most `timeout` ms: exit code (-1 on timeout), stdout, stderr.
function M.run(cmd, env, timeout)
  local out, err = {}, {}
  local options = {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      out = data
    end,
    on_stderr = function(_, data)
      err = data
    end,
  }
  if env and next(env) then
    options.env = env
  end
  local ok, job = pcall(vim.fn.jobstart, cmd, options)
  if not ok or job <= 0 then
    return -2, "", "cannot run " .. tostring(cmd[1])
  end
  local code = vim.fn.jobwait({ job }, timeout or 10000)[1]
  if code == -1 then
    vim.fn.jobstop(job)
  end
  return code, vim.trim(table.concat(out, "\n")), vim.trim(table.concat(err, "\n"))
end

return M
