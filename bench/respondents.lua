-- wrk script for bench/respondents.py: one wrk thread (one Lua state, one connection) is one
-- respondent at a time, answering the survey journey over and over with a fresh cookie jar.
--
-- Not runnable on its own: respondents.py prepends `local CONFIG = {...}` with
--   steps      {method=, path=, expect= (POSTs: redirect path), variants= (POSTs)}; each variant
--              is the url-encoded form body (after the CSRF token) split where the respondent
--              id goes, so a journey's body is table.concat(variant, id)
--   duration   seconds during which journeys are started and requests are measured
--   out        file that done() writes the results to
--   static     if set: the static-file baseline, which only reports wrk's own figures
-- Journey `j` of thread `tid` is respondent "<tid>r<j>" and posts variant
-- (tid * 7 + j * 3 + step) % #variants + 1 at each step; respondents.py mirrors both.

local ffi = require("ffi")

if CONFIG.static then
  -- No request()/response(): wrk keeps its static request and skips parsing responses.
  function done(summary, latency)
    local e = summary.errors
    local f = assert(io.open(CONFIG.out, "w"))
    f:write(string.format("static %d %d %.0f %d\n", summary.requests, summary.duration,
      latency:percentile(99), e.connect + e.read + e.write + e.status))
    f:close()
  end
  return
end

ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]]

local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local G = "[A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7]"
local WITHDRAWAL_CODE = "%f[%w]" .. G .. "%-" .. G .. "%-" .. G .. "%-" .. G .. "%f[%W]"
local MAX_FAILURE_TEXTS = 3 -- per thread; all are counted

local STEPS = CONFIG.steps

-- --- setup and done run in wrk's main Lua state --------------------------------------------------
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads - 1)
end

function done(summary)
  local f = assert(io.open(CONFIG.out, "w"))
  local e = summary.errors
  f:write(string.format("socket %d %d %d %d\n", e.connect, e.read, e.write, e.timeout))
  for _, thread in ipairs(threads) do
    local tid = thread:get("tid")
    for _, s in ipairs(thread:get("save_s")) do f:write("save ", s, "\n") end
    for _, s in ipairs(thread:get("view_s")) do f:write("view ", s, "\n") end
    for _, c in ipairs(thread:get("codes")) do f:write("code ", c, "\n") end
    for _, text in ipairs(thread:get("failure_texts")) do f:write("fail ", text, "\n") end
    f:write(string.format("thread %d %d %d %d %d %d\n", tid, thread:get("started"),
      thread:get("failures"), thread:get("tail_saves"), thread:get("tail_views"),
      thread:get("idle") and 1 or 0))
  end
  f:close()
end

-- --- everything below runs in each thread's own Lua state ----------------------------------------
-- Globals, so that done() can read them with thread:get().
save_s, view_s, codes, failure_texts = {}, {}, {}, {}
started, failures, tail_saves, tail_views, idle = 0, 0, 0, 0, false

local heads = {} -- per step: the request line and fixed headers
local window_end
local journey, step, rid = 0, 1, nil
local jar, cookie_line, csrf_field = {}, "", "_csrf_token="
local sent_at, pending = 0, false
local verify_call -- wrk calls request() once on the first thread's state, only to parse it

-- Set-Cookie: wrk hands response() a table of header name -> value, so of several headers with
-- the same name only the last survives. respondents.py's discovery walk checks that no response
-- of the journey sets more than one cookie; were one to, a lost cookie would still show here as
-- a failed journey (a refused CSRF token or a lost session), never as a silent success.

local MONTHS = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6,
                 jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 }

local function expired(date)
  local d, mon, y, hh, mm, ss = date:match("(%d+)[ %-](%a%a%a)[ %-](%d+) (%d+):(%d+):(%d+)")
  local m = mon and MONTHS[mon:lower()]
  if not m then return false end
  y = tonumber(y)
  if y < 100 then y = y + (y < 70 and 2000 or 1900) end
  -- days from the civil date (proleptic Gregorian), as os.time() would in UTC
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5) + tonumber(d) - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + hh * 3600 + mm * 60 + ss <= os.time()
end

local function store_cookie(line)
  local pair, attrs = line:match("^([^;]*)(.*)$")
  local name, value = pair:match("^%s*(.-)%s*=%s*(.-)%s*$")
  if not name or name == "" then return end
  attrs = attrs:lower()
  local max_age = attrs:match(";%s*max%-age%s*=%s*(%-?%d+)")
  local expires = attrs:match(";%s*expires%s*=%s*([^;]+)")
  local gone = value == ""
  if max_age then
    gone = gone or tonumber(max_age) <= 0 -- Max-Age wins over Expires (RFC 6265)
  elseif expires then
    gone = gone or expired(expires)
  end
  jar[name] = (not gone) and value or nil
  local parts = {}
  for n, v in pairs(jar) do parts[#parts + 1] = n .. "=" .. v end
  cookie_line = #parts > 0 and ("Cookie: " .. table.concat(parts, "; ") .. "\r\n") or ""
  local token = (jar.csrf or ""):gsub("[^%w%-%._~]", function(ch)
    return string.format("%%%02X", ch:byte())
  end)
  csrf_field = "_csrf_token=" .. token
end

local function next_journey()
  journey, step, rid = journey + 1, 1, tid .. "r" .. (journey + 1)
  jar, cookie_line, csrf_field = {}, "", "_csrf_token="
  if now() >= window_end then
    idle = true
    wrk.thread:stop()
  end
end

local function fail(detail)
  failures = failures + 1
  if #failure_texts < MAX_FAILURE_TEXTS then
    local s = STEPS[step]
    failure_texts[#failure_texts + 1] = string.format("respondent %dr%d step %d %s %s: %s",
      tid, journey, step, s.method, s.path, detail)
  end
  next_journey()
end

function init()
  local host = "HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\n"
  for i, s in ipairs(STEPS) do
    heads[i] = s.method .. " " .. s.path .. " " .. host .. (s.method == "GET" and "" or
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
  end
  heads.idle = "GET /livez " .. host .. "\r\n" -- never answered into a step; touches nothing
  rid = tid .. "r0"
  verify_call = tid == 0
end

function request()
  if verify_call then
    verify_call = false
    return heads[1] .. "\r\n"
  end
  if pending then
    -- wrk asks again only if the connection was lost before the answer came.
    fail("no response (connection closed)")
  end
  if idle then
    return heads.idle
  end
  window_end = window_end or now() + CONFIG.duration
  if step == 1 then started = started + 1 end
  local s = STEPS[step]
  local req
  if s.method == "GET" then
    req = heads[step] .. cookie_line .. "\r\n"
  else
    local variant = s.variants[(tid * 7 + journey * 3 + step) % #s.variants + 1]
    local body = csrf_field .. table.concat(variant, rid)
    req = heads[step] .. #body .. "\r\n" .. cookie_line .. "\r\n" .. body
  end
  pending = true
  sent_at = now()
  return req
end

function response(status, headers, body)
  if idle then return end
  pending = false
  local t = now()
  local s = STEPS[step]

  local location
  for name, value in pairs(headers) do
    local n = #name -- lower() only the few names that could match
    if n == 8 and name:lower() == "location" then
      location = value
    elseif n == 10 and name:lower() == "set-cookie" then
      store_cookie(value)
    end
  end

  if s.method == "GET" then
    if status ~= 200 then return fail("status " .. status) end
    if t <= window_end then view_s[#view_s + 1] = t - sent_at else tail_views = tail_views + 1 end
    if step == #STEPS then
      local code = body:match(WITHDRAWAL_CODE)
      if not code then return fail("no withdrawal code on the confirmation page") end
      codes[#codes + 1] = string.format("%s %d %d", code, tid, journey)
      return next_journey()
    end
  else
    local path = location or ""
    if path ~= s.expect then
      path = path:gsub("^%a[%w+.-]*://[^/]*", ""):gsub("[?#].*$", "")
    end
    if (status ~= 302 and status ~= 303) or path ~= s.expect then
      return fail(string.format("status %d, location %q, expected %s", status, path, s.expect))
    end
    if t <= window_end then save_s[#save_s + 1] = t - sent_at else tail_saves = tail_saves + 1 end
  end
  step = step + 1
end
