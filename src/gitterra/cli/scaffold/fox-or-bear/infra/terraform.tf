# The state lives in the gitterra server: builds set TF_HTTP_ADDRESS and its lock/unlock
# addresses and credentials, so `gitterra init` needs no arguments (one state per project).
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
