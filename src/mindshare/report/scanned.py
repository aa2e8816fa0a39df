"""The report's view of `mindshare scan` (added to the Research section by `scan_block`): per venue and year,
papers naming only PyTorch / only TensorFlow / several, PyTorch / (PyTorch + TensorFlow) and % of all papers,
as counted by mindshare's own scan, beside Horace He's published counts (which the section shows above)."""

from __future__ import annotations

import pandas as pd

from mindshare.report.model import Finding, Section, Table

SCAN_SOURCE = "mindshare scan"


def scan_block(inputs, section: Section) -> None:
    """Add a table (and one finding per latest venue-year) of the scans in the store; nothing when none."""
    obs = inputs.observations
    frame = obs[(obs["signal"] == "research") & (obs["source"] == SCAN_SOURCE) & (obs["kind"] == "number")]
    if frame.empty:
        return
    frame = frame.assign(source_ref=inputs.provenance.refs(frame))
    rows = []
    for (venue, year, method), group in frame.groupby(["segment", "period_label", "method"]):
        def value(metric, contender=None):
            hit = group[(group["metric"] == metric)
                        & ((group["contender"] == contender) if contender else group["contender"].isna())]
            return float(hit["value"].iloc[0]) if not hit.empty else None

        row = {"venue": venue, "year": int(year), "rules": method, "papers": value("papers_total"),
               "several": value("papers_several")}
        for cid in inputs.field.ids:
            only = value("papers_only", cid)
            if only:
                row[f"only {inputs.name(cid)}"] = only
        share = value("pytorch_share_of_pt_tf", "pytorch")
        row["PyTorch share %"] = round(share * 100, 1) if share is not None else None
        for cid in ("pytorch", "tensorflow"):
            pct = value("pct_papers_mentioning", cid)
            if pct is not None:
                row[f"{inputs.name(cid)} % of all"] = round(pct, 1)
        row["source_ref"] = group["source_ref"].iloc[0]
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(["rules", "venue", "year"]).reset_index(drop=True)
    only_cols = [c for c in table.columns if c.startswith("only ")]
    table[only_cols] = table[only_cols].fillna(0)
    section.tables.append(Table(
        "research_scanned", "Papers scanned with `mindshare scan`: papers naming only one framework, several, "
        "PyTorch / (PyTorch + TensorFlow) and % of all papers naming each, per venue, year and rules", table))
    for record in table.to_dict("records"):
        named = ", ".join(f"{int(record[c])} {c}" for c in only_cols if record[c])
        share = record["PyTorch share %"]
        text = (f"mindshare scan of {record['venue']} {record['year']} ({record['rules']}): "
                f"{int(record['papers'])} papers; {named or 'none naming only one framework'}"
                + (f"; PyTorch / (PyTorch + TensorFlow) = {share:.1f}%" if pd.notna(share) else "") + ".")
        figures = [{"name": "papers", "value": int(record["papers"]), "unit": "papers", "venue": record["venue"],
                    "year": record["year"], "rules": record["rules"], "source_ref": record["source_ref"]}]
        if pd.notna(share):
            figures.append({"name": "pytorch_share_pct", "value": float(share), "unit": "%",
                            "venue": record["venue"], "year": record["year"], "rules": record["rules"],
                            "source_ref": record["source_ref"]})
        section.findings.append(Finding(text, figures))
