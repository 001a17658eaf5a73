"""Everything a person writes for a crawl: site files, operator settings, spider arguments.

Each is data checked by a typed model, so an error names the file and the field; site
patterns run on RE2 and durations and sizes are read in one convention (``units``).
"""
