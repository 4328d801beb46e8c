"""The triggerer's landing-folder watcher: announces a dropped file once it has settled, once."""

from __future__ import annotations

import asyncio

from marmot.land.finished_writes import FinishedWrites
from marmot.land.watch import QUIET_SECONDS, LandingFilesTrigger, settled_news, snapshot

POLL = 0.05


def _watch(landing, steps: list, wait: float = 0.4, poll: float = POLL) -> list[list[str]]:
    """Run a real trigger; apply each step then let it poll for ``wait`` s; the file lists announced."""
    trigger = LandingFilesTrigger(landing=str(landing), partner="early_years", dataset="eyfsp", poll_seconds=poll)
    events: list[list[str]] = []

    async def main():
        async def consume():
            async for event in trigger.run():
                events.append(event.payload["files"])

        task = asyncio.create_task(consume())
        for step in steps:
            step()
            await asyncio.sleep(wait)
        task.cancel()

    asyncio.run(main())
    return events


def test_each_dropped_file_is_announced_once_and_partial_uploads_and_other_datasets_never(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "early_years" / "eyfsp"
    other = landing / "dwp" / "claimant_count"
    for d in (folder, other):
        d.mkdir(parents=True)
    events = _watch(landing, [
        lambda: (folder / "upload.csv.part").write_text("half"),  # uploads write *.part, then rename
        lambda: (other / "cc.csv").write_text("another dataset"),
        lambda: (folder / "eyfsp_2025.csv").write_text("first"),
        lambda: (folder / "eyfsp_2026.csv").write_text("second"),
    ])
    assert events == [["early_years/eyfsp/eyfsp_2025.csv"], ["early_years/eyfsp/eyfsp_2026.csv"]]
    # a new watcher (the triggerer restarted) announces once what still waits
    assert _watch(landing, [lambda: None]) == [["early_years/eyfsp/eyfsp_2025.csv", "early_years/eyfsp/eyfsp_2026.csv"]]


def test_a_file_still_being_written_waits_until_it_is_unchanged_for_a_whole_poll(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "early_years" / "eyfsp"
    folder.mkdir(parents=True)
    big = folder / "big.csv"

    polls = []
    for size in (10, 20, 30, 30, 30):  # three polls see it grow, then it stays
        if not big.exists() or big.stat().st_size != size:
            big.write_text("x" * size)
        polls.append(snapshot(landing, "early_years", "eyfsp"))
    announced: set[str] = set()
    seen = []
    for previous, current in zip(polls, polls[1:], strict=False):
        news = settled_news(previous, current, announced)
        announced |= set(news)
        seen.append(news)
    assert seen == [[], [], ["early_years/eyfsp/big.csv"], []]


def test_the_trigger_round_trips_through_serialize():
    trigger = LandingFilesTrigger(landing="/srv/marmot/landing", partner="p", dataset="d", poll_seconds=7)
    classpath, kwargs = trigger.serialize()
    module, name = classpath.rsplit(".", 1)
    rebuilt = getattr(__import__(module, fromlist=[name]), name)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)


def test_where_the_kernel_reports_finished_writes_a_drop_is_taken_long_before_the_next_poll(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "early_years" / "eyfsp"
    folder.mkdir(parents=True)
    writer = {}

    def start_writing():
        writer["f"] = open(folder / "eyfsp_2025.csv", "w")  # noqa: SIM115 - kept open until finish_writing closes it
        writer["f"].write("indicator,value\n")
        writer["f"].flush()

    def finish_writing():
        writer["f"].write("a,1\n")
        writer["f"].close()

    trigger = LandingFilesTrigger(landing=str(landing), partner="early_years", dataset="eyfsp", poll_seconds=60)
    seen: list[tuple[float, list[str]]] = []

    async def main():
        loop = asyncio.get_running_loop()

        async def consume():
            async for event in trigger.run():
                seen.append((loop.time(), event.payload["files"]))

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)  # the watcher's first look: an empty folder
        start_writing()
        await asyncio.sleep(2.5)  # open and unchanged for longer than QUIET_SECONDS, but not closed
        assert seen == []
        closed_at = loop.time()
        finish_writing()
        await asyncio.sleep(3 * QUIET_SECONDS + 0.5)
        task.cancel()
        return closed_at

    closed_at = asyncio.run(main())
    # the poll is a minute: only the kernel's report of the close can have started this
    assert [files for _, files in seen] == [["early_years/eyfsp/eyfsp_2025.csv"]]
    assert seen[0][0] - closed_at >= QUIET_SECONDS


def test_finished_writes_report_closes_and_renames_into_the_folder_only(tmp_path):
    async def main():
        async with FinishedWrites(tmp_path) as writes:
            assert writes.available
            writes.looking()
            (tmp_path / "a.csv").write_text("closed after writing")
            (tmp_path / "b.csv.part").write_text("upload")
            (tmp_path / "b.csv.part").rename(tmp_path / "b.csv")
            (tmp_path / "sub").mkdir()
            (tmp_path / "sub" / "c.csv").write_text("a subfolder is not watched")
            assert await writes.wait(5)
            await asyncio.sleep(0.2)
            return set(writes.paths)

    assert asyncio.run(main()) == {tmp_path / "a.csv", tmp_path / "b.csv.part", tmp_path / "b.csv"}


def test_a_folder_that_cannot_be_watched_reports_nothing_and_waits_the_whole_time(tmp_path):
    async def main():
        async with FinishedWrites(tmp_path / "missing") as writes:
            started = asyncio.get_running_loop().time()
            assert not await writes.wait(0.3)
            return writes.available, asyncio.get_running_loop().time() - started

    available, waited = asyncio.run(main())
    assert available is False and waited >= 0.3


def test_the_watcher_makes_the_drop_folder_so_the_first_drop_is_taken_at_once(tmp_path):
    landing = tmp_path / "landing"

    def drop():  # into the folder the watcher made
        (landing / "early_years" / "eyfsp" / "first.csv").write_text("a,1\n")

    # a minute's poll: only the kernel's report of the write can announce it in time
    assert _watch(landing, [lambda: None, drop], wait=3 * QUIET_SECONDS + 0.5, poll=60) == [
        ["early_years/eyfsp/first.csv"]]
