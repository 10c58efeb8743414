"""The board (GET /_mock/ui) in headless Chromium against the real binary: the documentation
example's lanes, a trigger appearing live, a hand-over by the page's own button, reconnecting
after a restart, the feed's words, the run dialog, the control token, and a phone's width.
Screenshots of each state go to .build/board-screenshots/."""

import time

from playwright.sync_api import expect

from conftest import Server


def items(page, group):
    """(position, run id, job id, status) of each item in a lane, in the page's order."""
    return page.eval_on_selector_all(
        f'[data-group="{group}"] li[data-position]',
        "nodes => nodes.map(n => [Number(n.dataset.position), Number(n.dataset.runId), n.dataset.jobId ? Number(n.dataset.jobId) : null, n.dataset.status])")


def open_board(page, server, query=""):
    page.goto(f"{server.url}/_mock/ui{query}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def test_the_documentation_example_shows_each_group_with_its_holder_and_line(page, server, screenshot):
    open_board(page, server)
    expect(page.locator('[data-group="deploy-prod"] li[data-position]')).to_have_count(3)
    assert items(page, "deploy-prod") == [
        [0, 30433642, None, "in_progress"],
        [1, 30433643, None, "pending"],
        [2, 30433644, 798245260, "pending"],
    ]
    assert items(page, "ci-build") == [
        [0, 30433640, 798245250, "in_progress"],
        [1, 30433641, 798245255, "pending"],
        [2, 30433642, 798245261, "pending"],
    ]
    holder = page.locator('[data-group="deploy-prod"] li[data-position="0"]')
    expect(holder).to_contain_text("Deploy to production")
    expect(holder).to_contain_text("workflow lease")
    expect(holder).to_contain_text("acquired 16:14:23")
    expect(page.locator('[data-group="ci-build"] li[data-position="2"]')).to_contain_text("job: build")
    screenshot(page, "1-docs-example")


def test_a_trigger_appears_without_a_reload_and_the_feed_says_who_replaced_whom(page, server, screenshot):
    server.add_deploy_workflow()
    first = server.trigger()
    open_board(page, server)
    expect(page.locator('[data-group="deploy-main"] li[data-position="0"]')).to_have_attribute("data-run-id", str(first["id"]))
    page.evaluate("window.notReloaded = true")
    delays = []
    for _ in range(3):
        started = time.monotonic()
        run = server.trigger()
        page.wait_for_selector(f'[data-group="deploy-main"] li[data-position="1"][data-run-id="{run["id"]}"]', timeout=5000)
        delays.append(time.monotonic() - started)
    print(f"trigger to screen: {', '.join(f'{d * 1000:.0f} ms' for d in delays)}")
    assert page.evaluate("window.notReloaded") is True
    assert items(page, "deploy-main") == [[0, first["id"], None, "in_progress"], [1, run["id"], None, "pending"]]
    # queue: single: each newcomer replaced the one waiting, and the feed says so in words.
    replaced = f"run {run['id']} replaced run {run['id'] - 1} in deploy-main (queue: single)"
    expect(page.locator("#feed")).to_contain_text(replaced)
    assert sorted(delays)[1] < 1.0, delays
    screenshot(page, "2-after-trigger")


def test_complete_on_the_holder_hands_the_lease_over(page, server, screenshot):
    open_board(page, server)
    holder = page.locator('[data-group="ci-build"] li[data-position="0"]')
    # The page's own POST carries Chromium's Origin header: the control plane's guard lets it pass.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        holder.get_by_role("button", name="Complete job build of CI #30433640").click()
    assert posted.value.status == 200
    assert posted.value.request.header_value("origin") == server.url
    expect(page.locator('[data-group="ci-build"] li[data-position="0"]')).to_have_attribute("data-run-id", "30433641")
    assert items(page, "ci-build") == [[0, 30433641, 798245255, "in_progress"], [1, 30433642, 798245261, "pending"]]
    expect(page.locator("#feed")).to_contain_text("run 30433640 released ci-build")
    expect(page.locator("#feed")).to_contain_text("run 30433641 acquired ci-build")
    expect(page.locator("#control-result")).to_contain_text("Completed job 798245250 of run 30433640: success")
    screenshot(page, "3-after-hand-over")


def test_the_page_reconnects_after_the_server_restarts(page, server, screenshot):
    server.add_deploy_workflow()
    server.trigger()
    open_board(page, server)
    expect(page.locator('[data-group="deploy-main"]')).to_have_count(1)
    server.restart()
    # A fresh server: the documentation example again, acme/shop gone, its journal from 1.
    expect(page.locator('[data-repository="acme/shop"]')).to_have_count(0, timeout=15000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    server.add_deploy_workflow()
    run = server.trigger(ref="refs/heads/release")
    expect(page.locator(f'[data-group="deploy-release"] li[data-run-id="{run["id"]}"]')).to_have_attribute("data-position", "0")
    screenshot(page, "4-after-restart")


def test_clicking_a_run_shows_its_jobs(page, server, screenshot):
    open_board(page, server)
    page.locator('[data-group="deploy-prod"] li[data-position="1"]').get_by_role("button", name="Deploy to production, run 30433643: show its jobs").click()
    dialog = page.locator("#run-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Deploy to production #30433643")
    expect(dialog.locator('tr[data-job-id="798245263"]')).to_contain_text("build")
    expect(dialog.locator('tr[data-job-id="798245264"]')).to_have_attribute("data-status", "in_progress")
    screenshot(page, "5-run-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_demo_controls_trigger_and_advance_the_clock_by_keyboard(page, server):
    server.add_deploy_workflow()
    open_board(page, server)
    page.locator("#trigger-repository").select_option("acme/shop")
    expect(page.locator("#trigger-workflow")).to_have_value("deploy.yml")
    page.locator("#trigger-ref").fill("refs/heads/main")
    page.locator("#trigger-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#control-result")).to_contain_text("Triggered run")
    expect(page.locator('[data-group="deploy-main"] li[data-position="0"]')).to_have_attribute("data-status", "in_progress")
    page.locator("#clock-seconds").fill("120")
    page.locator("#clock-button").click()
    expect(page.locator("#feed")).to_contain_text("the clock was set to")


def test_under_a_control_token_the_page_says_how_to_open_it_and_works_with_it(page):
    server = Server("--control-token", "s3cret")
    try:
        page.goto(f"{server.url}/_mock/ui")
        expect(page.locator("#notice")).to_contain_text("/_mock/ui?token=")
        open_board(page, server, "?token=s3cret")
        expect(page.locator("#notice")).to_be_hidden()
        expect(page.locator('[data-group="deploy-prod"] li[data-position]')).to_have_count(3)
        server.add_deploy_workflow(token="s3cret")
        run = server.trigger(token="s3cret")
        expect(page.locator(f'[data-group="deploy-main"] li[data-run-id="{run["id"]}"]')).to_have_count(1)
        # The page's own control requests carry the token.
        page.locator('[data-group="ci-build"] li[data-position="0"]').get_by_role("button", name="Complete job build of CI #30433640").click()
        expect(page.locator('[data-group="ci-build"] li[data-position="0"]')).to_have_attribute("data-run-id", "30433641")
    finally:
        server.stop()


def test_a_phone_width_stacks_the_lanes(browser, server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    try:
        open_board(page, server)
        expect(page.locator('[data-group="deploy-prod"] li[data-position]')).to_have_count(3)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways: {width}px"
        screenshot(page, "6-phone", full_page=True)
    finally:
        context.close()


def test_fail_on_a_workflow_level_holder_fails_the_run_and_hands_the_lease_over(page, server):
    server.add_deploy_workflow()
    first = server.trigger()
    second = server.trigger()
    open_board(page, server)
    holder = page.locator('[data-group="deploy-main"] li[data-position="0"]')
    holder.get_by_role("button", name=f"Fail run of Deploy #{first['id']}").click()
    expect(page.locator('[data-group="deploy-main"] li[data-position="0"]')).to_have_attribute("data-run-id", str(second["id"]))
    expect(page.locator("#control-result")).to_contain_text(f"run {first['id']} completed: failure")
    expect(page.locator("#feed")).to_contain_text(f"run {first['id']} completed: failure")
    assert server.call("GET", f"/_mock/repos/acme/shop/runs/{first['id']}")[1]["conclusion"] == "failure"
