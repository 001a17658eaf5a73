"""SerialWarcWriter: the writer on a thread of its own writes the very bytes the plain writer
writes, in the order the writes were handed over, whether awaited or waited for."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.warc import records as R
from crawler.warc.serial import SerialWarcWriter
from crawler.warc.writer import RotatingWarcWriter


def _writer(kit: SimpleNamespace, directory: Path) -> RotatingWarcWriter:
    return RotatingWarcWriter(
        directory,
        "warta",
        "testhost",
        warcinfo={"software": "warta-test"},
        id_factory=kit.make_id_factory(),
        clock=kit.make_clock(),
    )


def _derived(kit: SimpleNamespace, n: int) -> list[R.ArcWarcRecord]:
    spec = R.RecordSpec(f"<urn:uuid:00000000-0000-4000-9000-{n:012d}>", kit.T0)
    return [R.metadata(R.derived_uri("article", f"http://example.com/{n}"), b"{}", "x/y", spec)]


def _exchanges(kit: SimpleNamespace) -> list[tuple[R.CapturedRequest, R.CapturedResponse]]:
    return [kit.plain_exchange(f"/{n}") for n in range(5)] + [kit.gzip_chunked_exchange()]


def test_same_bytes_and_order_as_the_plain_writer(kit: SimpleNamespace, tmp_path: Path) -> None:
    plain_dir, serial_dir = tmp_path / "plain", tmp_path / "serial"
    with _writer(kit, plain_dir) as plain:
        expected = []
        for n, (req, resp) in enumerate(_exchanges(kit)):
            expected.append(plain.write_exchange(req, resp))
            expected.extend(plain.write_records(_derived(kit, n)))

    serial = SerialWarcWriter(_writer(kit, serial_dir))

    async def crawl() -> list[object]:
        pending = []
        for n, (req, resp) in enumerate(_exchanges(kit)):
            # handed over in order, awaited all at once: the thread keeps the order
            pending.append(asyncio.ensure_future(serial.write_exchange_async(req, resp)))
            pending.append(asyncio.ensure_future(serial.write_records_async(_derived(kit, n))))
        return list(await asyncio.gather(*pending))

    found = asyncio.run(crawl())
    serial.close()
    flat = [loc for item in found for loc in (item if isinstance(item, list) else [item])]
    assert flat == expected
    (plain_file,) = plain_dir.glob("*.warc.gz")
    (serial_file,) = serial_dir.glob("*.warc.gz")
    assert serial_file.name == plain_file.name
    assert serial_file.read_bytes() == plain_file.read_bytes()
    assert not list(serial_dir.glob("*.open"))


def test_waiting_writes_queue_behind_awaited_ones(kit: SimpleNamespace, tmp_path: Path) -> None:
    serial = SerialWarcWriter(_writer(kit, tmp_path))
    req, resp = kit.plain_exchange()

    async def both() -> tuple[int, int]:
        first = asyncio.ensure_future(serial.write_exchange_async(req, resp))
        await asyncio.sleep(0)
        (second,) = serial.write_records(_derived(kit, 1))  # waits for the first
        return (await first).offset, second.offset

    first_offset, second_offset = asyncio.run(both())
    assert first_offset < second_offset
    serial.close()
    serial.close()  # idempotent
    assert len(serial.files_written) == 1


def test_in_place_without_a_thread(kit: SimpleNamespace, tmp_path: Path) -> None:
    plain_dir, inline_dir = tmp_path / "plain", tmp_path / "inline"
    req, resp = kit.plain_exchange()
    with _writer(kit, plain_dir) as plain:
        expected = plain.write_exchange(req, resp)
    inline = SerialWarcWriter(_writer(kit, inline_dir), thread=False)
    assert asyncio.run(inline.write_exchange_async(req, resp)) == expected
    inline.close()
    (plain_file,) = plain_dir.glob("*.warc.gz")
    (inline_file,) = inline_dir.glob("*.warc.gz")
    assert inline_file.read_bytes() == plain_file.read_bytes()


@pytest.mark.parametrize("threaded", [True, False])
def test_records_are_written_on_the_warc_writer_thread_or_in_place(
    kit: SimpleNamespace, tmp_path: Path, threaded: bool
) -> None:
    """Which thread writes, seen from inside the writer (its ID factory runs per record):
    by default one named ``warc-writer``, left behind by nothing once closed; with
    ``thread=False`` the caller's own. A write after close is the writer's own refusal."""
    seen: list[str] = []
    ids = kit.make_id_factory()

    def named_ids() -> str:
        seen.append(threading.current_thread().name)
        return str(ids())

    inner = RotatingWarcWriter(tmp_path, "warta", "testhost", id_factory=named_ids)
    serial = SerialWarcWriter(inner) if threaded else SerialWarcWriter(inner, thread=False)
    serial.write_exchange(*kit.plain_exchange())
    asyncio.run(serial.write_exchange_async(*kit.plain_exchange("/2")))
    serial.close()
    serial.close()
    if threaded:
        assert seen and all(name.startswith("warc-writer") for name in seen), seen
        alive = [t.name for t in threading.enumerate() if t.name.startswith("warc-writer")]
        assert alive == []
    else:
        assert set(seen) == {threading.current_thread().name}
    with pytest.raises(RuntimeError, match="RotatingWarcWriter is closed"):
        serial.write_exchange(*kit.plain_exchange("/3"))


def test_a_write_waits_for_the_one_before_to_finish(
    kit: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes handed over together run one after another on the one writer thread."""
    inner = _writer(kit, tmp_path)
    real = inner.write_records
    second_began = threading.Event()
    seen_during_first: list[bool] = []

    def write_records(batch: list[R.ArcWarcRecord]) -> list[object]:
        if not seen_during_first:
            seen_during_first.append(second_began.wait(timeout=0.3))
        else:
            second_began.set()
        return real(batch)  # type: ignore[return-value]

    monkeypatch.setattr(inner, "write_records", write_records)
    serial = SerialWarcWriter(inner)

    async def hand_over_two() -> None:
        await asyncio.gather(
            serial.write_records_async(_derived(kit, 1)),
            serial.write_records_async(_derived(kit, 2)),
        )

    asyncio.run(hand_over_two())
    serial.close()
    assert seen_during_first == [False]
