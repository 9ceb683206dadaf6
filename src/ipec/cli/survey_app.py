"""``ipec survey`` with every subcommand, ``replicate``, ``sdg`` and ``small-area`` included
(each kept in its own module)."""

from __future__ import annotations

from ipec.cli.survey import app
from ipec.cli.survey_replicate import replicate_command
from ipec.cli.survey_sdg import sdg_command
from ipec.cli.survey_small_area import small_area_command

__all__ = ["app"]

app.command("replicate")(replicate_command)
app.command("sdg")(sdg_command)
app.command("small-area")(small_area_command)
