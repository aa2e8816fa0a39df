"""File importers: a file the user gives (a survey's public answers, hand-gathered job counts) into observations.

One module per kind of file: `stackoverflow_survey`, `kaggle_survey`, `job_counts`. What they share is public:
`files` (the file checked before it is parsed, the CSV inside a zip, DuckDB's streaming reader, its errors said
in the user's words) and `surveys` (the shape every survey share takes in the store; the bundled dataset builds
its published survey figures with it too, so a year imported from a file and a bundled year read alike).

Every importer reads the whole file before returning anything: a bad file raises `InputError` with one line
naming the file and the problem, and the caller stores nothing.
"""
