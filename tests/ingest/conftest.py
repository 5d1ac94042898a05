"""Fixtures of the ingest tests."""

from __future__ import annotations

import pytest
from fixture_docs import make_pdf, terms_page


@pytest.fixture
def three_page_pdf() -> bytes:
    return make_pdf([terms_page] * 3)
