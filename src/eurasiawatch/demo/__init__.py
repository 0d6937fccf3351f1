"""The bundled sample corpus (sample content) and the demo that ingests it from a loopback server."""

from .corpus import Corpus, Outlet, SampleArticle, label_lines, load_corpus, validate_corpus
from .run import DemoResult, run_demo
from .server import serve_site
from .site import build_site, feed_paths

__all__ = [
    "Corpus",
    "DemoResult",
    "Outlet",
    "SampleArticle",
    "build_site",
    "feed_paths",
    "label_lines",
    "load_corpus",
    "run_demo",
    "serve_site",
    "validate_corpus",
]
