#!/bin/bash
# On a gitterra server the build runs with the server's own gitterra on PATH and is given the
# state's address (TF_HTTP_*). On AWS CodeBuild, deployment-pipeline/ (target = "aws") gives
# builds GITTERRA_INSTALL, the pip requirement to install gitterra from, and STATE_BUCKET,
# STATE_KEY, STATE_REGION (and STATE_LOCK_TABLE), the settings of infra/'s backend "s3".
set -euo pipefail
if ! command -v gitterra >/dev/null; then
  if [[ -z "${GITTERRA_INSTALL:-}" ]]; then
    echo "gitterra is not on PATH and GITTERRA_INSTALL is not set: set the variable" \
      "gitterra_install of deployment-pipeline/ (a pip requirement, for instance" \
      "\"gitterra @ git+https://github.com/you/gitterra@v0.1.0\") and apply it again" >&2
    exit 1
  fi
  echo "······ pip install $GITTERRA_INSTALL ······"
  python3 -m pip install --quiet "$GITTERRA_INSTALL"
  # CodeBuild's Pythons are pyenv's: a new command gets its shim on rehash.
  if command -v pyenv >/dev/null; then pyenv rehash; fi
  hash -r
  if ! command -v gitterra >/dev/null; then
    echo "pip installed $GITTERRA_INSTALL, but no gitterra is on PATH ($PATH)" >&2
    exit 1
  fi
fi
gitterra version
cd "$CODEBUILD_SRC_DIR/infra"
backend=()
if [[ -n "${STATE_BUCKET:-}" ]]; then
  backend=(
    "-backend-config=bucket=$STATE_BUCKET"
    "-backend-config=key=$STATE_KEY"
    "-backend-config=region=$STATE_REGION"
    -backend-config=use_lockfile=true
    -backend-config=encrypt=true
  )
  if [[ -n "${STATE_LOCK_TABLE:-}" ]]; then
    backend+=("-backend-config=dynamodb_table=$STATE_LOCK_TABLE")
  fi
  echo "······ gitterra init (s3://$STATE_BUCKET/$STATE_KEY) ······"
else
  echo "······ gitterra init ······"
fi
gitterra init -input=false -no-color ${backend[@]+"${backend[@]}"}
