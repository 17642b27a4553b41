-- pipeline.lua -- wrk sends 16 requests in each write and counts every reply (the pipeline
-- scenario: TechEmpower's plaintext test). The requests are wrk's own (method, the URL's path,
-- Host), built once; wrk parses the replies one by one, so its request count is a count of
-- replies, never of writes. SMBENCH_PIPELINE_DEPTH changes the depth.
local depth = tonumber(os.getenv("SMBENCH_PIPELINE_DEPTH") or "") or 16
local batch

function init(args)
	local r = {}
	for i = 1, depth do
		r[i] = wrk.format()
	end
	batch = table.concat(r)
end

function request()
	return batch
end
