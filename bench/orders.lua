-- wrk script of bench/api_orders.py: each request asks for one order picked at random among
-- the numbers in the file BENCH_IDS (one a line), so that the database answers for many rows
-- and not one cached page. The bearer token comes with wrk's -H.
local numbers = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  numbers[#numbers + 1] = line
end

function init(args)
  -- wrk's threads each run this script in their own Lua state: a seed each.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

function request()
  return wrk.format("GET", "/api/v1/orders/" .. numbers[math.random(#numbers)])
end
