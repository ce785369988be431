"""Care histories of the synthetic children: legal-status paths, placements, exits and reviews.

Each child is generated from its legal status on the day the study sampled it (the published
split: s.20 37, ICO 36, CO 33, PO 16) backwards to the day it became looked after and forwards
to the end of the study's last collection year (31 March 2014), along paths that follow how
care proceedings run:

* s.20 accommodation may stay voluntary, turn into proceedings (an interim care order) or end
  in a return home;
* an interim care order ends in a full care order, a placement order (young children), a
  special guardianship order or a return home;
* a care order mostly continues, sometimes ends in an SGO or a placement order;
* a placement order mostly ends in adoption.

Reviews follow regulation 33 (first within 20 working days, second within 3 months, then at
most every 6 months) for most children, with some late. Participation codes agree with age:
PN0 exactly when the child is under 4 on the day of the review.

All probabilities below are modelling assumptions for plausible synthetic data, not estimates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from caresurvey.synth.randomness import pick
from caresurvey.codes import (
    PARTICIPATION_UNDER_FOUR,
    STUDY_STATUS_OF_CODE,
)

__all__ = [
    "StudyDates",
    "LegalSpell",
    "Placement",
    "Child",
    "build_child",
    "status_on",
    "age_on",
    "STUDY_END",
]

#: The end of the data: the last day of the 2013-14 SSDA903 collection year.
STUDY_END = dt.date(2014, 3, 31)


@dataclass(frozen=True)
class StudyDates:
    """When one LA's sample was drawn and its files analysed."""

    sampling: dt.date
    file_analysis: dt.date


@dataclass(frozen=True)
class LegalSpell:
    code: str
    start: dt.date


@dataclass(frozen=True)
class Placement:
    place: str
    provider: str
    start: dt.date
    postcode: str
    urn: str


@dataclass
class Child:
    """One sampled child with everything the case files and the SSDA903 return record."""

    case: str
    la: str
    child_id: str
    sex: str
    dob: dt.date
    ethnicity: str
    upn: str
    need: str
    home_postcode: str
    status_at_sampling: str
    dates: StudyDates
    legal: list[LegalSpell]
    placements: list[Placement]
    exit_date: dt.date | None = None
    exit_reason: str | None = None
    placement_change_reasons: dict[dt.date, str] = field(default_factory=dict)
    reviews: list[tuple[dt.date, str]] = field(default_factory=list)
    interview_date: dt.date | None = None

    @property
    def entry(self) -> dt.date:
        return self.legal[0].start

    @property
    def last_day(self) -> dt.date:
        """The last day of care within the data (exit day, or the study end)."""
        return self.exit_date if self.exit_date is not None else STUDY_END


def age_on(dob: dt.date, day: dt.date) -> int:
    """Age in completed years on a day."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February: the birthday is 1 March in other years
        return dt.date(dob.year + years, 3, 1)


def _days(rng: np.random.Generator, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(low, high + 1)))


# Age group at sampling by legal status (assumption): accommodated children skew older,
# children on placement orders are nearly all under 5.
_AGE_BANDS = {"Under 1": (0, 0), "1 to 4": (1, 4), "5 to 9": (5, 9), "10 to 15": (10, 15), "16 and over": (16, 17)}
_AGE_MIX = {
    "s.20": {"Under 1": 5, "1 to 4": 10, "5 to 9": 17, "10 to 15": 45, "16 and over": 23},
    "ICO": {"Under 1": 28, "1 to 4": 30, "5 to 9": 25, "10 to 15": 17, "16 and over": 0},
    "CO": {"Under 1": 0, "1 to 4": 18, "5 to 9": 34, "10 to 15": 38, "16 and over": 10},
    "PO": {"Under 1": 25, "1 to 4": 65, "5 to 9": 10, "10 to 15": 0, "16 and over": 0},
}
_NEED = {"N1": 62, "N2": 3, "N3": 4, "N4": 9, "N5": 14, "N6": 2, "N7": 1, "N8": 5}
_ETHNICITY = {"WBRI": 74, "WOTH": 4, "MWBC": 5, "MWBA": 2, "MWAS": 2, "MOTH": 3, "APKN": 2,
              "AOTH": 1, "BAFR": 3, "BCRB": 1, "BOTH": 1, "OOTH": 1, "NOBT": 1}


def _postcode(rng: np.random.Generator) -> str:
    """A postcode-shaped string (area letters, district, sector, unit); not a real address."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    area = "".join(rng.choice(list("ABCDEGHKLMNPRSTW"), size=int(rng.integers(1, 3))))
    unit = "".join(rng.choice(list(letters), size=2))
    return f"{area}{int(rng.integers(1, 30))} {int(rng.integers(1, 10))}{unit}"


def _upn(rng: np.random.Generator) -> str:
    """A UPN in the DfE format: check letter, LA number, establishment, year, serial.

    The LA number 999 is not an LA's, so no synthetic UPN can be a real pupil's.
    """
    digits = f"999{int(rng.integers(1000, 10000)):04d}{int(rng.integers(0, 100)):02d}{int(rng.integers(0, 1000)):03d}"
    # DfE check letter: sum of digits weighted 2..13, modulo 23, indexes this alphabet.
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"
    check = alphabet[sum(int(d) * w for d, w in zip(digits, range(2, 14))) % 23]
    return check + digits


def _initial_placement(rng: np.random.Generator, age: int) -> str:
    if age < 10:
        return pick(rng, {"U6": 70, "U3": 30})
    if age < 16:
        return pick(rng, {"U6": 60, "U3": 15, "K2": 25})
    return pick(rng, {"U6": 40, "K2": 20, "H5": 40})


def _provider(rng: np.random.Generator, place: str) -> str:
    if place == "P1":
        return "PR0"
    if place.startswith("A"):
        return "PR1"
    if place in ("K2", "H5"):
        return pick(rng, {"PR1": 35, "PR4": 65})
    return pick(rng, {"PR1": 70, "PR4": 30})


def _urn(rng: np.random.Generator, place: str) -> str:
    """Ofsted URNs exist for registered children's homes; others are recorded as XXXXXXX."""
    return f"SC{int(rng.integers(100000, 1000000))}" if place == "K2" else "XXXXXXX"


class _History:
    """Builds one child's legal spells, placements and exit, in date order."""

    def __init__(self, rng: np.random.Generator, dob: dt.date, entry: dt.date, home_postcode: str):
        self.rng = rng
        self.home_postcode = home_postcode
        self.dob = dob
        self.legal: list[LegalSpell] = []
        self.placements: list[Placement] = []
        self.change_reasons: dict[dt.date, str] = {}
        self.exit: tuple[dt.date, str] | None = None
        self.entry = entry

    def status(self, code: str, start: dt.date) -> None:
        if self.legal and start <= self.legal[-1].start:
            start = self.legal[-1].start + dt.timedelta(days=1)
        self.legal.append(LegalSpell(code, start))

    def place(self, place: str, start: dt.date, reason: str | None = None) -> None:
        if self.placements and start <= self.placements[-1].start:
            start = self.placements[-1].start + dt.timedelta(days=1)
        if reason is not None:
            self.change_reasons[start] = reason
        postcode = self.home_postcode if place == "P1" else _postcode(self.rng)
        self.placements.append(Placement(place, _provider(self.rng, place), start, postcode, _urn(self.rng, place)))

    def leave(self, day: dt.date, reason: str) -> None:
        last_change = max(self.legal[-1].start, self.placements[-1].start)
        self.exit = (max(day, last_change + dt.timedelta(days=1)), reason)


def _before_sampling(h: _History, status: str, sampling: dt.date, age: int) -> None:
    """Legal history from entry to the sampling day, ending in the sampled status."""
    rng, entry = h.rng, h.entry
    h.place(_initial_placement(rng, age), entry)
    if status == "s.20":
        h.status("V2", entry)
    elif status == "ICO":
        if rng.random() < 0.4 and (sampling - entry).days > 60:
            h.status("V2", entry)
            h.status("C1", entry + _days(rng, 20, min(90, (sampling - entry).days - 7)))
        else:
            h.status("C1", entry)
    elif status == "CO":
        granted = sampling - _days(rng, 30, max(31, min(1800, (sampling - entry).days - 120)))
        h.status("V2" if rng.random() < 0.35 else "C1", entry)
        if h.legal[0].code == "V2":
            h.status("C1", entry + _days(rng, 14, 60))
        h.status("C2", max(granted, h.legal[-1].start + dt.timedelta(days=90)))
        if h.placements[-1].place == "U6" and rng.random() < 0.5:
            h.place("U4", h.legal[-1].start + _days(rng, 30, 120), "CARPL")
    else:  # PO
        h.status("C1", entry)
        granted = sampling - _days(rng, 20, max(21, min(300, (sampling - entry).days - 120)))
        h.status("E1", max(granted, entry + dt.timedelta(days=120)))


def _settle_before(h: _History, sampling: dt.date) -> None:
    """Move any change drawn on or after the sampling day back before it, keeping the order.

    The sampled status must be in force on the sampling day whatever the random durations
    drew; the last change moves to the day before sampling, earlier ones to a day before that.
    """
    for name in ("legal", "placements"):
        items = getattr(h, name)
        limit = sampling - dt.timedelta(days=1)
        settled = []
        for item in reversed(items):
            if item.start > limit:
                moved = dataclasses.replace(item, start=limit)
                if name == "placements" and item.start in h.change_reasons:
                    h.change_reasons[limit] = h.change_reasons.pop(item.start)
                item = moved
            settled.append(item)
            limit = item.start - dt.timedelta(days=1)
        settled.reverse()
        setattr(h, name, settled)
    first = min(h.legal[0].start, h.placements[0].start)
    h.legal[0] = dataclasses.replace(h.legal[0], start=first)
    h.placements[0] = dataclasses.replace(h.placements[0], start=first)
    h.entry = first


def _after_sampling(h: _History, status: str, sampling: dt.date, age: int) -> None:
    """What happens from the sampling day to the study end."""
    rng = h.rng

    def later(low: int, high: int) -> dt.date:
        return sampling + _days(rng, low, high)

    if status == "s.20":
        path = pick(rng, {"stays": 45, "proceedings": 30, "home": 25})
        if path == "proceedings":
            start = later(30, 240)
            h.status("C1", start)
            if rng.random() < 0.45:
                h.status("C2", start + _days(rng, 150, 300))
        elif path == "home":  # accommodation ends when the child goes home; no placement with parents
            h.leave(later(30, 300), "E4A")
    elif status == "ICO":
        young = age < 6
        path = pick(rng, {"CO": 40, "PO": 25 if young else 0, "SGO": 15, "home": 15, "continues": 5})
        decided = later(30, 270)
        if path == "CO":
            h.status("C2", decided)
            if rng.random() < 0.4:
                h.place("U4", decided + _days(rng, 0, 90), "CARPL")
        elif path == "PO":
            h.status("E1", decided)
            h.place("A6" if rng.random() < 0.7 else "A5", decided + _days(rng, 60, 200), "CARPL")
            if rng.random() < 0.3:
                h.leave(h.placements[-1].start + _days(rng, 120, 300), pick(rng, {"E11": 80, "E12": 20}))
        elif path == "SGO":
            h.leave(decided, _SGO_2014[pick(rng, {"E45": 35, "E46": 10, "E47": 40, "E48": 15})])
        elif path == "home":
            h.place("P1", decided - _days(rng, 0, 30), "CARPL")
            h.leave(decided, "E4A")
    elif status == "CO":
        path = pick(rng, {"continues": 72, "SGO": 12, "PO": 8 if age < 8 else 0, "home": 8})
        decided = later(60, 420)
        if path == "SGO":
            h.leave(decided, _SGO_2014[pick(rng, {"E45": 50, "E46": 20, "E47": 20, "E48": 10})])
        elif path == "PO":
            h.status("E1", decided)
            h.place("A5", decided + _days(rng, 60, 200), "CARPL")
        elif path == "home":
            h.place("P1", decided, "CARPL")
            h.leave(decided + _days(rng, 90, 240), "E4A")
        elif rng.random() < 0.25:
            h.place(pick(rng, {"U6": 60, "K2": 40}), later(30, 400), pick(rng, {"CREQB": 50, "CREQO": 30, "CHILD": 20}))
    else:  # PO
        path = pick(rng, {"adopted": 60, "waits": 35, "revoked": 5})
        if h.placements[-1].place not in ("A5", "A6"):
            h.place(pick(rng, {"A5": 30, "A6": 70}), later(0, 150), "CARPL")
        if path == "adopted":
            h.leave(h.placements[-1].start + _days(rng, 100, 330), pick(rng, {"E11": 75, "E12": 25}))
        elif path == "revoked":
            h.status("C2", later(120, 400))
            h.place("U4", h.legal[-1].start, "CARPL")

    # Nobody is looked after past 18: care ends on the 18th birthday.
    eighteen = _birthday(h.dob, 18)
    if eighteen <= STUDY_END and (h.exit is None or h.exit[0] > eighteen):
        h.exit = None
        h.legal = [s for s in h.legal if s.start < eighteen]
        h.placements = [p for p in h.placements if p.start < eighteen]
        h.leave(eighteen, pick(rng, {"E17": 40, "E5": 40, "E6": 20}))

    # Events generated past the study end, or after leaving care, are not in the data.
    last = h.exit[0] if h.exit is not None and h.exit[0] <= STUDY_END else STUDY_END
    if h.exit is not None and h.exit[0] > STUDY_END:
        h.exit = None
    h.legal = [s for s in h.legal if s.start < last or s is h.legal[0]]
    h.placements = [p for p in h.placements if p.start < last or p is h.placements[0]]
    h.change_reasons = {d: r for d, r in h.change_reasons.items() if any(p.start == d for p in h.placements)}


def _working_days_after(day: dt.date, working_days: int) -> dt.date:
    """The day a number of working days (Monday to Friday) after ``day``."""
    return np.busday_offset(np.datetime64(day), working_days, roll="forward").astype(dt.date)


def _reviews(rng: np.random.Generator, child: Child, late_rate: float) -> list[tuple[dt.date, str]]:
    """Review dates under regulation 33, some late, and a participation code for each.

    Notes
    -----
    Regulation 33: first review within 20 working days of becoming looked after, second within
    3 months of the first, later ones at intervals of no more than 6 months. A late review is
    scheduled 1 to 8 weeks after its deadline.
    """
    reviews: list[tuple[dt.date, str]] = []
    late = rng.random() < late_rate
    first = _working_days_after(child.entry, int(rng.integers(26, 40)) if late else int(rng.integers(8, 20)))
    day = first
    index = 0
    while day <= child.last_day and (child.exit_date is None or day < child.exit_date):
        reviews.append((day, _participation(rng, age_on(child.dob, day))))
        index += 1
        late = rng.random() < late_rate
        if index == 1:
            step = _days(rng, 92 + 7, 92 + 56) if late else _days(rng, 70, 90)
        else:
            step = _days(rng, 183 + 7, 183 + 56) if late else _days(rng, 120, 181)
        day = day + step
    return reviews


_PARTICIPATION_4_TO_9 = {"PN1": 30, "PN2": 10, "PN3": 15, "PN4": 10, "PN5": 15, "PN6": 15, "PN7": 5}
_PARTICIPATION_10_PLUS = {"PN1": 45, "PN2": 10, "PN3": 5, "PN4": 5, "PN5": 15, "PN6": 15, "PN7": 5}


def _participation(rng: np.random.Generator, age: int) -> str:
    if age < 4:
        return PARTICIPATION_UNDER_FOUR
    return pick(rng, _PARTICIPATION_4_TO_9 if age < 10 else _PARTICIPATION_10_PLUS)


def build_child(
    rng: np.random.Generator,
    *,
    case: str,
    la: str,
    child_id: str,
    status: str,
    dates: StudyDates,
    late_review_rate: float,
) -> Child:
    """Generate one child looked after with ``status`` (s.20, ICO, CO or PO) on the sampling day."""
    sampling = dates.sampling
    band = pick(rng, _AGE_MIX[status])
    low, high = _AGE_BANDS[band]
    age = int(rng.integers(low, high + 1))
    dob = _birthday(sampling, -age) - _days(rng, 1, 364)
    # A placement order takes months of proceedings; no child is sampled on one before 200 days.
    minimum_days = 200 if status == "PO" else 14
    if (sampling - dob).days < minimum_days:
        dob = sampling - _days(rng, minimum_days, 364)
    # Time in care before sampling, by status (assumption); never before birth.
    in_care = {"s.20": (30, 900), "ICO": (30, 330), "CO": (240, 2200), "PO": (240, 900)}[status]
    entry = sampling - _days(rng, *in_care)
    entry = max(entry, dob + dt.timedelta(days=int(rng.integers(1, 20))))
    if (sampling - entry).days < 21:  # too young for the status's usual history: enter soon after birth
        entry = dob + dt.timedelta(days=1)
    home_postcode = _postcode(rng)
    history = _History(rng, dob, entry, home_postcode)
    _before_sampling(history, status, sampling, age)
    _settle_before(history, sampling)
    _after_sampling(history, status, sampling, age)
    child = Child(
        case=case,
        la=la,
        child_id=child_id,
        sex=pick(rng, {"1": 55, "2": 45}),
        dob=dob,
        ethnicity=pick(rng, _ETHNICITY),
        upn=_upn(rng),
        need=pick(rng, _NEED),
        home_postcode=home_postcode,
        status_at_sampling=status,
        dates=dates,
        legal=history.legal,
        placements=history.placements,
        exit_date=history.exit[0] if history.exit else None,
        exit_reason=history.exit[1] if history.exit else None,
        placement_change_reasons=history.change_reasons,
    )
    child.reviews = _reviews(rng, child, late_review_rate)
    return child


#: The study's returns are of 2013-14, when a special guardianship order was coded E43 (to former
#: foster carers) or E44 (to other carers); E45 to E48, which split these by whether the carers are
#: relatives or friends, came in 2016-17 (:data:`caresurvey.codes.CODE_YEARS`). The draw keeps the
#: later codes' weights, so the study's exits are the same.
_SGO_2014 = {"E45": "E43", "E46": "E43", "E47": "E44", "E48": "E44"}

_EXIT_CATEGORY = {"E11": "Adopted", "E12": "Adopted", "E43": "SGO", "E44": "SGO",
                  "E4A": "Returned home", "E4B": "Returned home", "E13": "Returned home"}


def status_on(child: Child, day: dt.date) -> str:
    """The child's study legal-status category on a day (or how care ended, once it had)."""
    if child.exit_date is not None and child.exit_date <= day:
        return _EXIT_CATEGORY.get(child.exit_reason, "Other")
    code = child.legal[0].code
    for spell in child.legal:
        if spell.start <= day:
            code = spell.code
    return STUDY_STATUS_OF_CODE.get(code, "Other")


#: DfE's age groups for children looked after, oldest first: (lower bound in whole years, label).
#: Written out here rather than taken from the analyses' banding, so that the back test checks
#: that banding instead of sharing it (the labels are checked against ``caresurvey.codes``).
_DFE_AGE_BANDS = ((16, "16 and over"), (10, "10 to 15"), (5, "5 to 9"), (1, "1 to 4"), (0, "Under 1"))


def age_group_on(child: Child, day: dt.date) -> str:
    """The child's DfE age group on a day."""
    age = age_on(child.dob, day)
    return next(label for lower, label in _DFE_AGE_BANDS if age >= lower)
