"""compute-haap's table in vectorised pandas (numpy and pyarrow underneath, no loop over rows):
the same rules and the same table as bench/duckdb_haap.py, for 2026 by offer, level and month.

    python bench/pandas_haap.py payments.parquet out.parquet
"""

import datetime as dt
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

src, out = sys.argv[1], sys.argv[2]
L = 72201776446800  # lcm(1..31): a month's units, shared by days without a remainder
GAP = 1
P0, P1 = (2026 - 1970) * 12, (2026 - 1970) * 12 + 11  # the period's months (numbers since 1970-01)
W0, W1 = P0 - GAP - 1, P1 + GAP  # the months computed
day = lambda m: np.asarray(m, "int64").astype("datetime64[M]").astype("datetime64[D]").astype("int64")  # first day of month numbers
LO, HI = int(day(W0)), int(day(W1 + 1)) - 1

snap = pq.read_table(src, columns=["extract_date", "kind"]).to_pandas()
h = snap.extract_date.max()
c = snap.extract_date[snap.kind == "commitment"].max()
h1 = (np.datetime64(h, "D").astype("int64") + 1) if pd.notna(h) else None
t = pq.read_table(
    src,
    columns=["citizen_id", "offer_id", "level", "service_from", "service_to", "amount", "kind", "extract_date"],
    filters=[("service_to", ">=", dt.date(1970, 1, 1) + dt.timedelta(days=LO)), ("service_from", "<=", dt.date(1970, 1, 1) + dt.timedelta(days=HI))],
)
df = pd.DataFrame(
    {
        "cit": t["citizen_id"].to_pandas(),
        "offer": t["offer_id"].to_pandas(),
        "level": t["level"].to_pandas(),
        "sf": t["service_from"].cast(pa.int32()).to_numpy().astype("int64"),
        "st": t["service_to"].cast(pa.int32()).to_numpy().astype("int64"),
        "ore": pc.cast(pc.multiply(t["amount"], 100), pa.int64()).to_numpy(),
        "kind": t["kind"].to_pandas(),
        "ex": t["extract_date"].cast(pa.int32()).to_numpy(),
    }
)
ex_h = np.datetime64(h, "D").astype("int64")
actual = df[(df.kind != "commitment") & (df.ex <= ex_h)]
com = df[(df.kind == "commitment") & (df.ex == (np.datetime64(c, "D").astype("int64") if pd.notna(c) else -1)) & (df.st >= h1)].copy()
total = com.st - com.sf + 1
cut = com.sf < h1
com.loc[cut, "ore"] = com.ore[cut] - np.sign(com.ore[cut]) * (np.abs(com.ore[cut]) * (h1 - com.sf[cut]) // total[cut])
com["sf"] = np.maximum(com.sf, h1)
l = pd.concat([actual, com], ignore_index=True)
l = l[(l.st >= LO) & (l.sf <= HI)].reset_index(drop=True)
l["refund"] = l.kind == "refund"
month_of = lambda d: np.asarray(d, "int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")
l["mf"], l["mt"] = month_of(l.sf), month_of(l.st)
l["total"] = l.st - l.sf + 1
# spread: one row per line and month up to the window's end; each month trunc(ore × days / total), the last the rest
n = np.minimum(l.mt, W1) - l.mf + 1
rep = np.repeat(np.arange(len(l)), n)
s = l.iloc[rep].reset_index(drop=True)
s["line"] = rep
s["month"] = s.mf + s.groupby("line").cumcount()
ms = day(s.month)
s["f"], s["t"] = np.maximum(ms, s.sf), np.minimum(day(s.month + 1) - 1, s.st)
share = np.sign(s.ore) * (np.abs(s.ore) * (s.t - s.f + 1) // s.total)
s["part"] = np.where(s.month == s.mt, s.ore - (share.groupby(s.line).transform("sum") - share), share)
w = s[(s.month >= W0) & (s.month <= W1)]
keys = ["cit", "offer", "level", "month"]
w = w.assign(money=np.where(w.refund, 0, w.part))
cm = w.groupby(keys, dropna=False, sort=False).money.sum().rename("net").reset_index()
act = cm.groupby(["cit", "month"], sort=False).net.sum()
act = act[act > 0].index.to_frame(index=False)
posg = cm[cm.net > 0].merge(act, on=["cit", "month"])
posg["ng"] = posg.groupby(["cit", "month"]).net.transform("size")
u1 = posg.loc[posg.ng == 1, keys].assign(u=L)
many = posg.loc[posg.ng > 1, keys]
cov = w[(w.part > 0) & ~w.refund].merge(many, on=keys)
nd = (cov.t - cov.f + 1).to_numpy()
cd = cov.iloc[np.repeat(np.arange(len(cov)), nd)].reset_index(drop=True)
cd["d"] = cd.f + cd.groupby(np.repeat(np.arange(len(cov)), nd)).cumcount()
cd = cd.sort_values(["cit", "month", "d", "sf", "st", "part", "offer", "level"], na_position="last", kind="stable")
won = cd.groupby(["cit", "month", "d"], sort=False).tail(1)
days = won.groupby(keys, dropna=False, sort=False).size().rename("days").reset_index()
days["u"] = L * days.days // days.groupby(["cit", "month"]).days.transform("sum")
units = pd.concat([u1, days[[*keys, "u"]]], ignore_index=True).sort_values(["offer", "level", "cit", "month"], na_position="last")
g = units.groupby(["offer", "level", "cit"], dropna=False, sort=False).month
prv, nxt = g.shift(1), g.shift(-1)
units["came"] = prv.isna() | (units.month - prv > GAP + 1)
units["leaves"] = nxt.isna() | (nxt - units.month > GAP + 1)
gk = ["offer", "level", "month"]
inp = units[(units.month >= P0) & (units.month <= P1)]
per = inp.groupby(gk, dropna=False).agg(citizens=("u", "size"), u=("u", "sum"), inflow=("came", "sum")).reset_index()
o = units[units.leaves & (units.month + 1 >= P0) & (units.month + 1 <= P1)].assign(month=lambda x: x.month + 1)
outf = o.groupby(gk, dropna=False).size().rename("outflow").reset_index()
exp = cm[(cm.month >= P0) & (cm.month <= P1)].groupby(gk, dropna=False).net.sum().rename("ore").reset_index()
r = exp.merge(per, on=gk, how="outer").merge(outf, on=gk, how="outer")
r = r.sort_values(["offer", "level", "month"], na_position="last").reset_index(drop=True)
ore = r.ore.fillna(0).astype("int64").to_numpy()
u = r.u.fillna(0).astype("int64").to_numpy()
price = [None if uu <= 0 else Decimal((2 * abs(e * 12 * L) + uu) // (2 * uu) * (1 if e >= 0 else -1)).scaleb(-2) for e, uu in zip(ore.tolist(), u.tolist())]
res = pa.table(
    {
        "offer_id": pa.array(r.offer, pa.string()),
        "level": pa.array(r.level.astype("Int16"), pa.int16()),
        "period": pa.array(pd.Series(r.month.astype("int64").to_numpy().astype("datetime64[M]")).dt.strftime("%Y-%m"), pa.string()),
        "citizens": pa.array(r.citizens.fillna(0).astype("int64")),
        "haap": pa.array(np.round(u.astype("float64") / float(12 * L), 10)),
        "expense": pa.array([Decimal(e).scaleb(-2) for e in ore.tolist()], pa.decimal128(18, 2)),
        "average_price": pa.array(price, pa.decimal128(18, 2)),
        "inflow": pa.array(r.inflow.fillna(0).astype("int64")),
        "outflow": pa.array(r.outflow.fillna(0).astype("int64")),
    }
)
pq.write_table(res, out)
