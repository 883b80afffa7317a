-- wrk script of bench/web.py. Prints one line for the bench to read:
--   bench requests=N p50_us=A p95_us=B errors=E
-- errors: wrk's socket errors and timeouts, and every answer that is not 2xx (a redirect
-- to the login or to the two-factor set-up is an error too: the page was not served).
--
-- With arguments (wrk ... -- TARGETS TOTAL MARKER): requests cycle over the lines
-- "path cookie" of the file TARGETS, and the threads stop after TOTAL responses between
-- them, each writing the file MARKER<thread id> when it does: wrk itself only ends at its
-- -d duration or on SIGINT, which bench/web.py sends once every thread has written it.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

errors = 0
responses = 0
local targets = nil
local limit = nil
local marker = nil
local next_target = 1

function init(args)
   if args[1] then
      targets = {}
      for line in io.lines(args[1]) do
         local path, cookie = line:match("^(%S+)%s*(.*)$")
         local headers = { ["Host"] = wrk.headers["Host"] }
         if cookie ~= "" then headers["Cookie"] = cookie end
         table.insert(targets, wrk.format("GET", path, headers))
      end
      next_target = id % #targets + 1
      -- wrk starts the threads with the same id order as setup() saw them; 2 threads.
      limit = math.floor(tonumber(args[2]) / 2)
      marker = args[3]
   end
end

function request()
   if targets then
      local r = targets[next_target]
      next_target = next_target % #targets + 1
      return r
   end
   return wrk.request()
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then
      errors = errors + 1
   end
   if limit and responses == limit then
      local file = io.open(marker .. id, "w")
      file:close()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local total = e.connect + e.read + e.write + e.timeout
   local counted = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("errors")
      counted = counted + thread:get("responses")
   end
   io.write(string.format(
      "bench requests=%d p50_us=%d p95_us=%d errors=%d\n",
      limit and counted or summary.requests,
      latency:percentile(50), latency:percentile(95), total
   ))
end
