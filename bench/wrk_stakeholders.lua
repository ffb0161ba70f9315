-- wrk script of the bench: POST stakeholders with unique valid partita IVA codes, or GET lists.
--
-- wrk -t2 -c16 -d30s --latency -s bench/wrk_stakeholders.lua http://127.0.0.1:PORT -- CONFIG
--
-- CONFIG is a file of key=value lines written by bench/common.py (wrk_config):
--   mode=post|get      what to send
--   token=...          bearer token ('' for none)
--   path=...           one path template, '{tenant}' replaced by a tenant slug
--   tenants=a,b,c      slugs, one picked at random per request
--   office=076         province office code of the generated partita IVA
--   base=123           random start of the serial numbers (unique per run)
-- At the end every thread's status counts and the latency percentiles are printed
-- as one line starting with WRKJSON, which the Python side parses.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function read_config(path)
  local config = {}
  for line in io.lines(path) do
    local key, value = line:match("^([%w_]+)=(.*)$")
    if key then config[key] = value end
  end
  return config
end

local function check_digit(first10)
  -- Partita IVA: Luhn over the first ten digits.
  local total = 0
  for i = 1, 10 do
    local d = tonumber(first10:sub(i, i))
    if i % 2 == 0 then
      d = d * 2
      if d > 9 then d = d - 9 end
    end
    total = total + d
  end
  return tostring((10 - total % 10) % 10)
end

function init(args)
  config = read_config(args[1])
  mode = config.mode
  office = config.office or "076"
  tenants = {}
  for slug in string.gmatch(config.tenants or "", "[^,]+") do table.insert(tenants, slug) end
  -- each thread owns a range of 4 000 000 serials; 'base' moves the start every run
  serial_start = 1 + thread_id * 4000000
  counter = tonumber(config.base or "0") % 4000000
  math.randomseed(os.time() + thread_id * 7919)
  wrk.headers["Content-Type"] = "application/json"
  if config.token and config.token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. config.token
  end
  s2xx, s4xx, s409, s5xx, sother = 0, 0, 0, 0, 0
end

local function next_tax_code()
  counter = (counter + 1) % 4000000
  local first10 = string.format("%07d", serial_start + counter) .. office
  return first10 .. check_digit(first10)
end

function request()
  local tenant = tenants[math.random(#tenants)]
  local path = config.path:gsub("{tenant}", tenant)
  if mode == "post" then
    local code = next_tax_code()
    local body = '{"name":"Organizzazione bench ' .. code .. '","type":"ets","runts_section":"a",'
      .. '"tax_code":"' .. code .. '","seat_istat":"076063"}'
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 409 then s409 = s409 + 1 end
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local c = {s2xx = 0, s4xx = 0, s409 = 0, s5xx = 0, sother = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(c) do c[key] = c[key] + (thread:get(key) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"mean_us":%.1f,"s2xx":%d,"s4xx":%d,"s409":%d,"s5xx":%d,"sother":%d,'
    .. '"err_connect":%d,"err_read":%d,"err_write":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, c.s2xx, c.s4xx, c.s409, c.s5xx, c.sother,
    e.connect, e.read, e.write, e.timeout))
end
