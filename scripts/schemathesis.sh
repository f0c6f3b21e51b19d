#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema with every schemathesis check (`make schemathesis`).
#
# Serves Tally on 127.0.0.1:$SCHEMATHESIS_PORT, signs the requests with the API key of a
# throwaway user who owns one site, and deletes that user (its site, visits and key) at the
# end: the run changes no one else's data. Reports go to .data/schemathesis/.
# Options: SCHEMATHESIS_PORT (8001), SCHEMATHESIS_EXAMPLES (25 per operation), SCHEMATHESIS_SEED.
set -euo pipefail

PY=.venv/bin/python
PORT="${SCHEMATHESIS_PORT:-8001}"
EMAIL="schemathesis@tally.test"
REPORTS=.data/schemathesis
mkdir -p "$REPORTS"
export SECRET_KEY="${SECRET_KEY:-$(cat .data/secret_key 2>/dev/null || echo schemathesis-only-key-0123456789abcdefghijklmnopqrstuvwxyz)}"
export HTTPS_ONLY="${HTTPS_ONLY:-0}"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Port $PORT is in use; set SCHEMATHESIS_PORT to a free one." >&2
  exit 1
fi

$PY manage.py migrate --noinput --verbosity 0
$PY manage.py createcachetable
read -r KEY SCHEMATHESIS_SITE < <($PY manage.py shell --verbosity 0 -c "
from accounts.models import ApiKey, User
from sites.models import Site
Site.objects.filter(owner__email='$EMAIL').delete()
User.objects.filter(email='$EMAIL').delete()
user = User.objects.create_user(email='$EMAIL', password=None)
site = Site.objects.create(domain='schemathesis.tally.test', owner=user)
print(ApiKey.objects.create_key(user=user, name='schemathesis')[1], site.pk)
")
export SCHEMATHESIS_SITE

.venv/bin/gunicorn proj.wsgi --bind "127.0.0.1:$PORT" --workers 2 >"$REPORTS/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  $PY manage.py shell --verbosity 0 -c "
from accounts.models import User
from sites.models import Site
Site.objects.filter(owner__email='$EMAIL').delete()
User.objects.filter(email='$EMAIL').delete()
"
}
trap cleanup EXIT

for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/api/ping/" >/dev/null && break
  sleep 0.2
done

.venv/bin/schemathesis --config-file scripts/schemathesis.toml \
  run "http://127.0.0.1:$PORT/api/schema/?format=json" \
  --checks all \
  --header "Authorization: Bearer $KEY" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" \
  ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
  --phases examples,coverage,fuzzing \
  --report junit --report-dir "$REPORTS"
