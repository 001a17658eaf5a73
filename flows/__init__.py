"""warta's orchestration: Prefect flows, object storage and archive access."""
