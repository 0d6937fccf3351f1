"""Fixtures for the render tests: the sample edition (slow to build: it loads the corpus) rendered once."""

from __future__ import annotations

import pytest

from eurasiawatch.records import Edition, RenderedEdition
from eurasiawatch.render import RenderOptions, render_edition
from eurasiawatch.render.sample import sample_edition


@pytest.fixture(scope="session")
def edition() -> Edition:
    return sample_edition()


@pytest.fixture(scope="session")
def rendered(edition: Edition) -> RenderedEdition:
    return render_edition(edition, options=RenderOptions(sample=True))
