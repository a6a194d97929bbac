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
