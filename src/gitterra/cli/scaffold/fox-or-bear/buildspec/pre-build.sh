#!/bin/bash
# Nothing to install: the build runs with the server's own gitterra on PATH.
set -euo pipefail
gitterra version
cd "$CODEBUILD_SRC_DIR/infra"
echo "······ gitterra init ······"
gitterra init -input=false -no-color
