"""Business time (DATE-2): working hours per weekday in a time zone, closed dates, and
arithmetic on them — add N business minutes to an instant, business minutes between two.

Pure: the time zone is a `ZoneInfo`, closed dates come as a set or as a function of the
year (the config layer builds one from the `holidays` package). Instants are aware
datetimes; results are UTC.

How it stays fast over long spans: the working intervals of one local calendar year are
laid out once (cached per calendar) as UTC microsecond bounds with running sums, so an
instant's business position within its year is one bisection, and a span over many years
adds whole-year totals. Nothing loops over minutes or days per call.

Wall times are taken as the zone says: a range that spans a DST switch is as long as the
clock says it really is (an hour shorter in March, longer in October); a boundary inside
the spring gap moves to the switch; an ambiguous wall time in October means its first
occurrence.
"""

import os
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpdesk_tui.domain.errors import ValidationError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names of the hours syntax, Monday first (as `date.weekday()` counts)."""

#: A working range of one day: minutes after local midnight, start < end <= 1440.
TimeRange = tuple[int, int]

#: Closed dates of a year (holidays, extra closed days); asked once per year and cached.
ClosedDates = Callable[[int], Iterable[date]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
_DAY_MINUTES = 1440
_MAX_YEARS = 400  # a span past this many years with no working time at all is an error


@dataclass(frozen=True)
class WeekHours:
    """Working ranges per weekday (`days[0]` is Monday); a day without ranges is closed."""

    days: tuple[tuple[TimeRange, ...], ...]

    @property
    def day_minutes(self) -> int:
        """The length of a usual working day in minutes: the most frequent length among
        the days that have working time (ties: the longer). `3d` in an SLA target means
        three of these."""
        lengths = Counter(sum(end - start for start, end in day) for day in self.days if day)
        if not lengths:
            return 0
        return max(lengths.items(), key=lambda item: (item[1], item[0]))[0]

    def __str__(self) -> str:
        """The hours in the config syntax (`mon-fri 08:00-17:00`), days with equal ranges
        joined into runs."""
        parts: list[str] = []
        index = 0
        while index < 7:
            ranges = self.days[index]
            end = index
            while end + 1 < 7 and self.days[end + 1] == ranges:
                end += 1
            if ranges:
                names = DAY_NAMES[index] if end == index else f"{DAY_NAMES[index]}-{DAY_NAMES[end]}"
                spans = ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in ranges)
                parts.append(f"{names} {spans}")
            index = end + 1
        return "; ".join(parts)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_hours(text: str) -> WeekHours:
    """Parse working hours: `mon-fri 08:00-17:00`, several ranges a day separated by
    commas, several day groups by semicolons (`mon-thu 08:00-12:00,13:00-17:00; fri
    08:00-14:00`), day lists (`mon,wed 09:00-12:00`), `24:00` as an end. Days not named
    are closed. ValidationError with one line naming the part it could not read."""
    days: list[tuple[TimeRange, ...] | None] = [None] * 7
    groups = [group.strip() for group in text.split(";")]
    if not any(groups):
        raise ValidationError(
            f"hours {text!r}: no working hours given (e.g. 'mon-fri 08:00-17:00')"
        )
    for group in groups:
        if not group:
            continue
        head, _, rest = group.partition(" ")
        indexes = _parse_days(text, head)
        ranges = _parse_ranges(text, group, rest)
        for index in indexes:
            if days[index] is not None:
                raise ValidationError(f"hours {text!r}: {DAY_NAMES[index]} is given twice")
            days[index] = ranges
    hours = WeekHours(tuple(day or () for day in days))
    if not any(hours.days):
        raise ValidationError(f"hours {text!r}: no working time on any day")
    return hours


def _parse_days(text: str, head: str) -> list[int]:
    indexes: list[int] = []
    for item in head.lower().split(","):
        first, dash, last = item.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValidationError(
                f"hours {text!r}: {item!r} is no day or day range (mon tue wed thu fri sat "
                "sun, e.g. mon-fri)"
            )
        start = DAY_NAMES.index(first)
        end = DAY_NAMES.index(last) if dash else start
        if end < start:
            raise ValidationError(
                f"hours {text!r}: day range {item!r} runs backwards (write mon-fri, not fri-mon)"
            )
        indexes.extend(range(start, end + 1))
    return indexes


def _parse_ranges(text: str, group: str, rest: str) -> tuple[TimeRange, ...]:
    items = [item for item in re.split(r"[,\s]+", rest.strip()) if item]
    if not items:
        raise ValidationError(f"hours {text!r}: {group!r} has no time range (e.g. 08:00-17:00)")
    ranges: list[TimeRange] = []
    for item in items:
        match = _RANGE.match(item)
        if match is None:
            raise ValidationError(f"hours {text!r}: {item!r} is no time range HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise ValidationError(f"hours {text!r}: {item!r} is no time of day")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValidationError(f"hours {text!r}: {item!r} ends before it starts")
        if ranges and start < ranges[-1][1]:
            raise ValidationError(
                f"hours {text!r}: {item!r} overlaps or comes before the range before it"
            )
        ranges.append((start, end))
    return tuple(ranges)


@dataclass(frozen=True)
class BusinessDuration:
    """A span of business time as written in the config: working days (`d`, each a
    calendar's usual working day) plus minutes."""

    days: int = 0
    minutes: int = 0

    def __str__(self) -> str:
        """`3d`, `4h`, `1h30m`, `1d2h` — the syntax `parse_duration` reads."""
        return format_span(self.minutes, 0, days=self.days)


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$")


def parse_duration(text: str) -> BusinessDuration:
    """Parse `30m`, `4h`, `3d` (working days), or a sum like `1h30m`, `2d4h`; more than
    zero. ValidationError with one line otherwise."""
    value = re.sub(r"\s+", "", text.lower())
    match = _DURATION.match(value)
    if not value or match is None:
        raise ValidationError(
            f"not a duration: {text!r} (e.g. '30m', '4h', '3d' = 3 working days, '1h30m')"
        )
    days, hours, minutes = (int(part) if part else 0 for part in match.groups())
    duration = BusinessDuration(days, hours * 60 + minutes)
    if duration.days == 0 and duration.minutes == 0:
        raise ValidationError(f"duration {text!r} must be more than zero")
    return duration


def format_span(minutes: int, day_minutes: int, *, days: int = 0) -> str:
    """A business span as short text: `2h10m`, `45m`, `1d3h` (with `day_minutes` > 0,
    whole working days are counted as `d`), `0m` for nothing."""
    if day_minutes > 0:
        days += minutes // day_minutes
        minutes %= day_minutes
    hours, rest = divmod(minutes, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "")
    text += f"{rest}m" if rest or not text else ""
    return text


#: From this many days on, a coarse span shows whole days only (`35d`).
COARSE_DAYS = 10


def format_coarse(minutes: int, day_minutes: int) -> str:
    """A business span as a label that fits a narrow column: under a working day as
    `format_span` (`3h20m`), under COARSE_DAYS days without minutes (`2d5h`), beyond
    that in whole days (`35d`); always rounded down. `day_minutes` <= 0 counts 24 h."""
    day = day_minutes if day_minutes > 0 else 24 * 60
    if minutes < day:
        return format_span(minutes, day)
    days, rest = divmod(minutes, day)
    if days >= COARSE_DAYS:
        return f"{days}d"
    hours = rest // 60
    return f"{days}d{hours}h" if hours else f"{days}d"


def closed_dates(dates: Iterable[date]) -> ClosedDates:
    """Closed dates from a plain collection, as the function of the year the calendar asks."""
    by_year: dict[int, set[date]] = {}
    for day in dates:
        by_year.setdefault(day.year, set()).add(day)
    frozen = {year: frozenset(days) for year, days in by_year.items()}
    return lambda year: frozen.get(year, frozenset())


class _Year:
    """The working intervals of one local calendar year as UTC microseconds."""

    __slots__ = ("ends", "ends_at", "starts", "starts_at", "total")

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in intervals]
        self.ends = [end for _, end in intervals]
        position = 0
        starts_at: list[int] = []
        ends_at: list[int] = []
        for start, end in intervals:
            starts_at.append(position)
            position += end - start
            ends_at.append(position)
        self.starts_at = starts_at  # business µs of the year before interval i begins
        self.ends_at = ends_at  # … when it ends
        self.total = position

    def position(self, instant: int) -> int:
        """Business µs of this year before `instant` (0 before the first interval, the
        total after the last)."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0
        return self.starts_at[index] + min(instant, self.ends[index]) - self.starts[index]

    def instant(self, position: int) -> int:
        """The earliest instant with this business position; 0 < position <= total."""
        index = bisect_left(self.ends_at, position)
        return self.starts[index] + position - self.starts_at[index]


class BusinessCalendar:
    """Working time: a zone, the working ranges per weekday, closed dates.

    `closed` is a collection of dates or a function of the year returning that year's
    closed dates (asked once per year). Year tables are cached on the calendar; sharing
    one calendar across threads is safe (a race only builds a year twice).
    """

    def __init__(
        self,
        zone: ZoneInfo,
        hours: WeekHours,
        closed: ClosedDates | Iterable[date] = (),
    ) -> None:
        if not any(hours.days):
            raise ValidationError("a business calendar needs working time on some day")
        self.zone = zone
        self.hours = hours
        self._day_minutes = hours.day_minutes
        self._closed: ClosedDates = closed if callable(closed) else closed_dates(closed)
        self._years: dict[int, _Year] = {}
        self._starts: dict[int, int] = {}
        self._closed_years: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.zone.key!r}, {str(self.hours)!r})"

    @property
    def day_minutes(self) -> int:
        """Minutes of a usual working day (what `d` means in durations)."""
        return self._day_minutes

    def minutes(self, duration: BusinessDuration) -> int:
        """A configured duration in business minutes (`d` = `day_minutes`)."""
        return duration.days * self._day_minutes + duration.minutes

    def is_closed(self, day: date) -> bool:
        """True when `day` (a local date) is a holiday or an extra closed date."""
        return day in self._closed_in(day.year)

    def _closed_in(self, year: int) -> frozenset[date]:
        closed = self._closed_years.get(year)
        if closed is None:
            closed = frozenset(self._closed(year))
            self._closed_years[year] = closed
        return closed

    def is_working(self, instant: datetime) -> bool:
        """True when `instant` lies in working time (a range's start counts, its end not)."""
        at = _to_us(instant)
        year = self._year(self._local_year(instant, at))
        index = bisect_right(year.starts, at) - 1
        return index >= 0 and at < year.ends[index]

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant `minutes` of business time after `start` (UTC). 0 → `start` itself;
        a result that falls on the end of a working range is that end (17:00, not the
        next morning). Negative minutes go back to the earliest such instant."""
        return self.add_business_time(start, timedelta(minutes=minutes))

    def add_business_time(self, start: datetime, span: timedelta) -> datetime:
        """`add_business_minutes` to the microsecond."""
        amount = span // _ONE_US
        at = _to_us(start)
        if amount == 0:
            return _from_us(at)
        number = self._local_year(start, at)
        year = self._year(number)
        target = year.position(at) + amount
        for _ in range(_MAX_YEARS):
            if target <= 0:
                number -= 1
                year = self._year(number)
                target += year.total
            elif target > year.total:
                target -= year.total
                number += 1
                year = self._year(number)
            else:
                return _from_us(year.instant(target))
        raise ValidationError(f"no working time within {_MAX_YEARS} years of {start:%Y-%m-%d}")

    def business_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole business minutes from `a` to `b`; 0 when `b` <= `a`."""
        return self.business_time_between(a, b) // _ONE_US // _MINUTE_US

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from `a` to `b` to the microsecond; zero when `b` <= `a`."""
        ua, ub = _to_us(a), _to_us(b)
        if ub <= ua:
            return timedelta(0)
        first, last = self._local_year(a, ua), self._local_year(b, ub)
        if first == last:
            year = self._year(first)
            return timedelta(microseconds=year.position(ub) - year.position(ua))
        start = self._year(first)
        amount = start.total - start.position(ua)
        amount += sum(self._year(number).total for number in range(first + 1, last))
        amount += self._year(last).position(ub)
        return timedelta(microseconds=amount)

    def _local_year(self, instant: datetime, at: int) -> int:
        """The year of `instant`'s local date: its own year (offsets are under a day, so
        at most one off), checked against the cached instants the local years begin."""
        year = instant.year
        if at < self._year_start(year):
            return year - 1
        if at >= self._year_start(year + 1):
            return year + 1
        return year

    def _year_start(self, number: int) -> int:
        start = self._starts.get(number)
        if start is None:
            start = _to_us(datetime(number, 1, 1, tzinfo=self.zone))
            self._starts[number] = start
        return start

    def _year(self, number: int) -> "_Year":
        year = self._years.get(number)
        if year is None:
            year = _Year(self._intervals(number))
            self._years[number] = year
        return year

    def _intervals(self, number: int) -> list[tuple[int, int]]:
        closed = self._closed_in(number)
        intervals: list[tuple[int, int]] = []
        day = date(number, 1, 1)
        one = timedelta(days=1)
        while day.year == number:
            ranges = self.hours.days[day.weekday()]
            if ranges and day not in closed:
                for start, end in ranges:
                    begin, finish = self._wall(day, start), self._wall(day, end)
                    if finish > begin:
                        intervals.append((begin, finish))
            day += one
        return intervals

    def _wall(self, day: date, minute: int) -> int:
        """The instant (UTC µs) of local wall time `minute` on `day`; a wall time in the
        spring gap is the switch itself."""
        if minute == _DAY_MINUTES:
            day, minute = day + timedelta(days=1), 0
        wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone)
        at = _to_us(wall)
        naive = wall.replace(tzinfo=None)
        if _from_us(at).astimezone(self.zone).replace(tzinfo=None) == naive:
            return at
        # In the gap: step from the after-switch reading (earlier than the switch) to the
        # first minute whose wall time is past `wall` — the switch (switches are whole minutes).
        probe = _to_us(wall.replace(fold=1))
        while _from_us(probe).astimezone(self.zone).replace(tzinfo=None) <= naive:
            probe += _MINUTE_US
        return probe


def _to_us(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("business time needs an aware datetime (an instant), got a naive one")
    return (instant - _EPOCH) // _ONE_US


def _from_us(at: int) -> datetime:
    return _EPOCH + timedelta(microseconds=at)


def machine_zone() -> ZoneInfo:
    """The machine's time zone (what `[calendar] timezone` defaults to): `TZ`, then the
    zone /etc/localtime links to, else UTC. The one place that reads the environment."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    for candidate in candidates:
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")
