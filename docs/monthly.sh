#!/bin/sh
# The monthly economy check (økonomitjek), for cron: docs/cookbook.md. Run it in the first days
# of a month, when last month's DSS extract has landed. Works in every month, January included:
# the year is the year of the extract (in January, the year that has just ended).
#
# Settings (environment, with defaults):
#   TK                 the tariffkit command               (tariffkit)
#   TARIFFKIT_DATA     folder of the history and outputs    (/data/tariffkit)
#   TARIFFKIT_KEYFILE  the municipality's key file          (/etc/tariffkit/kommune.key)
#   EXTRACTS           folder where DSS extracts land       (/data/dss), named udtraek-YYYY-MM.csv
#   TODAY              today's date, YYYY-MM-DD             (the real date; set it to re-run a month)
set -eu                                   # stop at the first failing step: exit 1 = data error
export NO_COLOR=1                         # plain messages in the log
TK=${TK:-tariffkit}
D=${TARIFFKIT_DATA:-/data/tariffkit}
KEY=${TARIFFKIT_KEYFILE:-/etc/tariffkit/kommune.key}
EXTRACTS=${EXTRACTS:-/data/dss}
TODAY=${TODAY:-$(date +%Y-%m-%d)}

AS_OF=$(date -d "$(date -d "$TODAY" +%Y-%m-01) -1 day" +%Y-%m-%d)      # last day of last month
MONTH=$(date -d "$AS_OF" +%Y-%m)                                        # the extract's month
YEAR=$(date -d "$AS_OF" +%Y)
PREV=$(date -d "$(date -d "$AS_OF" +%Y-%m-01) -1 day" +%Y-%m)          # the month before
echo "$(date -Is) start $MONTH (extract date $AS_OF)"

# 1. The new extract into the history: actual lines seen before are not added again, and its
#    commitments replace last month's. An extract older than the history's newest is refused.
$TK import-dss "$EXTRACTS/udtraek-$MONTH.csv" --key-file "$KEY" --extract-date "$AS_OF" \
    -o "$D/payments.parquet" --append --on-error reject --rejects "$D/afviste-$MONTH.parquet" \
    --summary-json "$D/import-$MONTH.json"

# 2. HÅP and the forecast to year end per offer and level.
$TK compute-haap "$D/payments.parquet" --as-of "$AS_OF" --by offer_id,level -o "$D/prognose-$MONTH.parquet"

# 3. The report, with the change since last month from last month's saved key figures.
set --
[ -f "$D/noegletal-$PREV.parquet" ] && set -- "$@" --previous "$D/noegletal-$PREV.parquet"
[ -f "$D/myndighed-$YEAR.parquet" ] && set -- "$@" --budget "$D/myndighed-$YEAR.parquet"
$TK report monthly "$D/payments.parquet" --as-of "$AS_OF" "$@" \
    --save-figures "$D/noegletal-$MONTH.parquet" -o "$D/rapport-$MONTH.html"
echo "$(date -Is) done $MONTH"
