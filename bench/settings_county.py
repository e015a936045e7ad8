"""Settings of the page benchmark's server: Hearth's own (from the environment that
``county.bench_environment()`` sets), with the bench's URLs in front of the product's."""

from hearth.settings import *  # noqa: F403

ROOT_URLCONF = "urls_county"
