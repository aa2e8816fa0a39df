"""Section `sources`: every source a figure of the report links to (S1, S2, …), numbered in the order the
sections first cite them — who published or served it, the file or URL, the counting method or rules version,
when it was fetched and which snapshot of the store holds it. Built last, from the registry the other sections
filled. HTML shows it on its own page (sources.html).
"""

from __future__ import annotations

import pandas as pd

from mindshare.report.evidence import Evidence
from mindshare.report.model import Section, Table

INTRO = ("Every figure in this report links to one of these entries (S1, S2, ...): who published or served it, the "
         "file or URL, the counting method or rules version, when it was fetched and which snapshot of the store "
         "holds it.")
METHOD_NOTE = ("Method: shares are among the contenders a signal measures; trend lines are ordinary least squares "
               "with a 95% t interval on the slope; crossovers are read only between readings made with the same "
               "method; a period still in progress is flagged, not drawn as a drop.")


def build(evidence: Evidence) -> Section:
    section = Section(id="sources", title="Sources & method", intro=INTRO)
    section.tables.append(Table("sources", "Sources", pd.DataFrame([{
        "ref": e.ref, "source": e.source, "reference": e.reference, "method": e.method, "collected_at": e.collected_at,
        "snapshot_id": e.snapshot_id, "figures_shown": e.figures} for e in evidence.provenance.entries])))
    section.notes.append(METHOD_NOTE)
    return section
