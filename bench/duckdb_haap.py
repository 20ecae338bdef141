"""compute-haap's table in DuckDB SQL: HÅP, expense, average price, inflow and outflow per offer,
level and month of 2026 (stay gap 1, months method), by the same rules (docs/concepts.md): the
history's lines in force, spread by days in whole øre, a month shared between groups by days,
stays with one-month gaps bridged. The harness checks that the table equals tariffkit's.

    python bench/duckdb_haap.py payments.parquet out.parquet [MEMORY_LIMIT]
"""

import sys

import duckdb

con = duckdb.connect()
con.execute("SET threads TO 2")
if len(sys.argv) > 3:
    con.execute(f"SET memory_limit = '{sys.argv[3]}'")
L = 72201776446800  # lcm(1..31): a month's units, shared by days without a remainder
q = """
COPY (
WITH raw AS (SELECT citizen_id, offer_id, level, service_from, service_to, CAST(amount * 100 AS BIGINT) AS ore, kind, extract_date
             FROM read_parquet(?) WHERE service_to >= DATE '2025-11-01' AND service_from <= DATE '2027-01-31'),
ex AS (SELECT max(extract_date) AS h, max(extract_date) FILTER (WHERE kind = 'commitment') AS c FROM read_parquet(?)),
l AS (  -- the lines in force: every actual line, the newest snapshot's commitments after the horizon h (cut toward zero)
  SELECT citizen_id, offer_id, level, service_from, service_to, ore, kind = 'refund' AS refund FROM raw, ex
  WHERE kind <> 'commitment' AND extract_date <= h
  UNION ALL
  SELECT citizen_id, offer_id, level, greatest(service_from, h + 1), service_to,
         ore - CASE WHEN service_from < h + 1 THEN sign(ore) * (abs(ore) * date_diff('day', service_from, h + 1) // (date_diff('day', service_from, service_to) + 1)) ELSE 0 END,
         false
  FROM raw, ex WHERE kind = 'commitment' AND extract_date = c AND service_to >= h + 1),
l2 AS (SELECT *, date_diff('day', service_from, service_to) + 1 AS total, date_trunc('month', service_from)::DATE AS m_from,
              date_trunc('month', service_to)::DATE AS m_to FROM l
       WHERE service_to >= DATE '2025-11-01' AND service_from <= DATE '2027-01-31'),
many AS (SELECT row_number() OVER () AS line, * FROM l2 WHERE m_from <> m_to),
spread AS (
  SELECT line, citizen_id, offer_id, level, refund, service_from, service_to, month, ore, m_to,
         sign(ore) * (abs(ore) * (date_diff('day', greatest(month, service_from), least(last_day(month), service_to)) + 1) // total) AS share
  FROM (SELECT *, unnest(generate_series(m_from, m_to, INTERVAL 1 MONTH))::DATE AS month FROM many)),
lm AS (  -- each line's part of each month in the window, and the days it covers there
  SELECT citizen_id, offer_id, level, refund, service_from AS sf, service_to AS st, m_from AS month, ore AS part, service_from AS f, service_to AS t
  FROM l2 WHERE m_from = m_to
  UNION ALL
  SELECT citizen_id, offer_id, level, refund, service_from, service_to, month,
         CASE WHEN month = m_to THEN ore - (sum(share) OVER (PARTITION BY line) - share) ELSE share END,
         greatest(month, service_from), least(last_day(month), service_to)
  FROM spread),
w AS (SELECT * FROM lm WHERE month BETWEEN DATE '2025-11-01' AND DATE '2027-01-01'),
cm AS (SELECT citizen_id, offer_id, level, month, coalesce(sum(part) FILTER (WHERE NOT refund), 0) AS net FROM w GROUP BY ALL),
act AS (SELECT citizen_id, month FROM cm GROUP BY ALL HAVING sum(net) > 0),
posg AS (SELECT c.*, count(*) OVER (PARTITION BY c.citizen_id, c.month) AS ng FROM cm c SEMI JOIN act a ON a.citizen_id = c.citizen_id AND a.month = c.month WHERE c.net > 0),
won AS (  -- a month shared between groups: each covered day to the line that starts latest (then ends latest, pays most, group last)
  SELECT citizen_id, offer_id, level, month, count(*) AS days FROM (
    SELECT DISTINCT ON (w.citizen_id, w.month, d) w.citizen_id, w.offer_id, w.level, w.month, d
    FROM w JOIN (SELECT * FROM posg WHERE ng > 1) p
      ON w.citizen_id = p.citizen_id AND w.offer_id = p.offer_id AND w.level IS NOT DISTINCT FROM p.level AND w.month = p.month,
      unnest(generate_series(w.f, w.t, INTERVAL 1 DAY)) AS g(d)
    WHERE w.part > 0 AND NOT w.refund
    ORDER BY w.citizen_id, w.month, d, w.sf DESC, w.st DESC, w.part DESC, w.offer_id DESC NULLS FIRST, w.level DESC NULLS FIRST)
  GROUP BY ALL),
units AS (
  SELECT citizen_id, offer_id, level, month, CAST(%(L)d AS BIGINT) AS u FROM posg WHERE ng = 1
  UNION ALL
  SELECT citizen_id, offer_id, level, month, %(L)d * days // sum(days) OVER (PARTITION BY citizen_id, month) FROM won),
stays AS (
  SELECT offer_id, level, month, u, lag(month) OVER s AS prv, lead(month) OVER s AS nxt FROM units
  WINDOW s AS (PARTITION BY citizen_id, offer_id, level ORDER BY month)),
per AS (
  SELECT offer_id, level, month, count(*) AS citizens, sum(CAST(u AS HUGEINT)) AS u,
         count(*) FILTER (WHERE prv IS NULL OR date_diff('month', prv, month) > 2) AS inflow
  FROM stays WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-12-01' GROUP BY ALL),
outf AS (
  SELECT offer_id, level, (month + INTERVAL 1 MONTH)::DATE AS month, count(*) AS outflow FROM stays
  WHERE (nxt IS NULL OR date_diff('month', month, nxt) > 2) AND month + INTERVAL 1 MONTH BETWEEN DATE '2026-01-01' AND DATE '2026-12-01' GROUP BY ALL),
exp AS (SELECT offer_id, level, month, sum(net) AS ore FROM cm WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-12-01' GROUP BY ALL),
keys AS (SELECT offer_id, level, month FROM exp UNION SELECT offer_id, level, month FROM per UNION SELECT offer_id, level, month FROM outf)
SELECT k.offer_id, k.level, strftime(k.month, '%%Y-%%m') AS period, coalesce(p.citizens, 0) AS citizens,
       round(CAST(coalesce(p.u, 0) AS DOUBLE) / CAST(12 * %(L)d AS DOUBLE), 10) AS haap,
       (CAST(coalesce(e.ore, 0) AS DECIMAL(38, 0)) / 100)::DECIMAL(18, 2) AS expense,
       CASE WHEN p.u > 0 THEN (CAST((2 * abs(CAST(coalesce(e.ore, 0) AS HUGEINT) * 12 * %(L)d) + p.u) // (2 * p.u) * sign(coalesce(e.ore, 0)) AS DECIMAL(38, 0)) / 100)::DECIMAL(18, 2) END AS average_price,
       coalesce(p.inflow, 0) AS inflow, coalesce(o.outflow, 0) AS outflow
FROM keys k
LEFT JOIN exp e ON e.offer_id = k.offer_id AND e.level IS NOT DISTINCT FROM k.level AND e.month = k.month
LEFT JOIN per p ON p.offer_id = k.offer_id AND p.level IS NOT DISTINCT FROM k.level AND p.month = k.month
LEFT JOIN outf o ON o.offer_id = k.offer_id AND o.level IS NOT DISTINCT FROM k.level AND o.month = k.month
ORDER BY k.offer_id, k.level NULLS LAST, period
) TO ? (FORMAT parquet)
""" % {"L": L}
src = repr(sys.argv[1])
con.execute(q.replace("read_parquet(?)", f"read_parquet({src})").replace("TO ?", f"TO {sys.argv[2]!r}"))
