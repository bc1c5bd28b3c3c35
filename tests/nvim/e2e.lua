-- Drives Neovim's built-in LSP client against `spec lsp` (run headless by
-- tests/lsp_nvim.rs). Environment: SPEC_BIN (the binary), SPEC_FILE (the
-- spec to open), SPEC_ROOT (the workspace), SPEC_OUT (where the JSON
-- results go), SPEC_EXPECT (how many diagnostics to wait for), and
-- SPEC_HOVER / SPEC_DEF as "line:col" (0-based) positions to query.
local bin = os.getenv("SPEC_BIN")
local file = os.getenv("SPEC_FILE")
local root = os.getenv("SPEC_ROOT")
local out = os.getenv("SPEC_OUT")
local expect = tonumber(os.getenv("SPEC_EXPECT") or "1")

local results = { errors = {} }
local function finish()
  local f = io.open(out, "w")
  f:write(vim.fn.json_encode(results))
  f:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = { name = "spec", cmd = { bin, "lsp" }, root_dir = root }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  results.client = client_id ~= nil
  results.nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch)

  -- Diagnostics as Neovim received them.
  vim.wait(20000, function()
    return #vim.diagnostic.get(buf) >= expect
  end, 50)
  results.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(results.diagnostics, { code = code, lnum = d.lnum, col = d.col, severity = d.severity, message = d.message })
  end

  local client = vim.lsp.get_client_by_id(client_id)
  local function at(spec)
    local l, c = spec:match("(%d+):(%d+)")
    return {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = tonumber(l), character = tonumber(c) },
    }
  end
  -- Hover.
  local r = client.request_sync("textDocument/hover", at(os.getenv("SPEC_HOVER")), 10000, buf)
  if r and r.result and r.result.contents then
    results.hover = r.result.contents.value or r.result.contents
  elseif r and r.err then
    table.insert(results.errors, vim.inspect(r.err))
  end
  -- Go to definition.
  r = client.request_sync("textDocument/definition", at(os.getenv("SPEC_DEF")), 10000, buf)
  if r and r.result then
    local loc = r.result[1] or r.result
    results.definition = { uri = loc.uri or loc.targetUri, line = (loc.range or loc.targetSelectionRange).start.line }
  elseif r and r.err then
    table.insert(results.errors, vim.inspect(r.err))
  end
  client.stop()
end)
if not ok then
  table.insert(results.errors, tostring(err))
end
finish()
