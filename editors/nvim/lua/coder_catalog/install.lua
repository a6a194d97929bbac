-- :CoderCatalogInstall [SOURCE] [pip options]: a virtual environment of the plugin's own in
-- stdpath("data")/coder-catalog/venv, made with a Python 3.11+ (setup's `python`, else python3, python,
-- python3.N on PATH), and `pip install --upgrade SOURCE` into it (default: coder-catalog from the
-- package index; a wheel, an sdist, a project folder, a requirement such as coder-catalog==1.2.0).
-- Every step runs as a job (vim.fn.jobstart, on Neovim 0.7 too): the editor does not wait.

local util = require("coder_catalog.util")

local M = {}

M.MIN_PYTHON = { 3, 11 }
M.PACKAGE = "coder-catalog"
-- The Pythons tried on PATH when setup() names none, in this order.
M.PYTHONS = { "python3", "python", "python3.14", "python3.13", "python3.12", "python3.11" }

local PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
local SHOWN_LINES = 15 -- of pip's output, when it fails

M.running = false

local function notify(message, level)
  vim.notify("coder-catalog: " .. message, level or vim.log.levels.INFO)
end

--- Progress on the command line, not kept in :messages.
local function progress(message)
  local width = math.max(vim.o.columns - 15, 20)
  local text = "coder-catalog: " .. message
  if #text > width then
    text = text:sub(1, width - 1) .. "…"
  end
  vim.api.nvim_echo({ { text } }, false, {})
end

--- Runs `cmd` as a job; `on_exit(code, lines)` gets its exit code and output (stdout and stderr, in
--- lines); `on_line(line)` sees each line as it comes.
function M.spawn(cmd, on_exit, on_line)
  local lines = {}
  local function collector()
    local partial = ""
    local function add(text)
      text = text:gsub("\r$", "")
      if text ~= "" then
        table.insert(lines, text)
        if on_line then
          on_line(text)
        end
      end
    end
    return function(_, data)
      if not data or #data == 0 then
        return
      end
      data[1] = partial .. data[1]
      partial = table.remove(data)
      for _, text in ipairs(data) do
        add(text)
      end
    end, function()
      add(partial)
      partial = ""
    end
  end
  local on_stdout, flush_stdout = collector()
  local on_stderr, flush_stderr = collector()
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    on_stdout = on_stdout,
    on_stderr = on_stderr,
    on_exit = function(_, code)
      flush_stdout()
      flush_stderr()
      on_exit(code, lines)
    end,
  })
  if not ok or job <= 0 then
    on_exit(-1, { "cannot run " .. tostring(cmd[1]) .. (ok and "" or (": " .. tostring(job))) })
  end
end

local function parse_version(text)
  local major, minor, patch = (text or ""):match("(%d+)%.(%d+)%.?(%d*)")
  if not major then
    return nil
  end
  return { tonumber(major), tonumber(minor), tonumber(patch) or 0 }
end

function M.new_enough(version)
  return version ~= nil
    and (version[1] > M.MIN_PYTHON[1] or (version[1] == M.MIN_PYTHON[1] and version[2] >= M.MIN_PYTHON[2]))
end

local function version_text(version)
  return table.concat(version, ".")
end

local MINIMUM = string.format("Python %d.%d or later", M.MIN_PYTHON[1], M.MIN_PYTHON[2])

--- Finds a Python 3.11+: `callback(path, version)`, or `callback(nil, why)` saying what was found.
function M.find_python(python, callback)
  if type(python) ~= "string" or python == "" then
    python = nil
  end
  local candidates = python and { python } or M.PYTHONS
  local seen, tried = {}, {}
  local function try(i)
    if i > #candidates then
      local why
      if python then
        why = string.format("the python of setup() cannot be used: %s; coder-catalog needs %s", table.concat(seen, "; "), MINIMUM)
      else
        why = string.format("no %s on PATH (%s); install one, or name it in setup({ python = \"/path/to/python3.12\" })", MINIMUM, #seen > 0 and table.concat(seen, "; ") or "no python3 or python")
      end
      callback(nil, why)
      return
    end
    local name = candidates[i]
    local exe = vim.fn.exepath(vim.fn.expand(name))
    if exe == "" then
      if python or i <= 2 then
        table.insert(seen, name .. " not found")
      end
      return try(i + 1)
    end
    if tried[exe] then
      return try(i + 1)
    end
    tried[exe] = true
    M.spawn({ exe, "-c", PROBE }, function(code, lines)
      local version = code == 0 and parse_version(lines[#lines]) or nil
      if M.new_enough(version) then
        callback(exe, version)
        return
      end
      if version then
        table.insert(seen, exe .. " is Python " .. version_text(version))
      elseif python or i <= 2 then
        table.insert(seen, exe .. " does not run (" .. tostring(lines[#lines] or ("exit " .. code)) .. ")")
      end
      try(i + 1)
    end)
  end
  try(1)
end

--- The Python version a virtual environment was made with (its pyvenv.cfg), or nil.
local function venv_version(dir)
  local cfg = util.join(dir, "pyvenv.cfg")
  if vim.fn.filereadable(cfg) == 0 then
    return nil
  end
  for _, text in ipairs(vim.fn.readfile(cfg)) do
    local value = text:match("^%s*version_info%s*=%s*(.-)%s*$") or text:match("^%s*version%s*=%s*(.-)%s*$")
    if value then
      return parse_version(value)
    end
  end
  return nil
end

--- What to give pip for SOURCE: a path (`./x.whl`, `~/src/coder-catalog`, anything with a slash or
--- ending in .whl/.tar.gz/.zip) made absolute; else a requirement or URL, as it is.
function M.resolve_source(source)
  if source == nil or source == "" then
    return M.PACKAGE
  end
  local looks_like_path = source:find("[/\\]") ~= nil or source:match("^[~.]") ~= nil
    or source:match("%.whl$") ~= nil or source:match("%.tar%.gz$") ~= nil or source:match("%.zip$") ~= nil
  if not looks_like_path or source:match("^%a[%w+.-]*://") then
    return source
  end
  local path = vim.fn.fnamemodify(vim.fn.expand(source), ":p")
  if not util.exists(path) then
    return nil, "no such file or folder: " .. source
  end
  return (path:gsub("[/\\]$", ""))
end

local function last_lines(lines)
  local first = math.max(1, #lines - SHOWN_LINES + 1)
  return table.concat(vim.list_slice(lines, first, #lines), "\n")
end

-- pip's lines worth showing as progress.
local PROGRESS = { "^Processing ", "^Collecting ", "^Downloading ", "^Building ", "^Installing ", "^Successfully " }

local function pip_progress(text)
  for _, pattern in ipairs(PROGRESS) do
    if text:match(pattern) then
      progress(text)
      return
    end
  end
end

--- Installs the server; `args`: SOURCE (optional, first) then options for pip. `options.python`: the
--- Python to use. `on_done(ok, server)` is called at the end (server: the installed coder-catalog).
function M.install(options, args, on_done)
  on_done = on_done or function() end
  if M.running then
    notify("an installation is already running", vim.log.levels.WARN)
    return
  end
  args = args or {}
  local source, pip_options = nil, {}
  for i, arg in ipairs(args) do
    if i == 1 and arg:sub(1, 1) ~= "-" then
      source = arg
    else
      table.insert(pip_options, arg)
    end
  end
  local requirement, why = M.resolve_source(source)
  if not requirement then
    notify("cannot install: " .. why, vim.log.levels.ERROR)
    on_done(false)
    return
  end
  local dir = util.install_dir()
  local venv_python = util.venv_program(dir, "python")
  local server = util.venv_program(dir, "coder-catalog")
  M.running = true

  local function fail(message)
    M.running = false
    notify(message, vim.log.levels.ERROR)
    on_done(false)
  end

  local function verify()
    M.spawn({ server, "--version" }, function(code, lines)
      if code ~= 0 then
        fail(string.format("pip installed %s, but `%s --version` failed:\n%s", requirement, server, last_lines(lines)))
        return
      end
      M.running = false
      notify(string.format("installed %s (%s) into %s", lines[#lines] or M.PACKAGE, requirement, dir))
      on_done(true, server)
    end)
  end

  local function pip()
    local cmd = { venv_python, "-m", "pip", "install", "--upgrade", "--disable-pip-version-check", requirement }
    vim.list_extend(cmd, pip_options)
    progress("pip install " .. requirement .. "…")
    M.spawn(cmd, function(code, lines)
      if code ~= 0 then
        fail(string.format("`pip install %s` failed (exit %d):\n%s", requirement, code, last_lines(lines)))
        return
      end
      verify()
    end, pip_progress)
  end

  M.find_python(options and options.python, function(python, version)
    if not python then
      fail("cannot install: " .. version)
      return
    end
    notify(string.format("installing %s into %s with Python %s (%s)…", requirement, dir, version_text(version), python))
    local existing = venv_version(dir)
    if util.is_executable(venv_python) and existing and existing[1] == version[1] and existing[2] == version[2] then
      pip()
      return
    end
    -- A new environment, or a fresh one when its Python is gone or another minor version.
    progress("creating the virtual environment " .. dir .. "…")
    M.spawn({ python, "-m", "venv", "--clear", dir }, function(code, lines)
      if code ~= 0 then
        fail(string.format("`%s -m venv %s` failed (exit %d):\n%s", python, dir, code, last_lines(lines)))
        return
      end
      pip()
    end)
  end)
end

return M
