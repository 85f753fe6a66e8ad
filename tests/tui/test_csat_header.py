"""CSAT in the case header (issue 15 §7): a closed case the customer rated shows
`Rating  4/5 (date)`; a case without a rating shows no such cell."""

from datetime import datetime

import pytest
from pilotkit import PASSWORD, Data, off_loop, open_case, running, screen_text
from support import sync

from helpdesk_tui.domain.numbering import CaseNumber


def rate(data: Data, number: CaseNumber, rating: int) -> datetime:
    def work() -> datetime:
        now = data.clock.now
        with data.ctx.uow() as uow:
            case = uow.cases.get(number)
            draft = case.rate(now, rating)
            assert draft is not None
            uow.cases.save(case, None, now, [draft])
            uow.commit()
        return now

    return off_loop(work)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
@sync
async def test_the_header_shows_the_customers_rating(
    case_data: Data, size: tuple[int, int]
) -> None:
    async with running(case_data, size=size) as (_, pilot):
        await open_case(pilot, PASSWORD)
        assert "Rating" not in screen_text(pilot)
    at = rate(case_data, PASSWORD, 4)
    async with running(case_data, size=size) as (_, pilot):
        await open_case(pilot, PASSWORD)
        text = screen_text(pilot)
        assert "Rating" in text
        assert f"4/5 ({at:%Y-%m-%d})" in text
        assert "closed: read-only" in text
