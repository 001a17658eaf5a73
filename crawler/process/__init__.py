"""The crawl as an operating-system process: started, locked, watched and stopped.

The runner starts ``scrapy crawl`` in a child process, the lock keeps one crawl per site,
lifetime makes children die with their parent, and progress reports what the crawl does.
"""
