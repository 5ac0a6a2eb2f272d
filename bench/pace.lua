-- Constant-rate pacing for wrk, as wrk2 does it, through wrk's delay()
-- hook: request k is due at t0 + k / rate; a connection free early waits
-- for its slot, one that is late sends at once. Latency is then what a
-- user sees at that rate, not the queue a closed loop builds flat out.
-- Use: dofile(".../pace.lua"); function init(args) pace_init(args[1]) end;
-- delay = pace; and pass the rate after "--".
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } tk_timespec;
int clock_gettime(int clk, tk_timespec *tp);
]]
local ts = ffi.new("tk_timespec")
function now()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end
local rate, due = 0, nil
function pace_init(r) rate = tonumber(r) or 0 end
-- Milliseconds to wait before the next request; 0 when not paced.
function pace()
  if rate <= 0 then return 0 end
  local t = now()
  if due == nil then due = t end
  local d = due - t
  due = due + 1 / rate
  if d <= 0 then return 0 end
  return math.floor(d * 1000 + 0.5)
end
