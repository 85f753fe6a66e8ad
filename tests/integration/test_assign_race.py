"""ASSIGN-2 across processes: two agents press "assign to me" on the same case at once.

Two real OS processes share one SQLite file and meet at a barrier before every round,
so their transactions genuinely collide. Each round must have exactly one winner, the
loser must be told who won, and nothing may crash with "database is locked".
"""

import multiprocessing
import subprocess
import sys
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import AlreadyAssignedError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.cases import assign_to_me, create_case
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads

ROUNDS = 60
AGENTS = ("alice", "lena")


def _database(path: Path, cases: int) -> Context:
    ctx = Context(locate(str(path)))
    ctx.migrate()
    sync_people(
        ctx,
        [AgentSpec("alice"), AgentSpec("lena", role=Role.LEAD)],
        [GroupSpec("billing", lead="lena", members=AGENTS)],
    )
    return _with_cases(ctx, cases)


def _with_cases(ctx: Context, cases: int) -> Context:
    for index in range(cases):
        create_case(ctx, "lena", subject=f"Rechnung {index}", contact="k@acme.de", group="billing")
    return ctx


def _agent(db: str, name: str, barrier: Barrier, results: "multiprocessing.Queue[object]") -> None:
    ctx = Context(locate(db))
    for main in range(1, ROUNDS + 1):
        barrier.wait(timeout=60)
        try:
            assign_to_me(ctx, name, CaseNumber(main))
            results.put((main, name, "won"))
        except AlreadyAssignedError as error:
            results.put((main, name, f"lost: {error}"))
        except Exception as error:  # any other failure is the finding
            results.put((main, name, f"crashed: {type(error).__name__}: {error}"))


@pytest.mark.slow
def test_two_processes_race_for_every_case(tmp_path: Path) -> None:
    db = tmp_path / "race.sqlite"
    _database(db, ROUNDS).dispose()
    _race(str(db))


@pytest.mark.slow
def test_two_processes_race_on_postgres(pg: Context) -> None:
    _with_cases(pg, ROUNDS).dispose()
    _race(pg.location.url)


def _race(db: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(AGENTS))
    results: multiprocessing.Queue[object] = spawn.Queue()
    workers = [spawn.Process(target=_agent, args=(db, name, barrier, results)) for name in AGENTS]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in range(ROUNDS * len(AGENTS))]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    by_round: dict[int, dict[str, str]] = {}
    for main, name, outcome in outcomes:  # type: ignore[misc]
        by_round.setdefault(main, {})[name] = outcome
    with open_reads(locate(db)) as store:
        for main in range(1, ROUNDS + 1):
            round_ = by_round[main]
            winners = [name for name, outcome in round_.items() if outcome == "won"]
            assert len(winners) == 1, round_
            (loser,) = set(AGENTS) - set(winners)
            assert round_[loser] == f"lost: {CaseNumber(main)} is already assigned to {winners[0]}"
            detail = store.case_detail(CaseNumber(main))
            assert detail.case.delegated_user == winners[0]
            assert detail.case.delegated_group is None
            assert detail.case.version == 2  # exactly one write: no lost update
            assert [a.kind for a in detail.activities].count("delegation") == 1


def test_cli_loser_gets_exit_1_and_the_winner(tmp_path: Path) -> None:
    """The contract of CLI.md for the race: the loser exits 1 with one `error:` line."""
    db = tmp_path / "race.sqlite"
    _database(db, 3).dispose()
    helpdesk = [sys.executable, "-m", "helpdesk_tui.cli"]
    env_config = str(tmp_path / "none.toml")
    for main in range(1, 4):
        number = str(CaseNumber(main))
        procs = {
            name: subprocess.Popen(
                [
                    *helpdesk,
                    "--db",
                    str(db),
                    "--config",
                    env_config,
                    "--as",
                    name,
                    "case",
                    "assign",
                    number,
                    "--me",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in AGENTS
        }
        done = {name: (p.wait(timeout=60), *p.communicate()) for name, p in procs.items()}
        winners = [name for name, (code, _, _) in done.items() if code == 0]
        assert len(winners) == 1, done
        (loser,) = set(AGENTS) - set(winners)
        code, out, err = done[loser]
        assert (code, out) == (1, "")
        assert err == f"error: {number} is already assigned to {winners[0]}\n"
