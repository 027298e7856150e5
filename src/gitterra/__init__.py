"""gitterra: self-hosted GitOps + Terraform.

A push runs a CodeBuild-compatible pipeline; the pipeline plans and applies infrastructure written
in the Terraform language; an embedded local cloud runs it. See docs/architecture.md.
"""

__version__ = "0.1.0"
