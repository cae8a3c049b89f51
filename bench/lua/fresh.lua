-- POST /api/v1/evaluate of the 7-node program with a fresh source each
-- request (a different comment), so no answer cache can help.
-- Arguments: a run prefix, so two runs never repeat a source.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = args[1] or "wrk"
  counter = 0
end

function request()
  counter = counter + 1
  local body = '{"source":"3*sin(x) + x + 3  # ' .. prefix .. '-' .. tid .. '-' .. counter
    .. '","inputs":{"x":5}}'
  return wrk.format("POST", "/api/v1/evaluate", {["Content-Type"] = "application/json"}, body)
end
