#!/usr/bin/env python3
"""Checks a built mdBook (scripts/test-extra.sh): every relative link and image of its pages
points at a file of the build, every `#fragment` at an id of the target page, and no
`{{#include ...}}` was left unresolved. Usage: check-book.py BOOK_DIR [SKIP_DIR ...]
(SKIP_DIR: subdirectories whose own pages are not checked, e.g. a copied rustdoc tree)."""

import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

book = Path(sys.argv[1]).resolve()
skip = [book / d for d in sys.argv[2:]]
attr = re.compile(r'(?:href|src)="([^"]*)"')
ids = {}


def ids_of(page: Path) -> set:
    if page not in ids:
        ids[page] = set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8", errors="replace")))
    return ids[page]


problems = []
pages = [p for p in book.rglob("*.html") if not any(s in p.parents for s in skip)]
for page in pages:
    text = page.read_text(encoding="utf-8", errors="replace")
    if "{{#" in text:
        problems.append(f"{page.relative_to(book)}: an unresolved mdBook directive ({{{{#...}}}})")
    for link in attr.findall(text):
        parts = urlsplit(link)
        # Absolute and site-root links (404.html's "/") point outside the book.
        if parts.scheme or link.startswith("/") or not (parts.path or parts.fragment):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            problems.append(f"{page.relative_to(book)}: broken link {link}")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
            problems.append(f"{page.relative_to(book)}: no #{parts.fragment} in {link}")

for problem in sorted(set(problems)):
    print(problem, file=sys.stderr)
print(f"{len(pages)} pages checked, {len(set(problems))} problems")
sys.exit(1 if problems else 0)
