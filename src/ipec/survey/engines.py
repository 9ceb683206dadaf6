"""The estimation engines and the order :func:`~ipec.survey.estimate` tries them in.

Every engine turns one :class:`EstimateJob` (a frame already narrowed to the columns it
needs, a design, indicators and display options) and its passes (each a list of domain
specs summed together) into result blocks. An engine first says whether it takes the design
at all (:meth:`Engine.accepts`, on the design alone), then gives, per pass, its blocks, or
None for a pass whose data it does not suit; the next engine in :data:`ENGINES` then tries
the passes left. The order:

1. :class:`ReplicateEngine`: replicate-weight designs (:mod:`replicate`), every pass;
2. :class:`DenseTaylorEngine`: a linearised single-stage design with PSUs and no fpc
   (:mod:`dense_taylor`), each pass whose (PSU x cell) cube stays small and whose design
   values are complete, with no lonely PSU under "fail"; the fastest linearised engine, so
   tried first;
3. :class:`GroupTaylorEngine`: every linearised design (:mod:`group_taylor`), every pass;
   last, as it takes whatever the dense cubes leave (and names what is wrong with the data).

Both linearised engines give the same numbers (held equal by the tests) and every engine
assembles its blocks with :func:`~ipec.survey.blocks.result_block`. Calibrated estimates
(:mod:`calibrate`) and quantiles (:mod:`quantiles`) have entry points of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from ipec.errors import DesignError
from ipec.survey.blocks import Block
from ipec.survey.dense_cube import FrameCodes
from ipec.survey.dense_taylor import dense_blocks, dense_suits
from ipec.survey.design import ReplicateDesign, SurveyDesign
from ipec.survey.flags import FlagRule
from ipec.survey.group_taylor import group_taylor_blocks
from ipec.survey.indicators import Indicator
from ipec.survey.intervals import CiMethod
from ipec.survey.prepare import Check
from ipec.survey.replicate import replicate_blocks

__all__ = [
    "ENGINES",
    "DenseTaylorEngine",
    "Engine",
    "EstimateJob",
    "GroupTaylorEngine",
    "ReplicateEngine",
    "Specs",
    "run_engines",
]

#: The domain specs of one pass (None: the whole sample), summed together.
Specs = Sequence[tuple[str, ...] | None]


@dataclass(frozen=True, slots=True)
class EstimateJob:
    """What every engine is given: the frame narrowed to the columns the estimate reads,
    the design, the indicators, the df method, the display options, the row checks of a
    LazyFrame (run in the engine's streaming pass) and the codes kept between estimates
    (None: nothing kept)."""

    frame: pl.DataFrame | pl.LazyFrame
    design: SurveyDesign | ReplicateDesign
    indicators: Sequence[Indicator]
    df_method: str
    method: CiMethod
    level: float
    flag_rule: FlagRule
    checks: Sequence[Check]
    codes: FrameCodes | None


class Engine(Protocol):
    """One way of computing the result blocks of a design."""

    def accepts(self, job: EstimateJob) -> bool:
        """Whether this engine can take the job's design at all (the data not looked at)."""
        ...

    def blocks(self, job: EstimateJob, passes: Sequence[Specs]) -> list[list[Block] | None]:
        """Per pass, its blocks, or None for a pass whose data this engine does not suit."""
        ...


class ReplicateEngine:
    """Replicate-weight variance (R ``svrepdesign``): every pass of a replicate design."""

    def accepts(self, job: EstimateJob) -> bool:
        """A replicate design."""
        return isinstance(job.design, ReplicateDesign)

    def blocks(self, job: EstimateJob, passes: Sequence[Specs]) -> list[list[Block] | None]:
        """Each pass's blocks, in one group-by of the full and replicate weights per pass."""
        design = job.design
        assert isinstance(design, ReplicateDesign)
        ranks = job.codes.replicate_ranks if job.codes is not None else None
        return [
            replicate_blocks(
                job.frame,
                design,
                job.indicators,
                specs,
                job.method,
                job.level,
                job.flag_rule,
                job.checks,
                df_method=job.df_method,
                ranks=ranks,
            )
            for specs in passes
        ]


class DenseTaylorEngine:
    """Linearised estimates from one dense (PSU x cell) cube per pass."""

    def accepts(self, job: EstimateJob) -> bool:
        """A single-stage linearised design with PSUs and no fpc."""
        return isinstance(job.design, SurveyDesign) and dense_suits(job.design)

    def blocks(self, job: EstimateJob, passes: Sequence[Specs]) -> list[list[Block] | None]:
        """Every pass's cube, the per-row work shared between them (None for a pass whose
        cube would be too large, or whose design values are missing or lonely)."""
        design = job.design
        assert isinstance(design, SurveyDesign)
        return dense_blocks(
            job.frame,
            design,
            job.indicators,
            passes,
            job.df_method,
            job.method,
            job.level,
            job.flag_rule,
            job.checks,
            job.codes,
        )


class GroupTaylorEngine:
    """Linearised estimates from a group table: every pass of every linearised design."""

    def accepts(self, job: EstimateJob) -> bool:
        """A linearised design."""
        return isinstance(job.design, SurveyDesign)

    def blocks(self, job: EstimateJob, passes: Sequence[Specs]) -> list[list[Block] | None]:
        """Each pass's blocks from its own group table."""
        design = job.design
        assert isinstance(design, SurveyDesign)
        return [
            group_taylor_blocks(
                job.frame,
                design,
                job.indicators,
                specs,
                job.df_method,
                job.method,
                job.level,
                job.flag_rule,
                job.checks,
            )
            for specs in passes
        ]


#: The engines in the order they are tried (see the module's docstring).
ENGINES: tuple[Engine, ...] = (ReplicateEngine(), DenseTaylorEngine(), GroupTaylorEngine())


def run_engines(job: EstimateJob, passes: Sequence[Specs]) -> list[Block]:
    """The blocks of every pass, in the order of the passes: each engine of :data:`ENGINES`
    that accepts the design is given the passes the engines before it left."""
    found: list[list[Block] | None] = [None] * len(passes)
    left = list(range(len(passes)))
    for engine in ENGINES:
        if not left or not engine.accepts(job):
            continue
        answers = engine.blocks(job, [passes[i] for i in left])
        for i, blocks in zip(left, answers, strict=True):
            found[i] = blocks
        left = [i for i in left if found[i] is None]
    if left:
        raise DesignError(f"no estimation engine takes a {type(job.design).__name__}")
    return [block for blocks in found if blocks is not None for block in blocks]
