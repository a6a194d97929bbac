"""Catalog files for the benchmarks: realistic entities with spec.coder blocks, some of them wrong."""

from __future__ import annotations

TEMPLATES = ("docker", "devcontainers", "kubernetes", "data-science", "scratch")


def component(i: int, *, wrong: bool = False) -> str:
    """About 17 lines: one Component with a spec.coder block (every 7th one with mistakes when ``wrong``)."""
    template = TEMPLATES[i % len(TEMPLATES)]
    mode = "Auto" if wrong and i % 7 == 0 else ("auto" if i % 2 else "manual")
    cpu = "4" if not (wrong and i % 7 == 0) else "4  # unquoted below"
    params = '      cpu: "4"\n' if template == "docker" else '      region: "us-east-1"\n'
    if wrong and i % 7 == 0:
        params = "      cpu: 4\n"
    return (
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Component\n"
        "metadata:\n"
        f"  name: service-{i}\n"
        f"  description: Service number {i} ({cpu})\n"
        "  annotations:\n"
        f"    backstage.io/source-location: url:https://github.com/acme/service-{i}/tree/main/\n"
        "  tags: [python, api]\n"
        "spec:\n"
        "  type: service\n"
        "  lifecycle: production\n"
        f"  owner: team-{i % 20}\n"
        "  coder:\n"
        f"    templateName: {template}\n"
        f"    mode: {mode}\n"
        "    params:\n"
        f"{params}"
    )


def user_or_group(i: int) -> str:
    if i % 5 == 0:
        return (
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n"
            f"  name: group-{i}\n  description: Group {i}\nspec:\n  type: team\n  children: []\n"
            f"  members: [user-{i + 1}, user-{i + 2}, user-{i + 3}]\n"
        )
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n"
        f'  name: user-{i}\n  annotations:\n    example.com/employee-id: "{100000 + i}"\n'
        f"spec:\n  profile:\n    displayName: User Number {i}\n    email: user-{i}@example.com\n"
        f"    picture: https://avatars.example.com/u/{i}.png\n  memberOf: [group-{i - i % 5}]\n"
    )


def many_components(count: int = 2000, *, wrong: bool = True) -> str:
    return "---\n".join(component(i, wrong=wrong) for i in range(count))


def many_users(count: int = 10_000) -> str:
    return "---\n".join(user_or_group(i) for i in range(count))


def graph_area(i: int) -> str:
    """The folder of the ``i``-th service of the catalog-graph tree: 20 areas of 500 services each."""
    areas = (
        "payments", "search", "checkout", "identity", "billing", "catalog", "shipping", "pricing",
        "reviews", "media", "messaging", "analytics", "ads", "support", "inventory", "loyalty",
        "fraud", "accounts", "maps", "notifications",
    )  # fmt: skip
    return areas[(i // 500) % len(areas)]


def graph_namespace(i: int) -> str:
    """The namespace of the ``i``-th service: the areas take turns in four namespaces."""
    return ("default", "commerce", "platform", "data")[(i // 500) % 4]


def graph_reference(default_kind: str | None, kind: str, namespace: str, name: str, source: str) -> str:
    """A reference written as authors do: the field's default kind and the source's namespace left out."""
    written_kind = "" if default_kind == kind else f"{kind.lower()}:"
    written_namespace = "" if namespace == source else f"{namespace}/"
    return f"{written_kind}{written_namespace}{name}"


def graph_owner(i: int) -> str:
    """The owner of the ``i``-th service: every 10th one the much-referenced Group ``platform-team``
    (in every form Backstage reads), the others one of 200 teams; all Groups live in ``default``."""
    namespace = graph_namespace(i)
    if i % 10 == 0:
        if namespace == "default":
            return "group:platform-team" if i % 30 == 0 else "platform-team"
        return "group:default/platform-team" if i % 20 == 0 else "default/platform-team"
    return graph_reference("Group", "Group", "default", f"team-{i % 200}", namespace)


def graph_component(i: int, count: int = 10_000) -> str:
    """The ``catalog-info.yaml`` of the ``i``-th of ``count`` services: a Component (about 30 lines) with
    owner, system, API and dependency references to other generated entities; every 50th file also holds
    a Group ``team-<i/50>``, every 100th (plus one) a System, every 10th (plus two) an API."""
    namespace = graph_namespace(i)
    area = graph_area(i)
    system = i % 100
    system_namespace = graph_namespace(system * 100 + 1)
    consumed = [(i * 7 + 3) % (count // 10), (i * 13 + 5) % (count // 10)]
    depends = [(i * 31 + 7) % count, (i * 17 + 11) % count]
    lines = [
        "apiVersion: backstage.io/v1alpha1",
        "kind: Component",
        "metadata:",
        f"  name: service-{i}",
        *([f"  namespace: {namespace}"] if namespace != "default" else []),
        f"  title: {area.title()} service {i}",
        f"  description: Serves part {i % 500} of the {area} traffic",
        "  annotations:",
        f"    backstage.io/source-location: url:https://github.com/acme/{area}/tree/main/service-{i}/",
        f"    github.com/project-slug: acme/{area}",
        f"  tags: [python, {area}]",
        "  links:",
        f"    - url: https://dashboards.example.com/d/service-{i}",
        "      title: Dashboard",
        "spec:",
        "  type: service",
        "  lifecycle: production" if i % 9 else "  lifecycle: experimental",
        f"  owner: {graph_owner(i)}",
        f"  system: {graph_reference('System', 'System', system_namespace, f'system-{system}', namespace)}",
    ]
    if i % 10 == 2:
        lines.append(f"  providesApis: [api-{i // 10}]")
    lines.append("  consumesApis:")
    for api in consumed:
        api_namespace = graph_namespace(api * 10 + 2)
        lines.append(f"    - {graph_reference('API', 'API', api_namespace, f'api-{api}', namespace)}")
    lines.append("  dependsOn:")
    for other in depends:
        other_namespace = graph_namespace(other)
        lines.append(
            f"    - {graph_reference(None, 'Component', other_namespace, f'service-{other}', namespace)}"
        )
    documents = ["\n".join(lines) + "\n"]
    if i % 50 == 0:
        team = i // 50
        parent = "platform-team" if team % 4 == 0 else "engineering"
        documents.append(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n"
            f"  name: team-{team}\n  title: Team {team}\n  description: The {area} team number {team}\n"
            f"spec:\n  type: team\n  parent: {parent}\n  children: []\n"
        )
    if i % 100 == 1:
        documents.append(
            "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n"
            f"  name: system-{i // 100}\n"
            + (f"  namespace: {namespace}\n" if namespace != "default" else "")
            + f"  description: The {area} system number {i // 100}\n"
            f"spec:\n  owner: {graph_owner(i)}\n"
        )
    if i % 10 == 2:
        documents.append(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n"
            f"  name: api-{i // 10}\n"
            + (f"  namespace: {namespace}\n" if namespace != "default" else "")
            + f"  description: The HTTP API of service {i}\n"
            f"spec:\n  type: openapi\n  lifecycle: production\n  owner: {graph_owner(i)}\n"
            f"  system: {graph_reference('System', 'System', system_namespace, f'system-{system}', namespace)}\n"
            "  definition: |\n    openapi: 3.0.0\n    info:\n      title: An API\n      version: 1.0.0\n"
            "    paths: {}\n"
        )
    return "---\n".join(documents)


def graph_root_location() -> str:
    """The root ``catalog-info.yaml`` of the tree: a Location naming files no search would find."""
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: acme-root\n"
        "  description: The organisation and the common APIs\nspec:\n  targets:\n"
        "    - ./org/*.yaml\n    - ./common/common-apis.yaml\n"
        "    - https://github.com/acme/elsewhere/blob/main/catalog-info.yaml\n"
    )


def graph_groups() -> str:
    """``org/groups.yaml``: the top of the organisation, the much-referenced ``platform-team`` among it."""
    documents = []
    for name, parent in (
        ("engineering", None),
        ("platform-team", "engineering"),
        ("data-guild", "engineering"),
        ("security", "engineering"),
        ("leadership", None),
    ):
        documents.append(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n"
            f"  name: {name}\n  title: {name.replace('-', ' ').title()}\n"
            f"  description: The {name} group\nspec:\n  type: team\n"
            + (f"  parent: {parent}\n" if parent else "")
            + "  children: []\n"
        )
    return "---\n".join(documents)


def graph_users(count: int = 400) -> str:
    """``org/users.yaml``: Users of the 200 teams; every 20th is also in ``platform-team``."""
    return "---\n".join(
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n"
        f"  name: user-{u}\nspec:\n  profile:\n    displayName: User {u}\n"
        f"    email: user-{u}@example.com\n"
        f"  memberOf: [team-{u % 200}{', platform-team' if u % 20 == 0 else ''}]\n"
        for u in range(count)
    )


def graph_common_apis(count: int = 20) -> str:
    """``common/common-apis.yaml``: APIs every area uses, owned by ``platform-team``."""
    return "---\n".join(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n"
        f"  name: common-api-{a}\n  description: Common API {a}\n"
        "spec:\n  type: grpc\n  lifecycle: production\n  owner: platform-team\n"
        "  definition: 'syntax = \"proto3\";'\n"
        for a in range(count)
    )
