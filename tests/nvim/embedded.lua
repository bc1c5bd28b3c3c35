-- Run after the documented init.lua opened SPEC_FILE (tests/lsp_nvim.rs):
-- waits for `spec lsp`'s diagnostics, goes to the definition of the rule id
-- at SPEC_DEF ("line:col", 0-based: a `variance` line), which opens the
-- built-in policy pack (a read-only copy under the cache directory), and
-- writes to SPEC_OUT which buffer Neovim ended in and which `spec` clients
-- run and serve it.
local out = os.getenv("SPEC_OUT")
local expect = tonumber(os.getenv("SPEC_EXPECT") or "1")
local results = { errors = {} }
local function clients()
  if vim.lsp.get_clients then
    return vim.lsp.get_clients()
  end
  return vim.lsp.get_active_clients()
end
local function attached(buf)
  local ids = {}
  for _, c in pairs(clients()) do
    if vim.lsp.buf_is_attached(buf, c.id) then
      table.insert(ids, c.id)
    end
  end
  return ids
end
local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  vim.wait(20000, function()
    return #vim.diagnostic.get(buf) >= expect
  end, 50)
  results.spec_clients = attached(buf)
  local l, c = os.getenv("SPEC_DEF"):match("(%d+):(%d+)")
  vim.api.nvim_win_set_cursor(0, { tonumber(l) + 1, tonumber(c) })
  vim.lsp.buf.definition()
  vim.wait(20000, function()
    return vim.api.nvim_get_current_buf() ~= buf
  end, 50)
  local pack = vim.api.nvim_get_current_buf()
  -- Give a wrongly started second server time to show up.
  vim.wait(1500, function()
    return false
  end, 50)
  results.pack = vim.api.nvim_buf_get_name(pack)
  results.pack_filetype = vim.bo[pack].filetype
  results.pack_line = vim.api.nvim_win_get_cursor(0)[1] - 1
  results.pack_clients = attached(pack)
  results.clients = {}
  for _, c in pairs(clients()) do
    table.insert(results.clients, c.name)
  end
end)
if not ok then
  table.insert(results.errors, tostring(err))
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode(results))
f:close()
vim.cmd("qall!")
