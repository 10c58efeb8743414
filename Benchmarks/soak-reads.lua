-- wrk script for scripts/soak: cycles through the three GitHub endpoints, on the repository the
-- soak mutates (acme/soak, its list) and on the documentation example (a group and a run page
-- that always exist), so every read answers 200 whatever the queues look like.
local paths = {
  "/repos/acme/soak/actions/concurrency_groups?per_page=100",
  "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod",
  "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups",
}
local next = 0

request = function()
  next = next % #paths + 1
  return wrk.format("GET", paths[next])
end
