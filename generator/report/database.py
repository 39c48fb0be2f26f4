"""The report's aggregates, computed by SQL in the event store (SQLite or PostgreSQL).

Memory does not grow with the number of events: every query returns one row per group (per
protocol, week, article, step, technician…), never one per event. The only lists that grow
with the data are what the report shows row by row (comments, distinct zero-result queries).
Protocol runs are read once into a temporary table (``kb_runs``) with the fields the queries
need; FCR, percentiles and medians use window functions (SQLite 3.40 has no percentile
function). The formulas are those of docs/metrics.md; tests/report/test_sql_parity.py checks
them against the in-Python reference (generator/report/metrics.py) on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.model.fields import OUTCOMES
from generator.report.common import REASONS, Filters
from generator.report.common import ArticleCounts as ArticleCounts  # re-exported: sqlreport reads it here
from generator.report.dialect import Dialect
from generator.report.runs import top_answer
from generator.store import Reader


@dataclass
class Scope:
    """The WHERE conditions and parameters shared by the queries."""

    d: Dialect
    filters: Filters
    area_ids: list[str] | None  # article ids of --area (None: every article)
    technicians: list[str] | None = None  # --technician: every spelling of that technician in the events
    canon: dict[str, str] = field(default_factory=dict)  # translation id -> original id

    def mapped(self, expr: str) -> tuple[str, list[Any]]:
        """``expr`` with translations' ids replaced by their original's."""
        if not self.canon:
            return expr, []
        whens = " ".join("WHEN ? THEN ?" for _ in self.canon)
        return f"(CASE {expr} {whens} ELSE {expr} END)", [x for pair in sorted(self.canon.items()) for x in pair]

    def time(self, alias: str = "") -> tuple[str, list[Any]]:
        sql, params = "", []
        prefix = f"{alias}." if alias else ""
        if self.filters.since:
            sql += f" AND {prefix}at >= ?"
            params.append(self.filters.since.timestamp())
        if self.filters.until:
            sql += f" AND {prefix}at < ?"
            params.append(self.filters.until.timestamp())
        return sql, params

    def technician(self, expr: str) -> tuple[str, list[Any]]:
        if self.technicians is None:
            return "", []
        return f" AND {self.d.in_list(expr)}", [self.d.list_param(self.technicians)]

    def area(self, expr: str) -> tuple[str, list[Any]]:
        if self.area_ids is None:
            return "", []
        return f" AND {self.d.in_list(expr)}", [self.d.list_param(self.area_ids)]


def percentiles(db: Reader, source: str) -> Iterator[tuple[str, str, float, float, int]]:
    """(g, k, median, nearest-rank p90, count) per group of a query of (g, k, v).

    PostgreSQL: ``percentile_cont(0.5)`` and ``percentile_disc(0.9)``. SQLite 3.40 has no percentile
    function: the database counts each group's distinct values, a window adds the counts up in order
    (sorts on disk when large), and only the values at the two middle ranks and the p90 rank of each
    group come back: memory does not grow with the rows. The median is the mean of
    the two middle values (one value for an odd count), p90 the ⌈0.9·n⌉-th smallest value."""
    if db.dialect == "postgresql":  # ordered-set aggregates: the same definitions, one sort per group
        for g, k, med, p90, n in db.rows(
                "SELECT g, k, percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
                f"percentile_disc(0.9) WITHIN GROUP (ORDER BY v), count(*) FROM ({source}) s GROUP BY g, k"):
            yield str(g), str(k), float(med), float(p90), int(n)
        return
    # equal values counted once (step seconds and durations repeat): cumulative counts give each value's ranks
    counted = f"SELECT g, k, v, count(*) AS m FROM ({source}) s GROUP BY g, k, v"
    ranked = ("SELECT g, k, v, m, sum(m) OVER (PARTITION BY g, k ORDER BY v ROWS UNBOUNDED PRECEDING) AS hi, "
              f"sum(m) OVER (PARTITION BY g, k) AS n FROM ({counted}) c")
    picked: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    sizes: dict[tuple[str, str], int] = {}
    ranks = ("(n + 1) / 2", "(n + 2) / 2", "(9 * n + 9) / 10")
    near = " OR ".join(f"{r} BETWEEN hi - m + 1 AND hi" for r in ranks)
    for g, k, v, m, hi, n in db.rows(f"SELECT g, k, v, m, hi, n FROM ({ranked}) x WHERE {near}"):
        size = int(n)
        for rank in ((size + 1) // 2, (size + 2) // 2, (9 * size + 9) // 10):
            if int(hi) - int(m) + 1 <= rank <= int(hi):
                picked[(g, k)][rank] = float(v)
        sizes[(g, k)] = size
    for key, size in sizes.items():
        yield _picked(key, size, picked[key])


def _picked(key: tuple[str, str], size: int, picked: dict[int, float]) -> tuple[str, str, float, float, int]:
    median = (picked[(size + 1) // 2] + picked[(size + 2) // 2]) / 2
    return str(key[0]), str(key[1]), median, picked[(9 * size + 9) // 10], size


def technician_spellings(db: Reader, s: Scope) -> list[str]:
    """The spellings of --technician in runs and KCS links ("Ana", "ana ", …): one per distinct name."""
    wanted = s.filters.technician_of(s.filters.technician)
    rows = db.rows(f"SELECT DISTINCT technician FROM (SELECT technician FROM runs UNION ALL SELECT technician "
                   f"FROM {s.d.events('events_links')} WHERE type = 'article_used') t WHERE technician IS NOT NULL")
    return sorted(str(name) for (name,) in rows if s.filters.technician_of(name) == wanted)


def make_runs(db: Reader, s: Scope) -> None:
    """``kb_runs``: the non-practice runs in scope, one row each (from ``runs``, written at insert time)."""
    f = s.filters
    pid, pid_params = s.mapped("protocol_id")
    time_sql, params = s.time()
    where = " WHERE NOT practice" + time_sql
    if f.protocol is not None:
        where += f" AND {pid} = ?"
        params += [*pid_params, s.canon.get(f.protocol, f.protocol)]
    if f.channel is not None:
        where += " AND channel = ?"
        params.append(f.channel)
    tech_sql, tech_params = s.technician("technician")
    where += tech_sql
    params += tech_params
    select = (f"SELECT id, session_id, {pid} AS protocol_id, outcome, t0, t1, tc, ticket, channel, technician, week, "
              "COALESCE(ticket, session_id) AS case_key, resolved_step, cause, last_step, used "
              f"FROM runs{where}")
    db.run(s.d.temp_table("kb_runs", select), pid_params + params)


def index_runs(db: Reader) -> None:
    """``kb_runs`` by session (CSAT answers) and by case (KCS links): only where those queries run."""
    db.run("CREATE INDEX kb_runs_session ON kb_runs (session_id)")
    db.run("CREATE INDEX kb_runs_case ON kb_runs (case_key)")


def run_counts(db: Reader, s: Scope) -> dict[tuple[str, str], dict[str, Any]]:
    """Counts by outcome and FCR per ('all', ''), ('protocol', id), ('week', w)."""
    window = s.filters.fcr_window_days * 86400
    near = ("COALESCE({a} <= ?, 1 = 0)")
    flagged = (
        "SELECT id, protocol_id, week, outcome, t0, t1, tc, CASE WHEN outcome = 'resolved' AND NOT "
        f"(ticket IS NOT NULL AND ({near.format(a=s.d.seconds('t0 - LAG(t0) OVER w'))} OR "
        f"{near.format(a=s.d.seconds('LEAD(t0) OVER w - t0'))})) THEN 1 ELSE 0 END AS fcr "
        "FROM kb_runs WINDOW w AS (PARTITION BY ticket ORDER BY t0, id)")
    counts = ", ".join(f"count(*) FILTER (WHERE outcome = '{o}')" for o in OUTCOMES)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    # one pass, per protocol and week; the overall, per-protocol and per-week counts are their sums
    for pid, week, n, *rest in db.rows(f"WITH f AS ({flagged}) SELECT protocol_id, week, count(*), {counts}, "
                                       "sum(fcr) FROM f GROUP BY protocol_id, week", [window, window]):
        for key in (("all", ""), ("protocol", pid), ("week", week)):
            row = out.setdefault(key, {"runs": 0, **dict.fromkeys(OUTCOMES, 0), "fcr_runs": 0,
                                       "median_resolution_seconds": None, "p90_resolution_seconds": None,
                                       "median_response_seconds": None, "p90_response_seconds": None})
            row["runs"] += int(n)
            for o, v in zip(OUTCOMES, rest[:4], strict=True):
                row[o] += int(v)
            row["fcr_runs"] += int(rest[4] or 0)
    return out


# resolution times overall, per protocol and per week (trends); response times overall, per protocol
# and per channel: what the report shows
RUN_TIMES = {"resolution": ("outcome = 'resolved'", "t1 - t0", ("protocol", "week")),
             "response": ("tc IS NOT NULL", "t0 - tc", ("protocol", "channel"))}


def run_times(db: Reader, s: Scope, kind: str) -> list[tuple[str, str, float, float, int]]:
    """(group, key, median, p90, count) of the resolution or response times (``RUN_TIMES``)."""
    cond, value, by = RUN_TIMES[kind]
    v = f"CAST({s.d.seconds(value)} AS DOUBLE PRECISION) AS v"
    column = {"protocol": "protocol_id", "week": "week", "channel": "COALESCE(channel, '—')"}
    source = f"SELECT 'all' AS g, '' AS k, {v} FROM kb_runs WHERE {cond}" + "".join(
        f" UNION ALL SELECT '{g}', {column[g]}, {v} FROM kb_runs WHERE {cond}" for g in by)
    return list(percentiles(db, source))


def run_groups(counts: dict[tuple[str, str], dict[str, Any]],
               times: dict[str, list[tuple[str, str, float, float, int]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """:func:`run_counts` with the medians and p90s of :func:`run_times` of each kind."""
    out = counts
    for kind, rows in times.items():
        for g, k, med, p90, n in rows:
            row = out.setdefault((g, k), {})
            row[f"median_{kind}_seconds"] = float(med)
            row[f"p90_{kind}_seconds"] = float(p90)
            row[f"{kind}s"] = n
    return out


def csat_groups(db: Reader, s: Scope) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Post-contact CSAT answers tied to runs in scope: (answers, 4-5 answers, sum) per group."""
    time_sql, params = s.time("e")
    c = ("SELECT r.protocol_id, r.channel, r.technician, r.week, CAST(e.rating AS INTEGER) AS rating FROM "
         f"{s.d.events('events_csat', 'e')} JOIN kb_runs r ON r.session_id = e.session_id "
         f"WHERE e.type = 'csat'{time_sql}")
    agg = "count(*), count(*) FILTER (WHERE rating >= 4), sum(rating)"
    sql = (f"WITH c AS ({c}) SELECT 'all', '', {agg} FROM c UNION ALL "
           f"SELECT 'protocol_id', protocol_id, {agg} FROM c GROUP BY protocol_id UNION ALL "
           f"SELECT 'channel', COALESCE(channel, '—'), {agg} FROM c GROUP BY COALESCE(channel, '—') UNION ALL "
           f"SELECT 'technician', COALESCE(technician, '—'), {agg} FROM c "
           "GROUP BY COALESCE(technician, '—') UNION ALL "
           f"SELECT 'week', week, {agg} FROM c GROUP BY week")
    return {(g, k): (int(n), int(n45 or 0), int(total or 0)) for g, k, n, n45, total in db.rows(sql, params)}


def article_counts(db: Reader, s: Scope) -> dict[str, ArticleCounts]:
    d = s.d
    time_sql, params = s.time()
    tech, tech_params = s.technician("technician")
    cols = [
        "helpful = 1", "helpful = 0", "helpful = 1 AND by_technician = 0", "helpful IS NOT NULL AND by_technician = 0",
        "rating IS NOT NULL", "rating >= 4", *(f"helpful = 0 AND reason = '{r}'" for r in REASONS),
    ]
    select = ", ".join(f"count(*) FILTER (WHERE {c})" for c in cols)
    out: dict[str, ArticleCounts] = defaultdict(ArticleCounts)
    known = "article_id IS NOT NULL AND article_id <> ''"
    # one query per event type, each on its covering index (generator/store/facts.py): no JSON read
    for aid, views in db.rows(f"SELECT article_id, count(*) FROM {d.events('events_views')} WHERE type = 'view' "
                              f"AND {known}{time_sql} GROUP BY article_id", params):
        out[aid].views = int(views)
    for aid, y, n, uy, uv, nr, n45, *reasons in db.rows(
            f"SELECT article_id, {select} FROM {d.events('events_feedback')} WHERE type = 'feedback' AND {known}"
            f"{time_sql} "
            "GROUP BY article_id", params):
        a = out[aid]
        a.yes, a.no, a.user_yes, a.user_votes, a.ratings, a.ratings45 = y, n, uy, uv, nr, n45
        a.reasons = dict(zip(REASONS, reasons, strict=True))
    # one KCS link per run and article: the runner's article_used and the ticket note's are the same link
    for aid, links in db.rows(f"SELECT article_id, count(*) FILTER (WHERE session_id IS NULL) + "
                              f"count(DISTINCT session_id) FROM {d.events('events_links')} "
                              "WHERE type = 'article_used' AND "
                              f"{known}{time_sql}{tech} GROUP BY article_id", params + tech_params):
        out[aid].kcs_links = int(links)
    for aid, uses in db.rows(f"SELECT u.value, count(*) FROM kb_runs r, {d.each_text('r.used', 'u')} GROUP BY u.value"):
        out[aid].run_uses = int(uses)
    for aid, cases in db.rows("SELECT a, count(DISTINCT c) FROM kb_links GROUP BY a"):
        out[aid].cases = int(cases)
    sql = (f"SELECT article_id, {d.ts_text()}, helpful, reason, comment FROM {d.events('events_comments')} "
           f"WHERE type = 'feedback' AND comment IS NOT NULL{time_sql}")
    for aid, ts, helpful, reason, text in db.rows(sql, params):
        out[aid or ""].comments.append({"ts": ts, "helpful": None if helpful is None else bool(helpful),
                                        "reason": reason, "comment": text})
    return out


def make_links(db: Reader, s: Scope) -> None:
    """``kb_links`` (article, case): KCS links and the articles used in runs, in scope."""
    d = s.d
    aid, aid_params = s.mapped("article_id")
    used, used_map = s.mapped("u.value")
    time_sql, params = s.time()
    area_sql, area_params = s.area(aid)
    tech, tech_params = s.technician("technician")
    used_area, used_params = s.area(used)
    select = (f"SELECT {aid} AS a, COALESCE(ticket_ref, session_id, id) AS c FROM {d.events('events_links')} "
              f"WHERE type = 'article_used'{time_sql}{tech}{area_sql} UNION ALL "
              f"SELECT {used}, r.case_key FROM kb_runs r, {d.each_text('r.used', 'u')} WHERE 1 = 1{used_area}")
    area_all = (aid_params + area_params) if area_params else []
    used_all = (used_map + used_params) if used_params else []
    db.run(d.temp_table("kb_links", select), aid_params + params + tech_params + area_all + used_map + used_all)
    db.run("CREATE INDEX kb_links_case ON kb_links (c)")


def linked_runs(db: Reader) -> int:
    row = next(db.rows("SELECT count(*) FROM kb_runs WHERE case_key IN (SELECT c FROM kb_links)"))
    return int(row[0])


def weekly_user_votes(db: Reader, s: Scope) -> Iterator[tuple[str, str, int, int]]:
    """(article, day, user yes, user votes): votes outside technician mode, per article and day."""
    time_sql, params = s.time()
    sql = ("SELECT article_id, day, count(*) FILTER (WHERE helpful = 1), count(*) FROM "
           f"{s.d.events('events_feedback')} "
           f"WHERE type = 'feedback' AND helpful IS NOT NULL AND by_technician = 0{time_sql} GROUP BY article_id, day")
    for aid, day, y, n in db.rows(sql, params):
        yield str(aid or ""), str(day), int(y), int(n)


def protocol_views(db: Reader, s: Scope) -> dict[str, int]:
    time_sql, params = s.time()
    sql = (f"SELECT protocol_id, count(*) FROM {s.d.events('events_protocol_views')} WHERE type = 'view' "
           "AND protocol_id IS NOT NULL "
           f"AND protocol_id <> ''{time_sql} GROUP BY protocol_id")
    return {str(pid): int(n) for pid, n in db.rows(sql, params)}


def searches(db: Reader, s: Scope) -> tuple[int, Iterator[tuple[str, int]]]:
    """Searches in the period, and each raw query that found nothing with its count (normalised by the caller)."""
    time_sql, params = s.time()
    searches = s.d.events("events_searches")
    total = next(db.rows(f"SELECT count(*) FROM {searches} WHERE type = 'search'{time_sql}", params))[0]
    zero = db.rows(f"SELECT query, count(*) FROM {searches} WHERE type = 'search' AND results = 0{time_sql} "
                   "GROUP BY query", params)
    return int(total), ((str(q), int(n)) for q, n in zero)


def searches_shown(db: Reader, s: Scope) -> Iterator[tuple[str, int, int]]:
    """Each raw query that found something: (query, searches, of them with a clicked result)."""
    time_sql, params = s.time()
    rows = db.rows(f"SELECT query, count(*), count(*) FILTER (WHERE clicked = 1) FROM {s.d.events('events_searches')} "
                   f"WHERE type = 'search' AND results > 0{time_sql} GROUP BY query", params)
    return ((str(q), int(n), int(c)) for q, n, c in rows)


def events_and_clients(db: Reader, s: Scope) -> tuple[int, int, int]:
    """(events in the period, anonymous clients seen, clients seen in two weeks or more)."""
    d = s.d
    time_sql, params = s.time()
    inner = (f"SELECT client, count(*) AS n, min(day) AS lo, max(day) AS hi FROM {d.events('events_client')} "
             f"WHERE 1 = 1{time_sql} "
             "GROUP BY client")
    sql = (f"SELECT sum(n), count(*) FILTER (WHERE client IS NOT NULL AND client <> ''), count(*) FILTER "
           f"(WHERE client IS NOT NULL AND client <> '' AND lo <> hi AND "
           f"{d.week_number('lo')} <> {d.week_number('hi')}) FROM ({inner}) s")
    n, clients, returning = next(db.rows(sql, params))
    return int(n or 0), int(clients or 0), int(returning or 0)


def make_steps(db: Reader, s: Scope) -> None:
    """``kb_steps``: one row per path entry of the runs in scope (its run, protocol, position, step,
    seconds, answer and whether the technician went back from it)."""
    select = ("SELECT r.id AS run, r.protocol_id AS pid, r.outcome AS outcome, p.idx, p.step, p.seconds, p.answer, "
              "p.back FROM kb_runs r JOIN run_steps p ON p.run = r.id")
    db.run(s.d.temp_table("kb_steps", select))


StepStats = dict[tuple[str, str], dict[str, Any]]


def step_runs(db: Reader) -> StepStats:
    """Per (protocol, step) of ``kb_steps``: reached runs, path entries, seconds (sum, squares), runs that
    went back from it."""
    out: StepStats = {}
    # one sort: per run at each step first, then per step (two count(DISTINCT run) would sort twice)
    for pid, st, reached, n, total, squares, back in db.rows(
            "SELECT pid, step, count(*), sum(n), sum(total), sum(squares), count(*) FILTER (WHERE back = 1) FROM "
            "(SELECT pid, step, run, count(*) AS n, sum(seconds) AS total, sum(seconds * seconds) AS squares, "
            "max(back) AS back FROM kb_steps GROUP BY pid, step, run) r GROUP BY pid, step"):
        out[(pid, st)] = dict(reached=int(reached), n=int(n), total=float(total or 0), squares=float(squares or 0),
                              back_runs=int(back))
    return out


def step_seconds_answers(db: Reader) -> StepStats:
    """Per (protocol, step) of ``kb_steps``: the median seconds and the most common answer, from one
    grouping of the path entries by (protocol, step, seconds, answer) walked in order of seconds: one
    sort where a percentile and a count of answers took one each (seconds repeat: few groups)."""
    out: StepStats = {}
    key: tuple[str, str] | None = None
    values: list[list[float]] = []  # [seconds, path entries], ascending
    answers: dict[str, int] = {}

    def done() -> None:
        if key is not None:
            out[key] = {"top_answer": top_answer(answers) if answers else None}
            if values:
                out[key]["median_seconds"] = _median(values)

    for pid, st, seconds, answer, n in db.rows(
            "SELECT pid, step, seconds, answer, count(*) FROM kb_steps GROUP BY pid, step, seconds, answer "
            "ORDER BY pid, step, seconds"):
        if (pid, st) != key:
            done()
            key, values, answers = (pid, st), [], {}
        if seconds is not None:
            if values and values[-1][0] == seconds:
                values[-1][1] += n
            else:
                values.append([float(seconds), int(n)])
        if answer:
            answers[str(answer)] = answers.get(str(answer), 0) + int(n)
    done()
    return out


def _median(values: list[list[float]]) -> float:
    """The median of values given as ascending (value, count): the mean of the two middle ones."""
    size = int(sum(m for _, m in values))
    lo, hi, seen = (size + 1) // 2, (size + 2) // 2, 0
    picked: dict[int, float] = {}
    for v, m in values:
        for rank in (lo, hi):
            if seen < rank <= seen + m:
                picked[rank] = v
        seen += int(m)
        if hi in picked:
            break
    return (picked[lo] + picked[hi]) / 2


def step_ends(db: Reader) -> StepStats:
    """Per (protocol, step) of ``kb_runs``: runs ended, escalated, abandoned and resolved there."""
    out: StepStats = defaultdict(dict)
    for pid, st, ended, escalated, abandoned in db.rows(
            "SELECT protocol_id, last_step, count(*), count(*) FILTER (WHERE outcome = 'escalated'), "
            "count(*) FILTER (WHERE outcome = 'abandoned') FROM kb_runs WHERE last_step IS NOT NULL "
            "GROUP BY protocol_id, last_step"):
        out[(pid, st)].update(ended_here=int(ended), escalated_here=int(escalated), abandoned_here=int(abandoned))
    for pid, st, resolved in db.rows(
            "SELECT protocol_id, COALESCE(resolved_step, last_step, ''), count(*) FROM kb_runs "
            "WHERE outcome = 'resolved' GROUP BY protocol_id, COALESCE(resolved_step, last_step, '')"):
        out[(pid, st)]["resolved_here"] = int(resolved)
    return out


def step_stats(*parts: StepStats) -> StepStats:
    """Per (protocol, step): the arguments of :func:`generator.report.runs.step_row` (reached runs,
    path entries, seconds, runs ended, resolved, escalated and abandoned there, runs that went back from
    it, the most common answer), from :func:`step_runs`, :func:`step_seconds_answers` and :func:`step_ends`."""
    out: StepStats = defaultdict(lambda: {"reached": 0})
    for part in parts:
        for key, values in part.items():
            out[key].update(values)
    return out


def resolving_options(db: Reader, s: Scope) -> Iterator[tuple[str, str, str, str, int]]:
    """(protocol, resolving step, answer chosen there the last time, cause, resolved runs)."""
    step = "COALESCE(r.resolved_step, r.last_step, '')"
    # the path entries of the run by the key of run_steps (run, idx), from the last one back
    answer = (f"COALESCE((SELECT p.answer FROM run_steps p WHERE p.run = r.id AND p.step = {step} "
              "ORDER BY p.idx DESC LIMIT 1), '')")
    sql = (f"SELECT pid, step, answer, cause, count(*) FROM (SELECT r.protocol_id AS pid, {step} AS step, "
           f"{answer} AS answer, COALESCE(r.cause, '') AS cause FROM kb_runs r WHERE r.outcome = 'resolved') o "
           "GROUP BY pid, step, answer, cause")
    for pid, st, ans, cause, n in db.rows(sql):
        yield str(pid), str(st), str(ans), str(cause), int(n)


def deliveries(db: Reader, s: Scope) -> dict[str, Any]:
    """Ticket notes and e-mails: delivered, delivered after retries, and each one given up (oldest first)."""
    d, p = s.d, "payload"
    time_sql, params = s.time()
    outcome, attempts = d.text(p, "outcome"), d.number(p, "attempts")
    row = next(db.rows(f"SELECT count(*) FILTER (WHERE {outcome} = 'delivered'), count(*) FILTER (WHERE "
                       f"{outcome} = 'delivered' AND {attempts} > 1) FROM events WHERE type = 'delivery'{time_sql}",
                       params))
    failed = [{"ts": ts, "session_id": session, "kind": kind, "channel": channel, "attempts": int(n), "error": error}
              for ts, session, kind, channel, n, error in db.rows(
                  f"SELECT {d.ts_text()}, {d.text(p, 'session_id')}, {d.text(p, 'kind')}, {d.text(p, 'channel')}, "
                  f"{attempts}, {d.text(p, 'error')} FROM events WHERE type = 'delivery' AND {outcome} = 'failed'"
                  f"{time_sql}", params)]
    failed.sort(key=lambda f: f["ts"])
    return {"delivered": int(row[0]), "delivered_after_retries": int(row[1]), "failed": failed}
