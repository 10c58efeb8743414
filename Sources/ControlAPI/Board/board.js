// The board: every concurrency group of every mocked repository as a lane, a feed of what
// happened in words, and demo controls. Plain JavaScript, no build step, no dependencies.
//
// Data: a snapshot (GET /_mock/state: repositories, workflows, runs, their configured groups,
// and each queue item's kind and times) when the page opens or reconnects; then, for each event
// of the live stream, only what it touched: GitHub's own GET .../concurrency_groups/{name} for a
// group's members in order, GET /_mock/repos/{o}/{r}/runs/{id} for a run and its jobs. Every
// string from the server reaches the page through textContent, never as HTML.
"use strict";

const EVENT_TYPES = [
  "run.created", "run.completed", "run.cancelled", "job.started", "job.completed", "job.cancelled",
  "group.requested", "group.acquired", "group.released", "clock.changed", "state.replaced", "state.reset",
];
const FEED_LIMIT = 200;
const POLL_MILLISECONDS = 200;
const VISIBLE_ITEMS = 9;
const expanded = new Set();  // lanes showing every item
let repositoryChosen = false;  // the presenter picked the trigger's repository themselves

// --- Access -----------------------------------------------------------------------------------

// Under --control-token the page is opened as /_mock/ui?token=T; the token goes on every request
// of its own (the Authorization header, or ?token= where a header cannot be set: EventSource).
const token = new URLSearchParams(location.search).get("token");

class HTTPError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function request(path, { method = "GET", body, github = false } = {}) {
  const headers = {};
  if (github) {
    headers["Accept"] = "application/vnd.github+json";
    if (model.githubToken) headers["Authorization"] = `Bearer ${model.githubToken}`;
  } else if (token) {
    headers["Authorization"] = `Bearer ${token}`;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    if (response.status === 401 && !github) showTokenNotice();
    throw new HTTPError(response.status, json);
  }
  return json;
}

// A path segment as GitHub's paths want it: `/` encoded, and `.`/`..` spelled %2E so that URL
// parsing does not remove them as dot segments.
function segment(name) {
  if (name === "." || name === "..") return name.replace(/\./g, "%2E");
  return encodeURIComponent(name);
}

// --- The model ----------------------------------------------------------------------------------

const model = {
  repositories: new Map(),   // "owner/name" lowercased → repository
  clock: null,               // { now: ms, frozen, fetchedAt: ms of performance.now() }
  githubToken: "concurrency-mock-board",
  // What the GitHub answer of a group does not say, per item: kind, waiting since, acquired at.
  itemFacts: new Map(),      // "repo|group|run|job" → { kind, waitingSince, acquiredAt }
  lastEvent: null,           // { seq, at, type, run_id } of the newest event applied
  holders: new Map(),        // "repo|group" → "run|job" holding it, as the feed has told
  selectedRun: null,         // { repository, id } shown in the dialog
};

const fold = (text) => text.toLowerCase();
const factKey = (repository, group, run, job) => `${fold(repository)}|${fold(group)}|${run}|${job ?? ""}`;

function newRepository(owner, name) {
  return {
    owner, name, full: `${owner}/${name}`, visibility: "public",
    workflows: [], runs: new Map(), jobs: new Map(),
    groups: new Map(),      // folded name → { name, items: [...] } (active groups)
    configured: new Map(),  // folded name → name, every group a run is configured for
  };
}

function repositoryOf(full) {
  return model.repositories.get(fold(full || ""));
}

// Jobs of a run document or an exported run, flattened with their depth.
function flattenJobs(jobs, depth = 0, parent = null, into = []) {
  for (const job of jobs || []) {
    into.push({ ...job, depth, parent_id: job.parent_id ?? parent });
    if (job.jobs) flattenJobs(job.jobs, depth + 1, job.id, into);
  }
  return into;
}

function storeRun(repository, run) {
  let jobs = flattenJobs(run.jobs);
  if (jobs.some((job) => job.parent_id !== null && job.depth === 0)) {
    // A run document lists its tree flat with parent_id: compute the depths.
    const byID = new Map(jobs.map((job) => [job.id, job]));
    const depth = (job) => (job.parent_id === null ? 0 : 1 + depth(byID.get(job.parent_id) || { parent_id: null }));
    jobs = jobs.map((job) => ({ ...job, depth: depth(job) }));
  }
  const stored = {
    id: run.id, name: run.name, workflow: run.workflow, status: run.status, conclusion: run.conclusion,
    cancellation_reason: run.cancellation_reason, cancelled_by: run.cancelled_by,
    concurrency_groups: run.concurrency_groups || [], jobs,
  };
  repository.runs.set(run.id, stored);
  for (const job of jobs) repository.jobs.set(job.id, job);
  for (const group of stored.concurrency_groups) {
    if (!repository.configured.has(fold(group))) repository.configured.set(fold(group), group);
  }
}

function applySnapshot(state) {
  model.repositories = new Map();
  model.itemFacts = new Map();
  model.holders = new Map();
  const classic = (state.tokens || []).find((t) =>
    (t.type === "classic" || t.type === "oauth_app") && (t.scopes || []).includes("repo"));
  // Permissive mode reads everything with any token; strict mode needs one it knows.
  model.githubToken = state.auth === "strict" ? (classic ? classic.token : null) : "concurrency-mock-board";
  model.clock = { now: Date.parse(state.now), frozen: state.frozen, fetchedAt: performance.now() };
  for (const entry of state.repositories || []) {
    const repository = newRepository(entry.owner, entry.name);
    repository.visibility = entry.visibility;
    repository.workflows = (entry.workflows || []).map((w) => w.file);
    for (const name of entry.group_names || []) repository.configured.set(fold(name), name);
    for (const run of entry.runs || []) storeRun(repository, run);
    for (const group of entry.concurrency_groups || []) {
      repository.groups.set(fold(group.name), {
        name: group.name,
        items: group.queue.map((item) => {
          const facts = { kind: item.kind, waitingSince: item.waiting_since, acquiredAt: item.acquired_at };
          model.itemFacts.set(factKey(repository.full, group.name, item.run, item.job), facts);
          return describeItem(repository, item.run, item.job ?? null, null);
        }),
      });
      const holder = group.queue[0];
      if (holder) model.holders.set(holderKey({ repository: repository.full, group: group.name }), `${holder.run}|${holder.job ?? ""}`);
    }
    model.repositories.set(fold(repository.full), repository);
  }
}

// One queue item as the lanes show it, from what the model knows about its run and job.
function describeItem(repository, runID, jobID, member) {
  const run = repository.runs.get(runID);
  const job = jobID ? repository.jobs.get(jobID) : null;
  return {
    run: runID,
    job: jobID,
    runName: (member && member.run_name) || (run && run.name) || `run ${runID}`,
    jobName: (member && member.job_name) || (job && job.name) || null,
    status: (member && member.status) || (job ? job.status : run ? run.status : "pending"),
  };
}

function applyGroupMembers(repository, name, answer) {
  const items = answer.group_members.map((member) =>
    describeItem(repository, member.run_id, member.job_id ?? null, member));
  repository.groups.set(fold(answer.group_name || name), { name: answer.group_name || name, items });
  repository.configured.set(fold(answer.group_name || name), answer.group_name || name);
}

// --- Events: the live stream, with a polling fallback ---------------------------------------------

let source = null;        // the EventSource while streaming
let mode = "connecting";  // "stream" | "polling" | "connecting"
let connectedOnce = false;
let pending = [];         // events waiting for the next apply
let applying = null;

function setConnection(state, text) {
  const element = document.getElementById("connection");
  element.dataset.state = state;
  element.textContent = text;
}

function receive(event) {
  if (model.lastEvent && event.seq <= model.lastEvent.seq) return;
  model.lastEvent = { seq: event.seq, at: event.at, type: event.type, run_id: event.run_id };
  pending.push(event);
  if (!applying) applying = Promise.resolve().then(applyPending);
}

// Applies what arrived: the feed at once, then one request per touched group and run.
async function applyPending() {
  try {
    while (pending.length) {
      const batch = pending;
      pending = [];
      let resync = false;
      let clockChanged = false;
      const groups = new Map();
      const runs = new Map();
      for (const event of batch) {
        addToFeed(event, true);
        if (event.type === "state.replaced" || event.type === "state.reset") { resync = true; continue; }
        if (event.type === "clock.changed") { clockChanged = true; continue; }
        const repository = repositoryOf(event.repository);
        if (!repository) { resync = true; continue; }
        if (event.run_id) runs.set(`${repository.full}|${event.run_id}`, [repository, event.run_id]);
        if (event.group) {
          groups.set(`${fold(repository.full)}|${fold(event.group)}`, [repository, event.group]);
          const key = factKey(repository.full, event.group, event.run_id, event.job_id);
          const facts = model.itemFacts.get(key) || {};
          if (event.type === "group.requested") Object.assign(facts, { kind: event.kind, waitingSince: event.at, acquiredAt: null });
          if (event.type === "group.acquired") Object.assign(facts, { kind: event.kind, acquiredAt: event.at });
          if (event.type === "group.released") model.itemFacts.delete(key);
          else model.itemFacts.set(key, facts);
        }
      }
      // A burst (a hundred triggers at once) is cheaper read whole than run by run.
      if (resync || runs.size + groups.size > 40) { await loadSnapshot(); continue; }
      const work = [];
      if (clockChanged) work.push(request("/_mock/clock").then((clock) => {
        model.clock = { now: Date.parse(clock.now), frozen: clock.frozen, fetchedAt: performance.now() };
      }));
      for (const [repository, id] of runs.values()) {
        work.push(request(`/_mock/repos/${segment(repository.owner)}/${segment(repository.name)}/runs/${id}`)
          .then((run) => storeRun(repository, run)).catch(() => {}));
      }
      // Runs first, so that members are described with their new statuses and names.
      await Promise.all(work);
      const groupWork = [];
      let fallback = false;
      for (const [repository, name] of groups.values()) {
        if (!model.githubToken) { fallback = true; continue; }
        const path = `/repos/${segment(repository.owner)}/${segment(repository.name)}/actions/concurrency_groups/${segment(name)}`;
        groupWork.push(request(path, { github: true })
          .then((answer) => applyGroupMembers(repository, name, answer))
          .catch((error) => {
            if (error.status === 404) repository.groups.delete(fold(name));  // no one in line any more
            else fallback = true;
          }));
      }
      await Promise.all(groupWork);
      // GitHub's endpoints refused the board (strict mode without a known token): read the export.
      if (fallback) await loadSnapshot();
      render();
    }
  } finally {
    applying = null;
  }
}

function streamURL(since) {
  const query = new URLSearchParams({ since: String(since) });
  if (token) query.set("token", token);
  return `/_mock/events/stream?${query}`;
}

// Opens the stream. EventSource reconnects by itself after a dropped connection, sending
// Last-Event-ID, so the stream resumes after the last event this page applied.
function openStream() {
  if (source) source.close();
  const since = model.lastEvent ? model.lastEvent.seq : 0;
  source = new EventSource(streamURL(since));
  const onEvent = (message) => {
    try { receive(JSON.parse(message.data)); } catch { /* not an event of ours */ }
  };
  for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
  source.addEventListener("message", onEvent);
  source.onopen = () => {
    mode = "stream";
    setConnection("live", "live");
    if (connectedOnce) afterReconnect();
    connectedOnce = true;
  };
  source.onerror = async () => {
    if (source.readyState === EventSource.CONNECTING) {
      setConnection("reconnecting", "reconnecting…");
      return;
    }
    // CLOSED: the answer was not a stream (an error status). Which one?
    source.close();
    source = null;
    let status = 0;
    try {
      const controller = new AbortController();
      const response = await fetch(streamURL(since), {
        headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: controller.signal,
      });
      status = response.status;
      controller.abort();
    } catch { status = 0; }
    if (status === 404) {
      startPolling();
    } else {
      if (status === 401) showTokenNotice();
      setConnection("reconnecting", "reconnecting…");
      setTimeout(openStream, 1000);
    }
  };
}

// FALLBACK, for builds without GET /_mock/events/stream (it answers 404 there): ask the journal
// for what is new every 200 ms. Each poll asks from the last event seen, which must come back
// unchanged: otherwise the server restarted (its journal numbers from 1 again) and the page reads
// everything afresh. Remove once every build serves the stream.
function startPolling() {
  mode = "polling";
  let failed = false;
  const poll = async () => {
    try {
      const last = model.lastEvent;
      const check = !!(last && last.at);
      const answer = await request(`/_mock/events?since=${check ? last.seq - 1 : last ? last.seq : 0}&limit=1000`);
      setConnection("live", "live (polling)");
      if ((check && !sameEvent(answer.events[0], last)) || failed) {
        await afterReconnect();
      } else {
        for (const event of answer.events.slice(check ? 1 : 0)) receive(event);
      }
      failed = false;
    } catch {
      failed = true;
      setConnection("reconnecting", "reconnecting…");
    }
    setTimeout(poll, POLL_MILLISECONDS);
  };
  poll();
}

function sameEvent(event, last) {
  return !!event && event.seq === last.seq && event.at === last.at && event.type === last.type && event.run_id === last.run_id;
}

// The newest event number and the recent events, for the feed and for the stream's `since`.
async function loadRecentEvents() {
  const head = await request("/_mock/events?since=0&limit=1");
  const latest = head.oldest_seq + head.total_count - 1;
  const recent = await request(`/_mock/events?since=${Math.max(0, latest - 60)}`);
  const feed = document.getElementById("feed");
  feed.replaceChildren();
  document.getElementById("feed-empty").hidden = recent.events.length > 0;
  for (const event of recent.events) addToFeed(event, false);
  const last = recent.events[recent.events.length - 1];
  model.lastEvent = last ? { seq: last.seq, at: last.at, type: last.type, run_id: last.run_id } : { seq: latest, at: null };
}

async function loadSnapshot() {
  const state = await request("/_mock/state");
  applySnapshot(state);
  render();
}

// After a dropped connection: the same server (the event we saw last is still there, unchanged)
// goes on where it stopped; a restarted one (or a wrapped journal) is read afresh.
async function afterReconnect() {
  const last = model.lastEvent;
  let same = false;
  if (last && last.at) {
    try {
      const answer = await request(`/_mock/events?since=${last.seq - 1}&limit=1`);
      same = sameEvent(answer.events[0], last);
    } catch { same = false; }
  }
  await loadSnapshot();
  if (!same) {
    await loadRecentEvents();
    if (mode === "stream") openStream();
  }
}

// --- Words ---------------------------------------------------------------------------------------

function runLabel(event, id = event.run_id) {
  return { run: id, repository: event.repository };
}

function jobName(event) {
  const repository = repositoryOf(event.repository);
  const job = repository && event.job_id ? repository.jobs.get(event.job_id) : null;
  return job ? job.name : event.job_id ? `job ${event.job_id}` : null;
}

// Who holds each group, followed through the events as the feed tells them (the lanes may be
// read only after a whole burst), so that a release is told apart from leaving the line.
const holderKey = (event) => `${fold(event.repository || "")}|${fold(event.group || "")}`;
const itemName = (event) => `${event.run_id}|${event.job_id ?? ""}`;

function heldLease(event) {
  const holder = model.holders.get(holderKey(event));
  return holder === undefined || holder === itemName(event);
}

function followHolders(event) {
  if (event.type === "group.acquired") model.holders.set(holderKey(event), itemName(event));
  if (event.type === "group.released" && heldLease(event)) model.holders.delete(holderKey(event));
}

const KIND_WORDS = { workflow: "workflow lease", job: "job lease", reusable_workflow: "reusable-workflow lease" };

// The event in words, as a list of pieces: strings, { run, repository } and { group }.
function describe(event) {
  const run = runLabel(event);
  const group = event.group ? { group: event.group } : null;
  const job = jobName(event);
  const forJob = job && event.job_id ? [` for job “${job}”`] : [];
  const cause = event.cause;
  switch (event.type) {
    case "run.created": return ["triggered ", run];
    case "run.completed": return [run, ` completed: ${event.conclusion}`];
    case "run.cancelled":
      if (!cause) return [run, " was cancelled"];
      switch (cause.reason) {
        case "superseded":
          return [runLabel(event, cause.by_run_id), " replaced ", run, " in ", { group: cause.group }, " (queue: single)"];
        case "cancel_in_progress":
          return [runLabel(event, cause.by_run_id), " cancelled the in-progress ", run, " in ", { group: cause.group }, " (cancel-in-progress)"];
        case "queue_full":
          return [run, " was refused: ", { group: cause.group }, " already holds 100 pending (queue: max)"];
        case "deadlock":
          return ["deadlock: ", run, " asked for ", { group: cause.group }, " inside its own lease on it, and was cancelled"];
        case "requested": return [run, " was cancelled on request"];
        default: return [run, ` was cancelled (${cause.reason})`];
      }
    case "job.started": return [`job “${job}” of `, run, " started"];
    case "job.completed":
      if (cause && cause.reason === "needs_failed") return [`job “${job}” of `, run, " was skipped: a job it needs did not succeed"];
      return [`job “${job}” of `, run, `: ${event.conclusion}`];
    case "job.cancelled": return [`job “${job}” of `, run, " was cancelled"];
    case "group.requested": return [run, " asks for ", group, ...forJob, ` (${KIND_WORDS[event.kind] || event.kind})`];
    case "group.acquired": return [run, " acquired ", group, ...forJob];
    case "group.released":
      // Said before the lanes are read again: the model still shows where the item was.
      return heldLease(event) ? [run, " released ", group, ...forJob] : [run, " left the line of ", group, ...forJob];
    case "clock.changed": return [`the clock was set to ${formatTime(event.at)}`];
    case "state.replaced": return ["the whole state was replaced"];
    case "state.reset": return ["the state was reset to how the server started"];
    default: return [event.type];
  }
}

const MAJOR = new Set(["run.created", "run.completed", "run.cancelled", "group.requested", "group.acquired",
  "group.released", "clock.changed", "state.replaced", "state.reset"]);

function addToFeed(event, live) {
  const feed = document.getElementById("feed");
  const item = document.createElement("li");
  // A run's cancellation is told by run.cancelled; its completion as cancelled adds nothing.
  const major = MAJOR.has(event.type) && !(event.type === "run.completed" && event.conclusion === "cancelled");
  item.className = major ? "event" : "event minor";
  if (event.type === "run.cancelled") item.classList.add("cancel");
  if (event.type === "run.cancelled" && event.cause && event.cause.reason === "deadlock") item.classList.add("deadlock");
  item.dataset.type = event.type;
  item.dataset.seq = event.seq;
  const time = document.createElement("time");
  time.dateTime = event.at;
  time.textContent = formatTime(event.at);
  const text = document.createElement("span");
  text.className = "words";
  for (const piece of describe(event)) text.append(renderPiece(piece));
  followHolders(event);
  item.append(time, text);
  if (event.repository && model.repositories.size > 1) {
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = event.repository;
    item.append(where);
  }
  if (event.cause && event.cause.message && event.type !== "job.cancelled") {
    const why = document.createElement("q");
    why.className = "annotation";
    why.textContent = event.cause.message;
    item.append(why);
  }
  if (live) item.classList.add("fresh");
  feed.prepend(item);
  while (feed.children.length > FEED_LIMIT) feed.lastElementChild.remove();
  document.getElementById("feed-empty").hidden = true;
}

function renderPiece(piece) {
  if (piece === null || piece === undefined) return "";
  if (typeof piece === "string") return piece;
  if (piece.group !== undefined) {
    const code = document.createElement("code");
    code.textContent = piece.group;
    return code;
  }
  if (piece.run !== undefined) return runButton(piece.repository, piece.run, `run ${piece.run}`);
  return "";
}

function runButton(repository, id, text) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link run-link";
  button.textContent = text;
  button.dataset.openRun = id;
  button.dataset.repository = repository;
  return button;
}

// --- Time ---------------------------------------------------------------------------------------

function simulatorNow() {
  if (!model.clock) return Date.now();
  if (model.clock.frozen) return model.clock.now;
  return model.clock.now + (performance.now() - model.clock.fetchedAt);
}

function formatTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  return date.toISOString().slice(11, 19);
}

function formatDuration(milliseconds) {
  let seconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) return `${hours}h ${minutes}m`;
  if (minutes) return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
  return `${seconds}s`;
}

function tick() {
  const now = simulatorNow();
  const clock = document.getElementById("clock");
  if (model.clock) {
    clock.dateTime = new Date(now).toISOString();
    clock.textContent = new Date(now).toISOString().replace("T", " ").slice(0, 19) + " UTC";
    document.getElementById("clock-mode").textContent = model.clock.frozen ? "(frozen)" : "(running)";
  }
  for (const element of document.querySelectorAll("[data-since]")) {
    element.textContent = formatDuration(now - Date.parse(element.dataset.since));
  }
}

// --- Rendering ----------------------------------------------------------------------------------

const STATUS_WORDS = {
  in_progress: "▶ in progress", pending: "◔ pending", queued: "… queued", completed: "■ completed",
};
const CONCLUSION_WORDS = { success: "✓ success", failure: "✗ failure", cancelled: "⊘ cancelled", skipped: "↷ skipped" };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function renderItem(repository, group, item, position) {
  const facts = model.itemFacts.get(factKey(repository.full, group.name, item.run, item.job)) || {};
  const li = element("li", position === 0 ? "item holder" : "item");
  li.dataset.runId = item.run;
  if (item.job) li.dataset.jobId = item.job;
  li.dataset.status = item.status;
  li.dataset.position = position;
  if (facts.kind) li.dataset.kind = facts.kind;

  const top = element("div", "item-top");
  top.append(element("span", "position", position === 0 ? "holder" : `#${position}`));
  top.append(element("span", "badge", STATUS_WORDS[item.status] || item.status));
  top.lastChild.dataset.status = item.status;
  li.append(top);

  const title = element("p", "item-title");
  const open = runButton(repository.full, item.run, item.runName);
  open.setAttribute("aria-label", `${item.runName}, run ${item.run}: show its jobs`);
  open.dataset.focusKey = `open|${repository.full}|${group.name}|${item.run}|${item.job ?? ""}`;
  title.append(open, " ", element("span", "run-id", `#${item.run}`));
  li.append(title);
  if (item.jobName && item.job) li.append(element("p", "job-name", `job: ${item.jobName}`));

  const details = element("p", "item-facts");
  if (facts.kind) details.append(element("span", "kind", KIND_WORDS[facts.kind] || facts.kind));
  if (position === 0) {
    if (facts.acquiredAt) {
      details.append(element("span", "time", `acquired ${formatTime(facts.acquiredAt)}`));
      const held = element("span", "elapsed");
      held.dataset.since = facts.acquiredAt;
      details.append(" · held ", held);
    }
  } else if (facts.waitingSince) {
    const waiting = element("span", "elapsed");
    waiting.dataset.since = facts.waitingSince;
    details.append(element("span", "time", "waiting "), waiting);
  }
  li.append(details);

  const actions = element("div", "item-actions");
  const label = `${item.runName} #${item.run}`;
  if (position === 0) {
    // A job-level lease is released by completing the job; a workflow-level or reusable-workflow
    // lease by completing the run (a `uses:` job completes when its called jobs have).
    const completeJob = item.job && facts.kind === "job";
    for (const [conclusion, text] of [["success", "Complete ✓"], ["failure", "Fail ✗"]]) {
      const button = element("button", conclusion === "success" ? "action complete" : "action fail", text);
      button.type = "button";
      button.dataset.action = completeJob ? "complete-job" : "complete-run";
      button.dataset.conclusion = conclusion;
      button.setAttribute("aria-label", `${conclusion === "success" ? "Complete" : "Fail"} ${completeJob ? `job ${item.jobName}` : "run"} of ${label}`);
      actions.append(button);
    }
  }
  const cancel = element("button", "action cancel", "Cancel");
  cancel.type = "button";
  cancel.dataset.action = "cancel-run";
  cancel.setAttribute("aria-label", `Cancel ${label}`);
  actions.append(cancel);
  for (const button of actions.children) {
    button.dataset.repository = repository.full;
    button.dataset.run = item.run;
    if (item.job) button.dataset.job = item.job;
    button.dataset.focusKey = `${button.dataset.action}|${button.dataset.conclusion ?? ""}|${repository.full}|${group.name}|${item.run}|${item.job ?? ""}`;
  }
  li.append(actions);
  return li;
}

function renderLane(repository, group) {
  const lane = element("article", "lane");
  lane.dataset.group = group.name;
  const header = element("header", "lane-header");
  header.append(element("h4", "group-name", group.name));
  const waiting = group.items.length - 1;
  header.append(element("span", "count", waiting === 0 ? "holder only" : `holder + ${waiting} pending`));
  lane.append(header);
  const queue = element("ol", "queue");
  queue.setAttribute("aria-label", `Queue of ${group.name}`);
  // A queue: max line holds up to 100: show the first few unless asked for all.
  const key = `${fold(repository.full)}|${fold(group.name)}`;
  const shown = expanded.has(key) ? group.items.length : Math.min(group.items.length, VISIBLE_ITEMS);
  group.items.slice(0, shown).forEach((item, position) => queue.append(renderItem(repository, group, item, position)));
  lane.append(queue);
  if (group.items.length > VISIBLE_ITEMS) {
    const toggle = element("button", "more", expanded.has(key)
      ? "Show the first few only" : `Show all ${group.items.length} (${group.items.length - shown} more pending)`);
    toggle.type = "button";
    toggle.dataset.toggleGroup = key;
    toggle.dataset.focusKey = `toggle|${key}`;
    toggle.setAttribute("aria-expanded", expanded.has(key) ? "true" : "false");
    lane.append(toggle);
  }
  return lane;
}

function matchesFilter(repository, groupName) {
  const filter = fold(document.getElementById("filter").value.trim());
  if (!filter) return true;
  return fold(repository.full).includes(filter) || fold(groupName).includes(filter);
}

function render() {
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : null;
  const container = document.getElementById("repositories");
  const sections = [];
  const repositories = [...model.repositories.values()].sort((a, b) => fold(a.full) < fold(b.full) ? -1 : 1);
  for (const repository of repositories) {
    const section = element("section", "repository");
    section.dataset.repository = repository.full;
    const heading = element("h3", "repository-name", repository.full);
    if (repository.visibility === "private") heading.append(element("span", "private", "private"));
    section.append(heading);
    const active = [...repository.groups.values()]
      .filter((group) => group.items.length && matchesFilter(repository, group.name))
      .sort((a, b) => fold(a.name) < fold(b.name) ? -1 : 1);
    const idle = [...repository.configured.entries()]
      .filter(([key, name]) => !repository.groups.has(key) && matchesFilter(repository, name))
      .map(([, name]) => name)
      .sort((a, b) => fold(a) < fold(b) ? -1 : 1);
    if (!active.length && !idle.length) {
      if (document.getElementById("filter").value.trim()) continue;
      section.append(element("p", "empty", "No concurrency groups yet."));
    }
    const lanes = element("div", "lanes");
    for (const group of active) lanes.append(renderLane(repository, group));
    section.append(lanes);
    if (idle.length) {
      const list = element("ul", "idle-groups");
      list.setAttribute("aria-label", `Idle groups of ${repository.full}`);
      for (const name of idle) {
        const chip = element("li", "lane idle");
        chip.dataset.group = name;
        chip.dataset.status = "idle";
        chip.append(element("span", "badge", "○ idle"), " ", element("span", "group-name", name));
        chip.firstChild.dataset.status = "idle";
        list.append(chip);
      }
      section.append(list);
    }
    sections.push(section);
  }
  if (!sections.length) sections.push(element("p", "empty", "Nothing matches the filter."));
  container.replaceChildren(...sections);
  if (focused) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  renderTriggerChoices();
  if (model.selectedRun) renderRun();
  tick();
}

// --- Controls -------------------------------------------------------------------------------------

function say(text, failed = false) {
  const result = document.getElementById("control-result");
  result.textContent = text;
  result.dataset.failed = failed ? "true" : "false";
}

function renderTriggerChoices() {
  const select = document.getElementById("trigger-repository");
  const chosen = select.value;
  const names = [...model.repositories.values()].map((r) => r.full).sort();
  if ([...select.options].map((o) => o.value).join("\n") !== names.join("\n")) {
    select.replaceChildren(...names.map((name) => new Option(name, name)));
    if (names.includes(chosen)) select.value = chosen;
  }
  // Until the presenter picks one, offer a repository that has workflows to trigger.
  const current = repositoryOf(select.value);
  if (!repositoryChosen && (!current || !current.workflows.length)) {
    const withWorkflows = [...model.repositories.values()].find((r) => r.workflows.length);
    if (withWorkflows) select.value = withWorkflows.full;
  }
  renderWorkflowChoices();
}

function renderWorkflowChoices() {
  const repository = repositoryOf(document.getElementById("trigger-repository").value);
  const select = document.getElementById("trigger-workflow");
  const chosen = select.value;
  const files = repository ? repository.workflows : [];
  if (select.options.length && [...select.options].map((o) => o.value).join("\n") === files.join("\n")) return;
  select.replaceChildren(...files.map((file) => new Option(file, file)));
  if (!files.length) select.append(new Option("no workflow registered", ""));
  if (files.includes(chosen)) select.value = chosen;
  document.getElementById("trigger-button").disabled = !files.length;
}

function repoPath(full) {
  const repository = repositoryOf(full);
  return `/_mock/repos/${segment(repository.owner)}/${segment(repository.name)}`;
}

async function act(button) {
  const { action, repository, run, job, conclusion } = button.dataset;
  const path = repoPath(repository);
  button.disabled = true;
  try {
    if (action === "complete-job") {
      await request(`${path}/jobs/${job}/complete`, { method: "POST", body: { conclusion } });
      say(`Completed job ${job} of run ${run}: ${conclusion}.`);
    } else if (action === "complete-run") {
      if (conclusion === "failure") {
        // The control API completes runs with success only: fail one running job, then complete
        // the others; a failed job outweighs them, so the run concludes failure.
        const current = await request(`${path}/runs/${run}`);
        const callsWorkflow = (job) => current.jobs.some((other) => other.parent_id === job.id);
        const running = current.jobs.find((job) => job.status === "in_progress" && !callsWorkflow(job));
        if (!running) throw new Error(`run ${run} has no job in progress to fail`);
        await request(`${path}/jobs/${running.id}/complete`, { method: "POST", body: { conclusion: "failure" } });
        const answer = await request(`${path}/runs/${run}/complete`, { method: "POST", body: {} });
        say(answer.status === "completed"
          ? `Failed job “${running.name}”: run ${run} completed: ${answer.conclusion}.`
          : `Failed job “${running.name}” of run ${run}; it is still ${answer.status} (its other jobs wait for a lease).`);
      } else {
        const answer = await request(`${path}/runs/${run}/complete`, { method: "POST", body: {} });
        say(answer.status === "completed"
          ? `Completed run ${run}: ${answer.conclusion}.`
          : `Completed the running jobs of run ${run}; it is still ${answer.status} (its other jobs wait for a lease).`);
      }
    } else if (action === "cancel-run") {
      await request(`${path}/runs/${run}/cancel`, { method: "POST", body: {} });
      say(`Cancelled run ${run}.`);
    }
  } catch (error) {
    say(`Refused: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function trigger(form) {
  const repository = document.getElementById("trigger-repository").value;
  const workflow = document.getElementById("trigger-workflow").value;
  let inputs;
  try {
    inputs = JSON.parse(document.getElementById("trigger-inputs").value || "{}");
  } catch {
    say("Inputs must be a JSON object, like {\"environment\": \"prod\"}.", true);
    return;
  }
  const body = {
    workflow, ref: document.getElementById("trigger-ref").value, event: document.getElementById("trigger-event").value, inputs,
  };
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const run = await request(`${repoPath(repository)}/runs`, { method: "POST", body });
    say(`Triggered run ${run.id} (${run.name}): ${run.status}.`);
  } catch (error) {
    say(`Refused: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function advanceClock() {
  const seconds = Number(document.getElementById("clock-seconds").value);
  try {
    const clock = await request("/_mock/clock/advance", { method: "POST", body: { seconds } });
    say(`The clock reads ${formatTime(clock.now)}.`);
  } catch (error) {
    say(`Refused: ${error.message}`, true);
  }
}

// --- The run dialog -------------------------------------------------------------------------------

async function openRun(repository, id) {
  model.selectedRun = { repository, id: Number(id) };
  const owner = repositoryOf(repository);
  try {
    storeRun(owner, await request(`${repoPath(repository)}/runs/${id}`));
  } catch (error) {
    say(`Cannot read run ${id}: ${error.message}`, true);
  }
  renderRun();
  const dialog = document.getElementById("run-dialog");
  if (!dialog.open) dialog.showModal();
}

function renderRun() {
  const { repository, id } = model.selectedRun;
  const owner = repositoryOf(repository);
  const run = owner && owner.runs.get(id);
  const body = document.getElementById("run-body");
  if (!run) { body.replaceChildren(element("p", null, "This run is not known.")); return; }
  document.getElementById("run-title").textContent = `${run.name} #${run.id}`;
  const summary = element("p", "run-summary");
  const status = element("span", "badge", run.conclusion ? CONCLUSION_WORDS[run.conclusion] || run.conclusion : STATUS_WORDS[run.status] || run.status);
  status.dataset.status = run.conclusion || run.status;
  summary.append(status, ` ${repository}`, run.workflow ? ` · ${run.workflow}` : "");
  const parts = [summary];
  if (run.cancellation_reason) parts.push(element("p", "annotation", run.cancellation_reason));
  if (run.concurrency_groups.length) {
    const groups = element("p", "run-groups", "groups: ");
    run.concurrency_groups.forEach((name, index) => {
      if (index) groups.append(", ");
      groups.append(element("code", null, name));
    });
    parts.push(groups);
  }
  const table = element("table", "jobs");
  const head = element("thead");
  const headRow = element("tr");
  for (const title of ["job", "status", "conclusion", ""]) headRow.append(element("th", null, title));
  head.append(headRow);
  const rows = element("tbody");
  for (const job of run.jobs) {
    const row = element("tr");
    row.dataset.jobId = job.id;
    row.dataset.status = job.status;
    const name = element("td", "job-cell", job.name);
    name.style.setProperty("--depth", job.depth || 0);
    const state = element("td");
    const badge = element("span", "badge", STATUS_WORDS[job.status] || job.status);
    badge.dataset.status = job.status;
    state.append(badge);
    const conclusion = element("td", null, job.conclusion ? CONCLUSION_WORDS[job.conclusion] || job.conclusion : "–");
    const actions = element("td");
    const callsWorkflow = run.jobs.some((other) => other.parent_id === job.id);
    if (job.status === "in_progress" && !callsWorkflow) {
      for (const [value, text] of [["success", "Complete ✓"], ["failure", "Fail ✗"]]) {
        const button = element("button", `action ${value === "success" ? "complete" : "fail"}`, text);
        button.type = "button";
        Object.assign(button.dataset, { action: "complete-job", conclusion: value, repository, run: run.id, job: job.id });
        button.setAttribute("aria-label", `${text.split(" ")[0]} job ${job.name}`);
        actions.append(button);
      }
    }
    row.append(name, state, conclusion, actions);
    rows.append(row);
  }
  table.append(head, rows);
  parts.push(table);
  if (run.status !== "completed") {
    const cancel = element("button", "action cancel", "Cancel run");
    cancel.type = "button";
    Object.assign(cancel.dataset, { action: "cancel-run", repository, run: run.id });
    parts.push(element("p", "run-actions"));
    parts[parts.length - 1].append(cancel);
  }
  body.replaceChildren(...parts);
}

// --- Notices ---------------------------------------------------------------------------------------

function showTokenNotice() {
  const notice = document.getElementById("notice");
  notice.replaceChildren();
  notice.append(
    element("strong", null, "This server asks for its control token. "),
    token
      ? "The token in this page's address is not the one concurrency-mock was started with."
      : "It was started with --control-token: open this page as ",
  );
  if (!token) {
    notice.append(element("code", null, `${location.origin}/_mock/ui?token=<the --control-token value>`), ".");
  }
  notice.hidden = false;
  setConnection("offline", "needs the control token");
}

// --- Start ------------------------------------------------------------------------------------------

function wire() {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.toggleGroup) {
      const key = target.dataset.toggleGroup;
      if (expanded.has(key)) expanded.delete(key); else expanded.add(key);
      render();
    } else if (target.dataset.openRun) openRun(target.dataset.repository, target.dataset.openRun);
    else if (target.dataset.action) act(target);
  });
  document.getElementById("filter").addEventListener("input", render);
  document.getElementById("trigger-repository").addEventListener("change", () => {
    repositoryChosen = true;
    renderWorkflowChoices();
  });
  document.getElementById("trigger-form").addEventListener("submit", (event) => { event.preventDefault(); trigger(event.target); });
  document.getElementById("clock-form").addEventListener("submit", (event) => { event.preventDefault(); advanceClock(); });
  document.getElementById("feed-jobs").addEventListener("change", (event) => {
    document.getElementById("feed").classList.toggle("with-jobs", event.target.checked);
  });
  document.getElementById("run-dialog").addEventListener("close", () => { model.selectedRun = null; });
  // Registering a workflow makes no event: read the export again when the form is used.
  document.getElementById("trigger-form").addEventListener("focusin", () => {
    if (!applying) request("/_mock/state").then((state) => {
      for (const entry of state.repositories || []) {
        const repository = repositoryOf(`${entry.owner}/${entry.name}`);
        if (repository) repository.workflows = (entry.workflows || []).map((w) => w.file);
        else { applySnapshot(state); render(); return; }
      }
      renderTriggerChoices();
    }).catch(() => {});
  });
  setInterval(tick, 1000);
}

async function start() {
  try {
    await loadRecentEvents();
    await loadSnapshot();
  } catch (error) {
    if (error.status !== 401) setConnection("offline", `cannot reach the server (${error.message})`);
    setTimeout(start, 2000);
    return;
  }
  openStream();
}

wire();
start();
