# The state lives in the gitterra server: builds set TF_HTTP_ADDRESS and its lock/unlock
# addresses and credentials, so `gitterra init` needs no arguments (one state per project).
# On AWS, make the backend `backend "s3" {}`: builds of deployment-pipeline/ with target = "aws"
# init it with the bucket, key and region that module names (see docs/aws.md).
terraform {
  backend "http" {}

  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = var.region
}
