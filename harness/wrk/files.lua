-- files.lua -- wrk asks for /file/<name> of the generated set (fileset/fileset.h) and checks
-- every reply (the files scenario, issue 24).
--
--   wrk -t N -c N -s harness/wrk/files.lua URL -- MIX DIRS [PAUSE_MS]
--
-- MIX is `mix` (SPECweb99: a class by its share, 35/50/14/1 %, a directory by a Zipf law over
-- DIRS directories, a file of the class by a Zipf law over its 9) or `hot` (the hot subset
-- only: classes 0 and 1 of dir00000, which fileset --evict leaves cached). DIRS is the set's
-- directory count (fileset_dirs: 420 for the default 2 GiB). PAUSE_MS (default 0) makes each
-- connection wait that long between a reply and its next request (wrk's delay()): a load that
-- leaves the client's CPU idle between requests, so a latency is the server's, not the time a
-- saturated client took to notice its reply.
--
-- Verification. Every reply's status and length are checked against the name asked for, and
-- one in SAMPLE (16) has 64 bytes at spread offsets checked against the content law, byte i =
-- PATTERN[(i + FNV-1a(name) mod 61) mod 61]. A reply is matched to its request because each
-- thread has one connection (-t N -c N, which the caller must keep): wrk then alternates a
-- thread's request() and response(). done() prints one line for the caller to read:
--   files: R replies, L wrong length or status, S sampled, C wrong content, B body bytes
-- (B: the bodies' bytes of every reply, for the harness's CPU per MiB; wrk counts headers too)
local PATTERN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx\n"
local SAMPLE = 16
local pct = { 35, 50, 14, 1 } -- SPECweb99's class mix

local names, sizes, phases = {}, {}, {}
local dir_cdf, k_cdf
local hot, ndirs, pause
local asked -- the index of the file the thread's one connection waits for
-- globals: done() reads them from each thread's state (thread:get)
replies, wrong, sampled, bad, bytes = 0, 0, 0, 0, 0
local threads = {}

-- (h * 16777619) mod 2^32 without losing bits in a double: 16777619 = 2^24 + 403
local function fnv_mul(h)
	return ((h % 256) * 16777216 + h * 403) % 4294967296
end

local function phase(name)
	local h = 2166136261
	for i = 1, #name do
		h = fnv_mul(bit.bxor(h, name:byte(i)) % 4294967296) -- bxor is signed: back to 0..2^32)
	end
	return h % 61
end

-- The cumulative weights of a Zipf law (s = 1) over n ranks.
local function zipf_cdf(n)
	local c, sum = {}, 0
	for r = 1, n do
		sum = sum + 1 / r
		c[r] = sum
	end
	for r = 1, n do
		c[r] = c[r] / sum
	end
	return c
end

local function draw(cdf)
	local u, lo, hi = math.random(), 1, #cdf
	while lo < hi do
		local mid = math.floor((lo + hi) / 2)
		if cdf[mid] < u then lo = mid + 1 else hi = mid end
	end
	return lo
end

local function index(d, c, k) -- 1-based index of dir d, class c, file k
	return d * 36 + c * 9 + k + 1
end

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	hot = args[1] == "hot"
	ndirs = tonumber(args[2] or "1") or 1
	pause = tonumber(args[3] or "0") or 0
	math.randomseed(os.time() + math.floor(os.clock() * 1e6))
	for d = 0, ndirs - 1 do
		for c = 0, 3 do
			for k = 0, 8 do
				local name = string.format("dir%05d/class%d_%d", d, c, k)
				local i = index(d, c, k)
				names[i] = name
				sizes[i] = math.floor((k + 1) * 1024 * 10 ^ c / 10)
				phases[i] = phase(name)
			end
		end
	end
	dir_cdf = zipf_cdf(ndirs)
	k_cdf = zipf_cdf(9)
end

function delay()
	return pause
end

function request()
	local u, c, d = math.random(1, 100), 0, 0
	if hot then
		c = u <= 41 and 0 or 1 -- 35:50, the two classes' shares
	else
		c = u <= 35 and 0 or u <= 85 and 1 or u <= 99 and 2 or 3
		d = draw(dir_cdf) - 1
	end
	asked = index(d, c, draw(k_cdf) - 1)
	return wrk.format("GET", "/file/" .. names[asked])
end

function response(status, headers, body)
	local i = asked
	replies = replies + 1
	bytes = bytes + #body
	if not i or status ~= 200 or #body ~= sizes[i] then
		wrong = wrong + 1
		return
	end
	if replies % SAMPLE ~= 0 or #body == 0 then
		return
	end
	sampled = sampled + 1
	for j = 0, 63 do
		local off = math.floor(j * (#body - 1) / 63)
		local want = (off + phases[i]) % 61 + 1
		if body:byte(off + 1) ~= PATTERN:byte(want) then
			bad = bad + 1
			return
		end
	end
end

function done(summary, latency, requests)
	local r, l, s, c, b = 0, 0, 0, 0, 0
	for _, t in ipairs(threads) do
		b = b + (t:get("bytes") or 0)
		r = r + (t:get("replies") or 0)
		l = l + (t:get("wrong") or 0)
		s = s + (t:get("sampled") or 0)
		c = c + (t:get("bad") or 0)
	end
	io.write(string.format("files: %d replies, %d wrong length or status, %d sampled, %d wrong content, %.0f body bytes\n",
		r, l, s, c, b))
end
