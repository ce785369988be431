"""An intruder holding every table a real-data run releases, written apart from the package.

It knows nothing of :mod:`caresurvey.disclosure` (its roles, its relations, its ledger): the
relations between released counts are written here from what the tables mean (a status table's
categories add up to its denominator, a transition table's margins are the status tables, the
children at risk fall as children leave care, one LA's funnel point is its row of the timeliness
table), as someone reading the tables would write them. Every released count is a whole-number
unknown bounded by what is shown (exactly, or the interval a rounded count allows); a withheld
cell ``c`` is any whole number from 0. Integer programming (HiGHS through scipy) then gives the
least and greatest value of every withheld cell, and of the unpublished counts the relations
define (a difference, the rest of a denominator), over every table at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse

#: The greatest count the intruder entertains; a range reaching it is "unbounded".
_BIG = 10**7


@dataclass
class Intruder:
    """The released tables as unknowns and the relations an intruder writes between them."""

    released: dict[str, pd.DataFrame]
    round_to: int = 0
    bounds: list[tuple[float, float]] = field(default_factory=list)
    where: list[tuple[str, int, str]] = field(default_factory=list)
    equations: list[dict[int, float]] = field(default_factory=list)
    inequalities: list[dict[int, float]] = field(default_factory=list)  # sum <= 0
    _index: dict[tuple[str, int, str], int] = field(default_factory=dict)

    # -- the unknowns ---------------------------------------------------------------------------

    def var(self, table: str, row: int, column: str) -> int:
        """The unknown for a released cell, bounded by what the table shows there."""
        key = (table, row, column)
        if key not in self._index:
            shown = str(self.released[table].at[row, column])
            if shown in ("c", "", "nan", "None", "x"):
                bound = (0, _BIG)
            elif shown == "k":  # not zero, rounds to zero
                bound = (1, self.round_to // 2 if self.round_to else 0)
            else:
                value = float(shown)
                half = self.round_to // 2 if self.round_to else 0
                bound = (max(0.0, value - half), value + half)
            self._index[key] = len(self.bounds)
            self.bounds.append(bound)
            self.where.append(key)
        return self._index[key]

    def withheld(self) -> list[int]:
        return [k for k, (table, row, column) in enumerate(self.where)
                if str(self.released[table].at[row, column]) == "c"]

    # -- relations ------------------------------------------------------------------------------

    @staticmethod
    def _difference(left: list[int], right: list[int]) -> dict[int, float]:
        """sum(left) - sum(right), as unknown -> coefficient."""
        relation: dict[int, float] = {}
        for sign, side in ((1, left), (-1, right)):
            for v in side:
                relation[v] = relation.get(v, 0) + sign
        return relation

    def equal(self, left: list[int], right: list[int]) -> None:
        """sum(left) == sum(right)."""
        self.equations.append(self._difference(left, right))

    def at_most(self, left: list[int], right: list[int]) -> None:
        """sum(left) <= sum(right)."""
        self.inequalities.append(self._difference(left, right))

    # -- the attack -----------------------------------------------------------------------------

    def ranges(self, expressions: dict[str, dict[int, float]], enough=None) -> dict[str, tuple[float, float]]:
        """The least and greatest value of each expression (unknown -> coefficient) over every whole-number
        filling of the released tables that satisfies the relations.

        With ``enough(least, greatest)``, an expression whose values in the fillings already found
        satisfy it is given that narrower range instead (every filling found is one the intruder cannot
        rule out), which spares most of the programmes.
        """
        n = len(self.bounds)
        constraints = []
        for rows, equality in ((self.equations, True), (self.inequalities, False)):
            if rows:
                r, c, v = zip(*[(i, var, coef) for i, row in enumerate(rows) for var, coef in row.items()])
                matrix = sparse.csr_array((v, (r, c)), shape=(len(rows), n))
                constraints.append(optimize.LinearConstraint(matrix, 0 if equality else -np.inf, 0))
        low, high = np.array(self.bounds, dtype=float).T
        fillings: list[np.ndarray] = []
        out = {}
        for name, expression in expressions.items():
            objective = np.zeros(n)
            for var, coef in expression.items():
                objective[var] = coef
            seen = [float(objective @ x) for x in fillings]
            if enough is not None and seen and enough(min(seen), max(seen)):
                out[name] = (min(seen), max(seen))
                continue
            found = []
            for sign in (-1, 1):
                result = optimize.milp(sign * objective, integrality=np.ones(n), bounds=optimize.Bounds(low, high),
                                       constraints=constraints)
                assert result.status == 0, f"the released tables admit no filling ({result.message})"
                fillings.append(np.round(result.x))
                found.append(sign * result.fun)
            out[name] = (found[1], found[0] if found[0] < _BIG / 2 else np.inf)
        return out


def rows_of(frame: pd.DataFrame, **keys) -> list[int]:
    mask = np.ones(len(frame), dtype=bool)
    for key, value in keys.items():
        mask &= (frame[key].isin(value) if isinstance(value, (list, tuple, set)) else frame[key] == value).to_numpy()
    return np.flatnonzero(mask).tolist()


def write_relations(intruder: Intruder) -> dict[str, dict[int, float]]:
    """What an intruder writes from the tables' meaning; returns the unpublished counts worth
    attacking besides the withheld cells (name -> expression)."""
    t, v = intruder.released, intruder.var
    implied: dict[str, dict[int, float]] = {}

    def groups(frame: pd.DataFrame, by: list[str]):
        return frame.groupby(by, sort=False) if by else [(None, frame)]

    def parts(table: str, count: str, denominator: str, by: list[str], category: str, skip=()) -> None:
        """Categories of ``category`` add up to the denominator within rows agreeing on ``by``."""
        frame = t[table]
        for _, group in groups(frame, by):
            rows = [r for r in group.index if frame.at[r, category] not in skip]
            if rows:
                intruder.equal([v(table, r, count) for r in rows], [v(table, rows[0], denominator)])
                for r in rows[1:]:
                    intruder.equal([v(table, r, denominator)], [v(table, rows[0], denominator)])

    def over(table: str, column: str, key: str, total, by: list[str], skip=()) -> None:
        """The ``total`` row of ``key`` is the sum of the others, within rows agreeing on ``by``."""
        frame = t[table]
        for _, group in groups(frame, by):
            whole = [r for r in group.index if frame.at[r, key] == total]
            others = [r for r in group.index if frame.at[r, key] != total and frame.at[r, key] not in skip]
            if len(whole) == 1 and others:
                intruder.equal([v(table, r, column) for r in others], [v(table, whole[0], column)])

    if "legal_status_at_sampling" in t:
        s = t["legal_status_at_sampling"]
        parts("legal_status_at_sampling", "n", "denominator", ["la"], "status", skip=("CO (+ PO)",))
        for la in s["la"].unique():
            combined = rows_of(s, la=la, status="CO (+ PO)")
            if combined:
                intruder.equal([v("legal_status_at_sampling", r, "n") for r in rows_of(s, la=la, status=["CO", "PO"])],
                               [v("legal_status_at_sampling", combined[0], "n")])
        over("legal_status_at_sampling", "n", "la", "All LAs", ["status"])
        over("legal_status_at_sampling", "denominator", "la", "All LAs", ["status"])
    if "legal_status_transitions" in t:
        tr = t["legal_status_transitions"]
        parts("legal_status_transitions", "count", "from_total", ["step", "from_status"], "to_status")
        first = "sampling to file analysis"
        if "legal_status_at_sampling" in t:
            s = t["legal_status_at_sampling"]
            for status in tr.loc[tr["step"] == first, "from_status"].unique():
                row = rows_of(tr, step=first, from_status=status)[0]
                sampled = rows_of(s, la="All LAs", status=status)
                if sampled:
                    intruder.equal([v("legal_status_transitions", row, "from_total")],
                                   [v("legal_status_at_sampling", sampled[0], "n")])
        if "legal_status_at_file_analysis" in t:
            fa = t["legal_status_at_file_analysis"]
            intruder.equal([v("legal_status_at_file_analysis", r, "n") for r in range(len(fa))],
                           [v("legal_status_at_file_analysis", 0, "denominator")])
            for r in range(1, len(fa)):
                intruder.equal([v("legal_status_at_file_analysis", r, "denominator")],
                               [v("legal_status_at_file_analysis", 0, "denominator")])
            for r in range(len(fa)):
                arriving = rows_of(tr, step=first, to_status=fa.at[r, "status"])
                intruder.equal([v("legal_status_transitions", a, "count") for a in arriving],
                               [v("legal_status_at_file_analysis", r, "n")])
    for table, category in (("iro_cg_contact", "category"), ("item_answers", "answer")):
        if table in t:
            parts(table, "n", "denominator", ["item", "group"], category)
    if "item_answers" in t:
        over("item_answers", "n", "group", "All groups", ["item", "answer"])
    if "item_answers" in t:
        # the published study's items are among the study's items: the same respondents in two tables
        ia = t["item_answers"]
        contact = {"CG contacts IRO": "cg_contacts_iro", "IRO contacts CG": "iro_contacts_cg",
                   "IRO and CG discuss care plan at end": "discuss_care_plan"}
        categories = {"Always or mostly": ["Always", "Mostly"], "Sometimes": ["Sometimes"],
                      "Rarely or never": ["Rarely", "Never"]}
        contact_groups = {"IRO": "IRO", "CG": "Children's guardian"}
        if "iro_cg_contact" in t:
            c = t["iro_cg_contact"]
            for r in range(len(c)):
                mine = rows_of(ia, item=contact[c.at[r, "item"]], group=contact_groups[c.at[r, "group"]])
                answers = [a for a in mine if ia.at[a, "answer"] in categories[c.at[r, "category"]]]
                intruder.equal([v("item_answers", a, "n") for a in answers], [v("iro_cg_contact", r, "n")])
                intruder.equal([v("item_answers", mine[0], "denominator")], [v("iro_cg_contact", r, "denominator")])
        challenge = {"Local dispute resolution": "used_local_dispute_resolution",
                     "Independent legal advice": "used_independent_legal_advice",
                     "CAFCASS advice line": "used_cafcass_advice_line",
                     "Formal referral to CAFCASS": "used_formal_referral_to_cafcass"}
        if "formal_challenge" in t:
            f = t["formal_challenge"]
            for r in rows_of(f, group="Overall"):
                yes = rows_of(ia, item=challenge[f.at[r, "mechanism"]], group="IRO", answer="Yes")
                intruder.equal([v("item_answers", yes[0], "n")], [v("formal_challenge", r, "n")])
                intruder.equal([v("item_answers", yes[0], "denominator")], [v("formal_challenge", r, "denominator")])
        if "independence_answers" in t:
            ans = t["independence_answers"]
            for r in rows_of(ia, item="separate_iro_service"):
                group, answer = ia.at[r, "group"], ia.at[r, "answer"]
                published = {"IRO": ["LA-employed IROs", "Self-employed IROs"], "Team manager": ["LAC team managers"],
                             "Children's guardian": ["Children's guardians"]}.get(group, [])
                theirs = [v("independence_answers", a, "n") for a in rows_of(ans, group=published, answer=answer)]
                if group == "IRO":  # IROs who did not say how they are employed are in neither
                    intruder.at_most(theirs, [v("item_answers", r, "n")])
                elif theirs:
                    intruder.equal(theirs, [v("item_answers", r, "n")])
    if "independence_answers" in t:
        parts("independence_answers", "n", "denominator", ["group"], "answer")
        if "independence_attitudes" in t:
            attitudes, answers = t["independence_attitudes"], t["independence_answers"]
            for r in range(len(attitudes)):
                group = attitudes.at[r, "group"]
                agreeing = rows_of(answers, group=group, answer=["Strongly agree", "Agree"])
                intruder.equal([v("independence_answers", a, "n") for a in agreeing], [v("independence_attitudes", r, "n")])
                intruder.equal([v("independence_answers", rows_of(answers, group=group)[0], "denominator")],
                               [v("independence_attitudes", r, "denominator")])
    for table in ("formal_challenge", "independence_attitudes", "interview_codes"):
        if table in t:
            for r in range(len(t[table])):
                intruder.at_most([v(table, r, "n")], [v(table, r, "denominator")])
                implied[f"{table}[{r}] rest"] = {v(table, r, "denominator"): 1, v(table, r, "n"): -1}
    if "formal_challenge" in t:
        f = t["formal_challenge"]
        for mechanism in f["mechanism"].unique():
            overall = rows_of(f, mechanism=mechanism, group="Overall")
            split = rows_of(f, mechanism=mechanism, group=["LA-employed IROs", "Self-employed IROs"])
            if overall and split:
                for column in ("n", "denominator"):
                    intruder.at_most([v("formal_challenge", r, column) for r in split],
                                     [v("formal_challenge", overall[0], column)])
                    implied[f"formal_challenge {mechanism} other {column}"] = {
                        v("formal_challenge", overall[0], column): 1,
                        **{v("formal_challenge", r, column): -1 for r in split}}
    if "review_timeliness" in t:
        rt = t["review_timeliness"]
        for r in range(len(rt)):
            intruder.equal([v("review_timeliness", r, c) for c in ("on_time", "late", "not_held")],
                           [v("review_timeliness", r, "due")])
        for column in ("on_time", "late", "not_held", "due"):
            over("review_timeliness", column, "la", "All LAs", ["review"])
            over("review_timeliness", column, "review", "all", ["la"])
    if "review_participation" in t:
        rp = t["review_participation"]
        parts("review_participation", "n", "denominator", ["la", "age_group"], "code", skip=("views conveyed",))
        over("review_participation", "n", "la", "All LAs", ["age_group", "code"])
        for la in rp["la"].unique():
            views = rows_of(rp, la=la, code="views conveyed")
            if views:
                conveyed = rows_of(rp, la=la, code=[f"PN{k}" for k in range(1, 7)])
                intruder.equal([v("review_participation", r, "n") for r in conveyed],
                               [v("review_participation", views[0], "n")])
                told = [*conveyed, *rows_of(rp, la=la, code="PN7")]
                intruder.equal([v("review_participation", r, "n") for r in told],
                               [v("review_participation", views[0], "denominator")])
    if "time_to_permanence" in t:
        tp = t["time_to_permanence"]
        months = sorted(tp["months"].astype(float).unique())
        outcomes = list(tp["outcome"].unique())
        cell = {(o, m): rows_of(tp, outcome=o, months=m)[0] for o in outcomes for m in months
                if rows_of(tp, outcome=o, months=m)}
        for (o, m), r in cell.items():
            first_row = cell[(outcomes[0], m)]
            intruder.equal([v("time_to_permanence", r, "at_risk")], [v("time_to_permanence", first_row, "at_risk")])
            intruder.equal([v("time_to_permanence", r, "children")], [v("time_to_permanence", 0, "children")])
        for o in outcomes:
            for a, b in zip(months, months[1:]):
                intruder.at_most([v("time_to_permanence", cell[(o, a)], "events_so_far")],
                                 [v("time_to_permanence", cell[(o, b)], "events_so_far")])
                implied[f"{o} events {a}-{b}"] = {v("time_to_permanence", cell[(o, b)], "events_so_far"): 1,
                                                  v("time_to_permanence", cell[(o, a)], "events_so_far"): -1}
        for a, b in zip(months, months[1:]):
            intruder.at_most([v("time_to_permanence", cell[(outcomes[0], b)], "at_risk")],
                             [v("time_to_permanence", cell[(outcomes[0], a)], "at_risk")])
        for k, m in enumerate(months):
            # children who left before m (left care or data ended): all children less those still at risk
            at_risk = v("time_to_permanence", cell[(outcomes[0], m)], "at_risk")
            implied[f"left before {m} months"] = {v("time_to_permanence", 0, "children"): 1, at_risk: -1}
            if k:  # those who had left care by the previous point are no longer at risk
                left_care = [v("time_to_permanence", cell[(o, months[k - 1])], "events_so_far") for o in outcomes]
                intruder.at_most([*left_care, at_risk],
                                 [v("time_to_permanence", 0, "children")])
    if "study_la_funnels" in t:
        fu = t["study_la_funnels"]
        sources = {"reviews held on time": ("review_timeliness", {"review": "all"}, "on_time", "due"),
                   "views conveyed at reviews (aged 4+)": ("review_participation", {"code": "views conveyed"}, "n",
                                                           "denominator")}
        for r in range(len(fu)):
            table, keys, numerator, denominator = sources[fu.at[r, "measure"]]
            if table in t:
                source = rows_of(t[table], la=fu.at[r, "la_code"], **keys)
                if source:
                    intruder.equal([v("study_la_funnels", r, "numerator")], [v(table, source[0], numerator)])
                    intruder.equal([v("study_la_funnels", r, "denominator")], [v(table, source[0], denominator)])
    if "data_quality_by_table" in t:
        dq = t["data_quality_by_table"]
        for r in range(len(dq)):
            intruder.equal([v("data_quality_by_table", r, column) for column in ("rows_kept", "rows_quarantined")],
                           [v("data_quality_by_table", r, "rows_read")])
        for column in ("rows_read", "rows_kept", "rows_quarantined"):
            over("data_quality_by_table", column, "table", "All tables", [])
        if "data_quality_by_rule" in t:
            total = rows_of(dq, table="All tables")
            for r in range(len(t["data_quality_by_rule"])):
                intruder.at_most([v("data_quality_by_rule", r, "rows")], [v("data_quality_by_table", total[0],
                                                                           "rows_quarantined")])
    if "published_comparison" in t:
        # the sample's composition counts the cases sampled and the interviews of each role
        pc = t["published_comparison"]
        roles = {("Interviewees", "Social workers"): "Social worker", ("Interviewees", "IROs"): "IRO",
                 ("Interviewees", "Parents"): "Parent", ("Interviewees", "Young people"): "Young person",
                 ("Focus groups", "Multi-professional (one in each LA)"): "Focus group (multi-professional)",
                 ("Focus groups", "Young people"): "Focus group (young people)"}
        for r in rows_of(pc, table="sample_composition"):
            role = roles.get((pc.at[r, "group"], pc.at[r, "item"]))
            if role and "interview_codes" in t and rows_of(t["interview_codes"], role=role):
                intruder.equal([v("published_comparison", r, "n")],
                               [v("interview_codes", rows_of(t["interview_codes"], role=role)[0], "denominator")])
            sampled = rows_of(t["legal_status_at_sampling"], la="All LAs") if "legal_status_at_sampling" in t else []
            if pc.at[r, "item"] == "Cases" and pc.at[r, "group"] == "Case file analysis" and sampled:
                intruder.equal([v("published_comparison", r, "n")], [v("legal_status_at_sampling", sampled[0],
                                                                       "denominator")])
    if "coding_agreement" in t:
        for r in range(len(t["coding_agreement"])):
            both = v("coding_agreement", r, "both")
            intruder.at_most([both], [v("coding_agreement", r, "coded_by_first")])
            intruder.at_most([both], [v("coding_agreement", r, "coded_by_second")])
    return implied
