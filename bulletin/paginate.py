"""Pagination: a list of articles cut into pages, each with its route and a Pager."""

from __future__ import annotations

from typing import Sequence

from .models import Article, Pager
from .routes import Routes


def paginate(items: Sequence[Article], size: int, first: str,
             routes: Routes) -> list[tuple[str, Pager]]:
    """Routes and pagers for every page of ``items``; an empty list still has one page."""
    total = max(1, -(-len(items) // size))
    page_routes = [routes.page(first, n) for n in range(1, total + 1)]
    urls = tuple(routes.href(route) for route in page_routes)
    return [
        (page_routes[n - 1], Pager(n, total, tuple(items[(n - 1) * size: n * size]), urls))
        for n in range(1, total + 1)
    ]
