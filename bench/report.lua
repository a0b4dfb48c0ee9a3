-- wrk reporter: one JSON line with requests per second and latency percentiles (ms).
--
-- BENCH_MANY_CLIENTS=1: each request comes from another client address (X-Forwarded-For,
-- read through the one trusted proxy of the bench's servers), as riders' phones would; the
-- API's per-address throttle then limits no one, and the answers made are measured rather
-- than the 429s a single address gets.
if os.getenv("BENCH_MANY_CLIENTS") == "1" then
  local threads = 0
  setup = function(thread)  -- each wrk thread counts through its own share of the addresses
    thread:set("first", threads * 4194304)
    threads = threads + 1
  end
  local n = 0
  init = function(args) n = first end
  request = function()
    n = (n + 1) % 16777216
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
    return wrk.format(nil, nil, headers)
  end
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
