"""The deployment's semantics without HTTP: builds against a controlled clock, search, rate limits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sim_helpers import DEV_WORKSPACE_ID, SCRATCH_ID, default_seed

from coder_catalog.simulator.bodies import CreateBuildRequest, CreateWorkspaceRequest
from coder_catalog.simulator.data import load_data
from coder_catalog.simulator.errors import ApiError
from coder_catalog.simulator.ratelimit import RateLimiter
from coder_catalog.simulator.search import parse_template_query, parse_workspace_query, split_outside_quotes
from coder_catalog.simulator.state import Deployment


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deployment(clock: Clock) -> Deployment:
    return Deployment(load_data(default_seed(build_seconds=10, queue_seconds=2)), clock)


def alice(deployment: Deployment):
    return deployment.authenticate(deployment.session_tokens["alice"])


def test_a_new_workspace_goes_pending_starting_running(deployment: Deployment, clock: Clock) -> None:
    actor = alice(deployment)
    workspace = deployment.create_workspace(actor, "me", CreateWorkspaceRequest("w1", template_id=SCRATCH_ID))
    build = workspace.latest_build
    observed = []
    for _ in range(4):
        observed.append((build.status(clock()), build.job_status(clock())))
        clock.advance(4)
    assert observed == [
        ("pending", "pending"),
        ("starting", "running"),
        ("starting", "running"),
        ("running", "succeeded"),
    ]


def test_stop_and_delete_transitions(deployment: Deployment, clock: Clock) -> None:
    actor = alice(deployment)
    stop = deployment.create_build(actor, DEV_WORKSPACE_ID, CreateBuildRequest("stop"))
    clock.advance(3)
    assert stop.status(clock()) == "stopping"
    with pytest.raises(ApiError) as busy:
        deployment.create_build(actor, DEV_WORKSPACE_ID, CreateBuildRequest("start"))
    assert busy.value.status == 409
    clock.advance(10)
    assert stop.status(clock()) == "stopped"
    delete = deployment.create_build(actor, DEV_WORKSPACE_ID, CreateBuildRequest("delete"))
    clock.advance(3)
    assert delete.status(clock()) == "deleting"
    assert "dev" in [w.name for w in deployment.search_workspaces(actor, "owner:me")[0]]
    clock.advance(10)
    assert delete.status(clock()) == "deleted"
    assert "dev" not in [w.name for w in deployment.search_workspaces(actor, "owner:me")[0]]
    with pytest.raises(ApiError) as gone:
        deployment.workspace(DEV_WORKSPACE_ID, actor)
    assert gone.value.status == 410


def test_start_with_new_values_is_validated(deployment: Deployment) -> None:
    actor = alice(deployment)
    deployment.create_build(
        actor, "47589cef-679d-5252-bb81-2c4a661d1c5b", CreateBuildRequest("start")
    )  # old-docker
    with pytest.raises(ApiError) as refused:
        deployment.create_build(
            actor,
            "70c69a67-30a8-50a4-a44e-950bda4efd5b",
            CreateBuildRequest("start", rich_parameter_values=(("disk_size", "x"),)),
        )
    assert refused.value.message == 'Unable to validate parameter "disk_size"'


def test_the_seed_is_copied_not_shared(clock: Clock) -> None:
    seed = load_data()
    first, second = Deployment(seed, clock), Deployment(seed, clock)
    first.patch_template("docker", {"deprecated": True})
    assert [t.name for t in first.templates.values() if t.deprecated] == ["docker", "legacy-vm"]
    assert [t.name for t in second.templates.values() if t.deprecated] == ["legacy-vm"]
    assert not any(t.deprecated for t in seed.templates if t.name == "docker")
    assert first.session_tokens["alice"] != second.session_tokens["alice"]


def test_suspended_users_are_refused(clock: Clock) -> None:
    seed = default_seed()
    seed["users"][1]["status"] = "suspended"
    deployment = Deployment(load_data(seed), clock)
    with pytest.raises(ApiError) as refused:
        deployment.authenticate(deployment.session_tokens["bob"])
    assert refused.value.status == 401
    assert refused.value.message.startswith('User is not active (status = "suspended")')


def test_expired_tokens(deployment: Deployment, clock: Clock) -> None:
    clock.advance(deployment.settings.session_token_seconds + 1)
    with pytest.raises(ApiError) as expired:
        deployment.authenticate(deployment.session_tokens["alice"])
    assert expired.value.detail is not None and expired.value.detail.startswith("API key expired at")


@pytest.mark.parametrize(
    ("text", "delimiter", "keep", "expected"),
    [
        ('a b "c d" e', " ", True, ["a", "b", '"c d"', "e"]),
        ('param:"x=https://a:b"', ":", False, ["param", "x=https://a:b"]),
        ("a  b", " ", True, ["a", "b"]),
    ],
)
def test_quote_aware_split(text: str, delimiter: str, keep: bool, expected: list[str]) -> None:
    assert split_outside_quotes(text, delimiter, keep) == expected


def test_rate_limiter_sliding_window() -> None:
    now = [600.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.hit("k").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("other").allowed
    now[0] = 660.0 + 15  # a quarter into the next window: 3/4 of the previous count (2) still weighs
    assert limiter.hit("k").allowed
    assert not limiter.hit("k").allowed
    now[0] = 720.0 + 59  # the window after: only a sliver of the previous one is left
    assert [limiter.hit("k").allowed for _ in range(3)] == [True, True, False]
    assert RateLimiter(0).hit("k").allowed


def test_any_query_parses_or_is_a_400() -> None:
    # Seeded random queries (not hypothesis, whose cache directory would land in the checkout).
    rng = random.Random(20260101)
    alphabet = [*'abc:=", /-param owner status', "é", "\x00"]
    for _ in range(500):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        try:
            parse_workspace_query(query, lambda value: value)
            parse_template_query(query, lambda value: value)
        except ApiError as error:
            assert error.status == 400 and error.validations, query


def test_template_flags(deployment: Deployment) -> None:
    actor = alice(deployment)
    template = deployment.set_template_flags("Docker", deprecation_message="Use devcontainers.")
    assert template.deprecated and template.deprecation_message == "Use devcontainers."
    deployment.set_template_flags("docker", importing=True)
    with pytest.raises(ApiError) as early:
        deployment.rich_parameters(template.active_version_id, actor)
    assert early.value.status == 425
    deployment.set_template_flags("docker", deprecated=False, importing=False)
    assert not template.deprecated and deployment.rich_parameters(template.active_version_id, actor)
    with pytest.raises(ApiError):
        deployment.set_template_flags("nope", importing=True)
