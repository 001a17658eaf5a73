"""``warta explore``: a local web application in which researchers search the archive,
see attention over time, read sample stories and open each page as it was archived.

It reads only the research index and the WARCs (:mod:`flows.archives`); nothing is
copied out of the archive first. Modules: ``keywords`` (the query language), ``search``
(the form), ``queries`` (SQL over the index), ``chart``, ``views`` and its templates,
``downloads``, ``replay`` and ``app`` (the HTTP server).
"""
