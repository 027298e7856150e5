#!/bin/bash
# A push to main plans and applies; a pull request only plans (its plan is in this log), so
# nothing reaches the infrastructure before review.
set -euo pipefail
cd "$CODEBUILD_SRC_DIR"

# Instances serve the www/ of the last commit that changed it: a commit that only scales the
# group keeps the instances it has.
export TF_VAR_git_sha="$(git rev-list -1 HEAD -- www)"
export TF_VAR_repository_url="$CODEBUILD_SOURCE_REPO_URL"
echo "······ site commit $TF_VAR_git_sha ······"

cd infra
case "${CODEBUILD_WEBHOOK_TRIGGER:-}" in
  pr/*)
    if [[ "${DESTROY:-false}" == "true" ]]; then
      echo "a pull request build does not destroy" >&2
      exit 1
    fi
    echo "······ gitterra plan (pull request ${CODEBUILD_WEBHOOK_TRIGGER#pr/}: plan only) ······"
    gitterra plan -input=false -no-color -lock=false
    ;;
  *)
    if [[ "${DESTROY:-false}" == "true" ]]; then  # gitterra build start NAME --env DESTROY=true
      echo "······ gitterra destroy ······"
      gitterra destroy -input=false -no-color -auto-approve
      exit 0
    fi
    echo "······ gitterra plan ······"
    gitterra plan -input=false -no-color -out=terraform.plan
    echo "······ gitterra apply ······"
    gitterra apply -input=false -no-color terraform.plan
    ;;
esac
