-- Run after the documented init.lua opened SPEC_FILE (tests/lsp_nvim.rs):
-- waits for `spec lsp`'s diagnostics and writes what Neovim has to SPEC_OUT.
local out = os.getenv("SPEC_OUT")
local expect = tonumber(os.getenv("SPEC_EXPECT") or "1")
local buf = vim.api.nvim_get_current_buf()
vim.wait(20000, function()
  return #vim.diagnostic.get(buf) >= expect
end, 50)
local results = { filetype = vim.bo[buf].filetype, clients = {}, diagnostics = {} }
for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
  table.insert(results.clients, c.name)
end
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then
    code = d.user_data.lsp.code
  end
  table.insert(results.diagnostics, { code = code, line = d.lnum })
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode(results))
f:close()
vim.cmd("qall!")
