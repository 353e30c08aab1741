-- Hold and book in one step (POST /api/v1/bookings with slot_id and address), spread over windows.
--   wrk -s bench/book.lua -H "Authorization: Bearer sk_..." http://127.0.0.1:PORT -- TARGETS RUN_TAG
-- TARGETS is a file of "slot_id<TAB>postcode" lines; each thread walks it from its own offset,
-- so the connections spread over windows and depot days instead of queueing on one row lock.

local here = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") or "./"
dofile(here .. "stats.lua")

local targets = {}
local sent = 0
local cursor = 0
local tag = "run"

function init(args)
  for line in io.lines(args[1]) do
    local slot, postcode = line:match("^(%S+)\t(.+)$")
    if slot then
      table.insert(targets, { slot, postcode })
    end
  end
  if #targets == 0 then
    error("no targets in " .. tostring(args[1]))
  end
  tag = args[2] or tag
  cursor = ((id or 1) - 1) * 7919 -- a prime stride keeps the threads apart in the list
end

local headers = nil

function request()
  if headers == nil then -- wrk.format uses the given headers instead of -H ones, so merge them
    headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
  end
  sent = sent + 1
  local target = targets[(cursor + sent) % #targets + 1]
  local body = string.format(
    '{"slot_id": "%s", "address": {"postcode": "%s"}, "order_ref": "BENCH-%s-%d-%d"}',
    target[1], target[2], tag, id or 0, sent
  )
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end
