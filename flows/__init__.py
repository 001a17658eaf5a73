"""warta's orchestration, storage and research access.

- the Prefect flow and its steps: ``archive_flow``, ``crawl_steps``, ``new_articles``,
  ``state_sync``, ``summary``, ``deploy``;
- ``storage``: the storage interface, the local and S3 backends, manifests, crawl uploads;
- ``archives``: what researchers run against a stored archive (list, verify, download,
  presign);
- ``cli``: the ``warta`` command, one module per subcommand.

Dependencies point one way: ``flows`` uses ``crawler``, never the reverse.
"""
