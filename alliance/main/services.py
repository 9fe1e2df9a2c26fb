"""The alliance at a glance: figures for the home page, from every domain's `home_figures` hook."""

from alliance import hooks


def glance(community_ids=None) -> list[tuple[str, int]]:
    figures = []
    for domain in hooks.all_hooks():
        if domain.home_figures is not None:
            figures.extend(domain.home_figures(community_ids))
    return figures
