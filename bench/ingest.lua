-- wrk script for bench/ingest: POST /api/event as varied visitors, or GET the given URL.
--
--   wrk ... -s bench/ingest.lua URL -- MODE [RATE THREADS]
--
-- MODE is "event" (POST a pageview to /api/event) or "get" (request URL as is, the
-- baseline). RATE > 0 paces the run at RATE requests/s in total across THREADS threads
-- (a constant-rate schedule kept with delay(), in place of wrk2); 0 or absent: as fast as
-- the connections go. done() prints one "BENCH key=value ..." line that bench/ingest reads;
-- errors count non-2xx answers (wrk itself only counts >= 400) plus socket errors, and
-- "statuses" and "sockets" say which: "202:9120,503:4" and "connect:0,read:0,write:0,timeout:2".

local ffi = require("ffi")

-- Public addresses the bundled country data places in a dozen countries; the server
-- believes X-Forwarded-For from loopback, which wrk is.
local BLOCKS = {
  "8.8.8", "13.107.21", "5.9.0", "46.4.0", "81.2.69", "62.210.16", "193.0.6", "24.48.0",
  "130.242.0", "89.238.0", "49.44.0", "177.71.128", "133.11.0", "203.2.218",
}
local AGENTS = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
}
local PAGES = 50
local ADDRESSES_PER_BLOCK = 20 -- 280 addresses x 6 agents: about 1,700 visitors
local PREBUILT = 4096

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local function event_request()
  local body = string.format(
    '{"n":"pageview","u":"https://bench.tally.test/page/%d","d":"bench.tally.test",'
      .. '"r":"https://www.google.com/"}',
    math.random(PAGES)
  )
  local address = string.format(
    "%s.%d", BLOCKS[math.random(#BLOCKS)], math.random(ADDRESSES_PER_BLOCK)
  )
  return wrk.format("POST", "/api/event", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = AGENTS[math.random(#AGENTS)],
    ["X-Forwarded-For"] = address,
  }, body)
end

ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

function init(args)
  local mode = args[1] or "event"
  local rate = tonumber(args[2] or "0")
  local thread_count = tonumber(args[3] or "1")
  math.randomseed(thread_number or 1)
  statuses = {}
  requests = {}
  for index = 1, PREBUILT do
    requests[index] = mode == "event" and event_request() or wrk.format()
  end
  if rate > 0 then
    -- Each call books the thread's next slot; a connection that falls behind the
    -- schedule sends at once, so the rate holds while the server keeps up.
    local interval = 1000 * thread_count / rate
    local next_slot = nil
    function delay()
      local now = now_ms()
      next_slot = next_slot or now + math.random() * interval
      local wait = next_slot - now
      next_slot = next_slot + interval
      return wait > 0 and wait or 0
    end
  end
end

function request()
  return requests[math.random(PREBUILT)]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- "code:count,..." of the answers of every thread, by status code; and the non-2xx total.
local function status_counts()
  local totals, codes, non2xx = {}, {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      if not totals[status] then
        table.insert(codes, status)
      end
      totals[status] = (totals[status] or 0) + count
      if status < 200 or status > 299 then
        non2xx = non2xx + count
      end
    end
  end
  table.sort(codes)
  local parts = {}
  for _, status in ipairs(codes) do
    table.insert(parts, string.format("%d:%d", status, totals[status]))
  end
  return #parts > 0 and table.concat(parts, ",") or "none", non2xx
end

function done(summary, latency, _)
  local statuses_text, non2xx_total = status_counts()
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f"
      .. " non2xx=%d socket_errors=%d statuses=%s sockets=connect:%d,read:%d,write:%d,timeout:%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    non2xx_total, errors.connect + errors.read + errors.write + errors.timeout,
    statuses_text, errors.connect, errors.read, errors.write, errors.timeout
  ))
end
