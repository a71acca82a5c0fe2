"""Relate: find copies, spins, translations and rewrites, align the evidence, and name the original.

``Relator`` relates articles as they arrive; ``relate_all`` relates a whole
collection (order-independent); ``RelateStage`` (relate/stage.py) does it in the engine,
over a store. ``align_passages`` aligns two texts passage by passage.
"""

from newstrace.relate.align import align_passages
from newstrace.relate.relator import RelateOptions, Relator, relate_all
from newstrace.relate.render import render_copy_trees
from newstrace.relate.sites import SiteStats, site_statistics

__all__ = [
    "RelateOptions",
    "Relator",
    "SiteStats",
    "align_passages",
    "relate_all",
    "render_copy_trees",
    "site_statistics",
]
