"""One module per section of results.json, each a `build(input) -> Section` over one typed input: the section's
own dataclass where it needs more than the Evidence every section reads (search: the repeated Google Trends pulls;
summary: the store's connection and the options), else the Evidence itself. `report.build` calls them in report
order; docs/report.md says how to add one.
"""
