"""The published site: what `mindshare publish` writes beside the report so that people can link to the answer,
embed it and follow it. Every function here is pure (data in, bytes out) and deterministic: the same input gives
byte-identical output, with no time but the data's own, so publishing again with no new data changes no file.

- `badges`: a shields-style SVG per scoreboard row ("PyPI downloads | PyTorch 3.6×"), light and dark, and the
  Markdown/HTML to paste;
- `embeds`: a chart's SVG in light or dark with its source written into the image;
- `feed`: the Atom feed of dated events (a lead changes, a crossover, a confidence label moves, new data);
- `data`: the answer and every table as JSON and CSV with their provenance (`SITE/data/`);
- `pages`: the small pages around the report (the permalink list, `latest/`), the Open Graph / Twitter meta and
  canonical URL of a page, and the preview image of the answer;
- `workflow`: the GitHub Actions workflow that collects and publishes on a schedule;
- `folder`: the site folder itself (permalinks written once, never rewritten; nothing mindshare did not write is
  ever deleted; an unchanged file is not touched);
- `identity`: what a publish depends on, and what the last one left in the folder: a publish that would change
  nothing knows it without making the site (it reads the cache and the folder, not the store's figures);
- `options`: --history, checked before anything is read.
"""
